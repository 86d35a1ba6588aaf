"""IKE decryption between decode and correlate: key files in, the payloads inside encrypted
messages out (``decrypt``), for the SAs that have keys only.

The names below are loaded on first use: the decryptor needs the cryptography package, which a
run without keys has no reason to load. The function ``decrypt`` is imported from its module,
``ikepcap.decrypt.decrypt``, whose name the package attribute holds.
"""

from importlib import import_module

_HOMES = {
    "Decryption": "decrypt", "Failed": "decrypt", "Inner": "decrypt", "KeyUse": "decrypt",
    "KeySource": "keys", "KeyStore": "keys", "V1Key": "keys", "V2Key": "keys", "gather": "keys",
    "read_key_file": "keys", "read_keys": "keys", "beside": "tables",
}
__all__ = sorted(_HOMES)


def __getattr__(name: str):
    if name not in _HOMES:
        raise AttributeError(f"module 'ikepcap.decrypt' has no attribute {name!r}")
    return getattr(import_module(f"ikepcap.decrypt.{_HOMES[name]}"), name)
