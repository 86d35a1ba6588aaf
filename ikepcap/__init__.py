"""ikepcap: read a packet capture of an IKE negotiation and say where it stalled and why.

The package is a pipeline, one folder per stage, each importing only the stages before it:
read (capture files -> IKE datagrams) -> decode (bytes -> typed messages) -> extract (one
engine's messages and counters for a set of files) -> correlate (messages -> SAs and exchanges)
-> diagnose (exchanges -> verdicts and findings) -> report (text, JSON, Markdown) -> cli.
``pipeline`` runs correlate, diagnose and the report's view for shards of SAs in parallel.
"""

__version__ = "0.1.0"
