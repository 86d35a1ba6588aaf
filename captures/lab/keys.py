"""Write Wireshark IKE decryption tables from a charon log with ike=4.

Debian's strongSwan has no save-keys plugin, but at log level 4 charon prints
the derived keys ("encryption key Ka", "Sk_ei secret", ...) as hex dumps,
tagged with the IKE SA's <name|unique-id>; the manager's "checkin ... with
SPIs <i>_i <r>_r" lines (mgr=2) tie the unique id to the SPIs on the wire.

Output, in Wireshark's UAT file format (Preferences > Protocols > ISAKMP;
hex fields unquoted, algorithm names quoted), usable as
`tshark -o "uat:ikev1_decryption_table:<line>"`:
  <capture>.ikev1_decryption_table  icookie,encryption-key
  <capture>.ikev2_decryption_table  SPIi,SPIr,SK_ei,SK_er,"encr",SK_ai,SK_ar,"integ"
"""

from __future__ import annotations

import re
from pathlib import Path

TAG = re.compile(r"<(?P<name>[^|>]+)\|(?P<uid>\d+)>\s?(?P<msg>.*)$")
HEX = re.compile(r"^\s*\d+: ((?:[0-9A-Fa-f]{2} ){1,16})")
KEY_START = re.compile(r"^(encryption key Ka|Sk_ei secret|Sk_er secret|Sk_ai secret|"
                       r"Sk_ar secret) => \d+ bytes")
CHECKIN = re.compile(r"checkin (IKEv[12]) SA (?P<name>\S+)\[(?P<uid>\d+)\] with SPIs "
                     r"(?P<i>[0-9a-f]{16})_i (?P<r>[0-9a-f]{16})_r")
PROPOSAL = re.compile(r"selected proposal: IKE:(?P<p>\S+)")

# strongSwan algorithm names -> Wireshark's UAT strings
ENCR = {"AES_CBC_128": "AES-CBC-128 [RFC3602]", "AES_CBC_192": "AES-CBC-192 [RFC3602]",
        "AES_CBC_256": "AES-CBC-256 [RFC3602]"}
INTEG = {"HMAC_SHA1_96": "HMAC_SHA1_96 [RFC2404]",
         "HMAC_SHA2_256_128": "HMAC_SHA2_256_128 [RFC4868]",
         "HMAC_SHA2_384_192": "HMAC_SHA2_384_192 [RFC4868]",
         "HMAC_SHA2_512_256": "HMAC_SHA2_512_256 [RFC4868]"}


def parse(log: Path):
    keys: dict[str, dict[str, str]] = {}
    spis: dict[str, tuple[str, str, str]] = {}
    props: dict[str, str] = {}
    current: tuple[str, str] | None = None  # (uid, key name) being collected
    for line in log.read_text(errors="replace").splitlines():
        m = CHECKIN.search(line)
        if m and m["i"] != "0" * 16:
            old = spis.get(m["uid"])
            if not old or m["r"] != "0" * 16:
                spis[m["uid"]] = (m["i"], m["r"], m.group(1))
        t = TAG.search(line)
        if not t:
            current = None
            continue
        msg = t["msg"]
        if current and current[0] == t["uid"]:
            h = HEX.match(msg)
            if h:
                keys[current[0]][current[1]] += h.group(1).replace(" ", "").lower()
                continue
            current = None
        k = KEY_START.match(msg)
        if k:
            name = k.group(1).split()[0] if k.group(1).startswith("Sk") else "Ka"
            keys.setdefault(t["uid"], {})[name] = ""
            current = (t["uid"], name)
            continue
        p = PROPOSAL.search(msg)
        if p:
            props[t["uid"]] = p["p"]
    return keys, spis, props


def write_key_table(log: Path, stem: Path) -> list[Path]:
    keys, spis, props = parse(log)
    v1, v2 = [], []
    for uid, k in keys.items():
        if uid not in spis:
            continue
        i, r, version = spis[uid]
        if version == "IKEv1" and k.get("Ka"):
            v1.append(f'{i},{k["Ka"]}')
        elif version == "IKEv2" and k.get("Sk_ei") and r != "0" * 16:
            algs = props.get(uid, "").split("/")
            encr = next((ENCR[a] for a in algs if a in ENCR), "")
            integ = next((INTEG[a] for a in algs if a in INTEG), "")
            v2.append(f'{i},{r},{k["Sk_ei"]},{k["Sk_er"]},"{encr}",'
                      f'{k.get("Sk_ai", "")},{k.get("Sk_ar", "")},"{integ}"')
    written = []
    for rows, suffix in ((v1, "ikev1_decryption_table"), (v2, "ikev2_decryption_table")):
        if rows:
            path = stem.parent / f"{stem.name}.{suffix}"
            path.write_text("\n".join(dict.fromkeys(rows)) + "\n")
            written.append(path)
    return written
