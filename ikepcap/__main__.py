"""``python -m ikepcap``: the same as the ``ikepcap`` command."""

from ikepcap.cli import main

main()
