"""The lab captures decrypted with the key tables beside them, checked against tshark's own
decryption of the same frames wherever tshark decrypts."""

from __future__ import annotations

import shutil
import subprocess
from functools import cache

import pytest
from conftest import CAPTURES, inside

from ikepcap.decode.message import decode_datagram
from ikepcap.decode.model import Message, Notification
from ikepcap.decrypt import Failed, Inner, beside, read_keys
from ikepcap.decrypt.decrypt import decrypt
from ikepcap.read.capture import read_capture

KEYED = sorted(p for p in CAPTURES.glob("*.pcap") if beside(p))
# Messages the table's key cannot open, because the peer that sent them derived its keys from
# another pre-shared key: the responder's encrypted PAYLOAD_MALFORMED (strongSwan answers MM5
# so, under its own key). Five copies in each of these captures; two SAs in the concentrator.
KEY_MISMATCH = {"v1-mm-psk-mismatch": 5, "v1-concentrator-many-sas": 10}
PROPOSAL, TRANSFORM = 2, 3                      # tshark lists IKEv1 SA substructures as payloads
V2_ENCRYPTED = ("46", "53")


def messages(pcap) -> list[Message]:
    found: list[Message] = []
    read_capture(str(pcap), lambda datagram: found.append(decode_datagram(datagram)))
    return [m for m in found if m is not None]


@cache
def tshark(pcap) -> dict[int, tuple[list[int], list[int], bool]]:
    """frame -> (payload types inside the encryption, notify types, malformed) as tshark decrypts."""
    options = []
    for table in beside(pcap):
        for row in table.read_text().split("\n"):
            if row.strip():
                options += ["-o", f"uat:{table.name.rsplit('.', 1)[1]}:{row}"]
    out = subprocess.run(["tshark", "-r", str(pcap), *options, "-Y", "isakmp", "-T", "fields", "-e", "frame.number",
                          "-e", "isakmp.typepayload", "-e", "isakmp.notify.msgtype", "-e", "_ws.malformed",
                          "-e", "isakmp.flags"],
                         capture_output=True, text=True, check=True).stdout
    frames = {}
    for line in out.splitlines():
        frame, types, notifies, malformed, _ = line.split("\t")
        kinds = types.split(",") if types else []
        for marker in V2_ENCRYPTED:
            if marker in kinds:
                kinds = kinds[kinds.index(marker) + 1:]
        frames[int(frame)] = ([int(k) for k in kinds if int(k) not in (PROPOSAL, TRANSFORM)],
                              [int(n) for n in notifies.split(",") if n], bool(malformed))
    return frames


@pytest.mark.parametrize("pcap", KEYED, ids=lambda p: p.stem)
def test_every_encrypted_message_decrypts(pcap):
    found = messages(pcap)
    result = decrypt(found, read_keys(beside(pcap)))
    encrypted = [m for m in found if m.encrypted]
    failed = [m for m in encrypted if isinstance(result.of(m), Failed)]
    assert all(isinstance(result.of(m), Inner | Failed) for m in encrypted)
    assert len(failed) == KEY_MISMATCH.get(pcap.stem, 0)
    assert all(f.reason.startswith("decryption looks wrong") for f in map(result.of, failed))
    assert all(use.decrypted for use in result.uses)
    assert [w for w in result.warnings if "did not decrypt" not in w] == []


@pytest.mark.skipif(shutil.which("tshark") is None, reason="tshark is not installed")
@pytest.mark.parametrize("pcap", KEYED, ids=lambda p: p.stem)
def test_decrypted_payloads_agree_with_tshark(pcap):
    found = messages(pcap)
    result = decrypt(found, read_keys(beside(pcap)))
    theirs = tshark(pcap)
    compared = beyond = 0
    for message in found:
        inner = result.of(message)
        if not isinstance(inner, Inner):
            continue
        kinds, notifies, malformed = theirs[message.frame]
        if malformed or not kinds:
            beyond += 1                         # tshark could not decrypt it; ikepcap did
            continue
        payloads = inside(inner, message.major, message.exchange_type)
        ours = [p.type for p in payloads]
        assert ours == kinds, message.frame
        clear = [p.notify_type for p in message.payloads if isinstance(p, Notification)]
        assert clear + [p.notify_type for p in payloads if isinstance(p, Notification)] == notifies
        compared += 1
    assert compared


def test_libreswans_informationals_before_mm6_decrypt_past_their_first_block():
    """Libreswan's encrypted INVALID_ID_INFORMATION to each MM5 copy uses an IV that is not RFC 2409's
    (tshark shows them as malformed); in CBC a wrong IV garbles only the first block, so the notify
    after the HASH is read, and the message says its HASH was not verified."""
    pcap = CAPTURES / "sw-lsw-v1-mm-id-refused.pcap"
    if not pcap.is_file():
        pytest.skip("capture not present")
    found = messages(pcap)
    result = decrypt(found, read_keys(beside(pcap)))
    informationals = [m for m in found if m.encrypted and m.exchange_type == 5]
    assert len(informationals) == 5
    for message in informationals:
        inner = result.of(message)
        assert isinstance(inner, Inner)
        assert [(p.name, getattr(p, "notify_name", None)) for p in inside(inner, 1, 5)][1:] == \
            [("Notify", "INVALID_ID_INFORMATION")]
        assert any("first cipher block was read without its IV" in w for w in inner.plaintext.notes)


@pytest.mark.parametrize("pcap", [p for p in KEYED if p.with_suffix(".ikev1_decryption_table").is_file()],
                         ids=lambda p: p.stem)
def test_the_types_decryption_walked_are_the_chain_the_message_decodes(pcap):
    """IKEv1 decryption checks each plaintext by walking its payload chain and hands the types
    it found to the message, which then answers 'is there a Delete inside?' without walking it
    again: they must be the types the message's own walk finds."""
    from ikepcap.decode.message import plaintext_links

    found = messages(pcap)
    result = decrypt(found, read_keys(beside(pcap)))
    walked = [(m, r.plaintext) for m in found if isinstance(r := result.of(m), Inner) and r.plaintext.types is not None]
    assert any(m.major == 1 for m, _ in walked)
    for message, plain in walked:
        assert plain.types == tuple(link[0] for link in plaintext_links(plain, message.major, message.exchange_type))
