"""Coverage-guided fuzzing of the ISAKMP decoder (atheris/libFuzzer).

Each input is one UDP payload on port 500 (see targets.message_target). Only the decoder is
instrumented for coverage; the renderers run uninstrumented, to keep executions fast.

    python3 fuzz/seeds.py /tmp/ikepcap-fuzz
    python3 fuzz/fuzz_message.py /tmp/ikepcap-fuzz/corpus-message /tmp/ikepcap-fuzz/seeds-message -runs=10000000
"""

import sys

import atheris

with atheris.instrument_imports(include=["ikepcap.decode"]):
    import ikepcap.decode.message  # noqa: F401  (instrumented before targets imports it)
from targets import message_target

if __name__ == "__main__":
    atheris.Setup(sys.argv, message_target)
    atheris.Fuzz()
