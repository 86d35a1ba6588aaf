"""Coverage-guided fuzzing of the whole pipeline on a capture file's bytes (atheris/libFuzzer).

Each input is a capture file, gzip-compressed or not (see targets.capture_target): read,
decoded, correlated, diagnosed and rendered as text, JSON, Markdown and redacted JSON.

    python3 fuzz/seeds.py /tmp/ikepcap-fuzz
    python3 fuzz/fuzz_capture.py /tmp/ikepcap-fuzz/corpus-capture /tmp/ikepcap-fuzz/seeds-capture -max_len=65536
"""

import sys

import atheris

with atheris.instrument_imports(include=["ikepcap"]):
    # instrumented here, before targets imports them; the six share one name, so one noqa covers them
    import ikepcap.correlate.correlate
    import ikepcap.diagnose.diagnose
    import ikepcap.pipeline
    import ikepcap.read.pcap
    import ikepcap.read.pcapng
    import ikepcap.report.view  # noqa: F401
from targets import capture_target

if __name__ == "__main__":
    atheris.Setup(sys.argv, capture_target)
    atheris.Fuzz()
