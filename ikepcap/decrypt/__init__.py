"""IKE decryption between decode and correlate: key files in, the payloads inside encrypted
messages out (``decrypt``), for the SAs that have keys only."""

from ikepcap.decrypt.decrypt import Decryption, Failed, Inner, KeyUse, decrypt
from ikepcap.decrypt.keys import KeySource, KeyStore, V1Key, V2Key, beside, gather, read_key_file, read_keys

__all__ = ["Decryption", "Failed", "Inner", "KeySource", "KeyStore", "KeyUse", "V1Key", "V2Key", "beside",
           "decrypt", "gather", "read_key_file", "read_keys"]
