"""How the model's busiest value classes are declared: slotted and hashed as frozen ones, not frozen.

A frozen dataclass's ``__init__`` stores each field through ``object.__setattr__``, seven times
slower than a slotted class's plain stores (1.69 µs against 0.24 µs for six fields). The bench's
IKE-heavy capture makes some 490,000 of them in one ``diagnose``: evidence lines, NAT checks, side
states, ranked causes, findings, clues and the payloads decoded. Those classes are declared with
``value_class`` instead; the rest of the model stays frozen.

They are values all the same: nothing assigns to a field of one once it is made (a changed copy
comes from ``dataclasses.replace``; the one exception, marking a payload just decoded from a
plaintext as decrypted, is made on payloads nothing else holds yet). They compare by their fields,
and ``unsafe_hash`` gives them the hash ``frozen`` would: evidence is a dict key, and a payload is
shared by the messages that carried its bytes.
"""

from dataclasses import dataclass

value_class = dataclass(slots=True, unsafe_hash=True)
