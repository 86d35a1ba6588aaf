"""Decrypted payloads in the model: one chain with a mark (see ``ikepcap.decode.model``).

ikepcap's decryption opens a message with the plaintext of its encrypted body
(``Message.open_with``), whose payloads the message decodes when asked; the tshark engine hands
them over decoded (``given_inner``). These tests build such messages by hand and check what
every reader of a message sees, and that the message crosses a process boundary (pickle)
unchanged.
"""

from __future__ import annotations

import json
import pickle
from dataclasses import replace

from conftest import decode_bytes

from ikepcap.decode import model
from ikepcap.decode.model import V1_HASH, V1_NOTIFY, V1_VID, V2_NOTIFY, V2_SK, Message
from ikepcap.report.messages import message_line, message_record, message_tree
from ikepcap.synth import ike

ISPI, RSPI = bytes.fromhex("0102030405060708"), bytes.fromhex("1112131415161718")
V1_INFORMATIONAL, V2_IKE_AUTH = 5, 35
INVALID_ID_INFORMATION, AUTHENTICATION_FAILED = 18, 24


def plaintext(*inside: ike.Part, version: int = 0x10) -> model.Plaintext:
    """What the keys would open of a body holding ``inside``: the payload chain after the header."""
    return model.Plaintext(inside[0][0], ike.message(ISPI, RSPI, V1_INFORMATIONAL, inside, version=version)[28:])


def v1_encrypted(*inside: ike.Part) -> Message:
    """An IKEv1 Informational with the E flag whose body, decrypted, holds ``inside``."""
    body = decode_bytes(ike.message(ISPI, RSPI, V1_INFORMATIONAL, [], flags=model.V1_FLAG_ENCRYPTION,
                                    message_id=7, encrypted=bytes(64), first_payload=inside[0][0]))
    body.open_with(plaintext(*inside))
    return body


def v2_encrypted(*inside: ike.Part) -> Message:
    """An IKEv2 IKE_AUTH response: a clear VID, then an SK payload whose contents are ``inside``."""
    wire = ike.message(ISPI, RSPI, V2_IKE_AUTH, [(43, b"clear vid"), (V2_SK, bytes(48))], version=0x20,
                       flags=model.V2_FLAG_RESPONSE, message_id=1, first_payload=inside[0][0])
    message = decode_bytes(wire)
    message.open_with(plaintext(*inside, version=0x20))
    return message


def test_v1_decrypted_notify_is_seen_by_notifications():
    message = v1_encrypted((V1_HASH, bytes(32)), (V1_NOTIFY, ike.notify_v1(INVALID_ID_INFORMATION)))
    assert message.chain == (V1_HASH,) and message.clear_chain == () and message.encrypted
    assert message.inner_chain == (V1_HASH, V1_NOTIFY)
    (notify,) = message.notifications()
    assert (notify.notify_name, notify.decrypted) == ("INVALID_ID_INFORMATION", True)
    assert [(p.type, p.decrypted) for p in message.payloads] == [(V1_HASH, False), (V1_HASH, True),
                                                                 (V1_NOTIFY, True)]
    assert isinstance(message.payloads[0], model.Encrypted)
    assert message.payloads_of(V1_HASH, 0) == (message.inner[0],)      # the Encrypted body is not a HASH
    assert message.carries(V1_NOTIFY, V2_NOTIFY) and message.vendor_ids() == ()


def test_v2_decrypted_notify_follows_the_sk_payload():
    message = v2_encrypted((V2_NOTIFY, ike.notify_v2(AUTHENTICATION_FAILED)), (43, b"inner vid"))
    assert message.chain == message.clear_chain == (43, V2_SK)
    assert [p.name for p in message.payloads] == ["VID", "SK", "Notify", "VID"]
    assert [p.decrypted for p in message.payloads] == [False, False, True, True]
    assert [n.notify_name for n in message.notifications()] == ["AUTHENTICATION_FAILED"]
    assert [v.data for v in message.vendor_ids()] == [b"clear vid", b"inner vid"]     # in wire order


def test_opening_after_a_question_is_seen_by_the_next():
    wire = ike.message(ISPI, RSPI, V2_IKE_AUTH, [(V2_SK, bytes(48))], version=0x20, flags=model.V2_FLAG_RESPONSE,
                       message_id=1, first_payload=V2_NOTIFY)
    message = decode_bytes(wire)
    assert message.notifications() == () and not message.carries(V1_NOTIFY, V2_NOTIFY)
    message.open_with(plaintext((V2_NOTIFY, ike.notify_v2(AUTHENTICATION_FAILED)), version=0x20))
    assert [n.notify_type for n in message.notifications()] == [AUTHENTICATION_FAILED]
    assert message.carries(V1_NOTIFY, V2_NOTIFY) and message.opened


def test_only_the_payloads_asked_for_are_decoded_and_all_are_marked():
    message = v2_encrypted((V2_NOTIFY, ike.notify_v2(AUTHENTICATION_FAILED)), (43, b"inner vid"))
    assert [n.decrypted for n in message.notifications()] == [True]
    assert model.INNER not in message.cache              # the VID inside was not decoded for that
    assert [p.decrypted for p in message.inner] == [True, True]


def test_what_is_wrong_inside_is_a_warning_marked_decrypted():
    message = v2_encrypted((V2_NOTIFY, b"\x00"))       # a notify body too short for its fixed part
    message.plaintext = replace(message.plaintext, notes=("an IV it could not check",))
    inside = [w for w in message.warnings if w.startswith("decrypted: ")]
    assert len(inside) == 2 and inside[-1] == "decrypted: an IV it could not check"


def test_payloads_another_engine_decrypted_are_seen_alike():
    clear = decode_bytes(ike.message(ISPI, RSPI, V2_IKE_AUTH, [(V2_NOTIFY, ike.notify_v2(AUTHENTICATION_FAILED))],
                                     version=0x20))
    theirs = tuple(replace(p, decrypted=True) for p in clear.payloads)
    wire = ike.message(ISPI, RSPI, V2_IKE_AUTH, [(V2_SK, bytes(48))], version=0x20, flags=model.V2_FLAG_RESPONSE,
                       message_id=1, first_payload=V2_NOTIFY)
    message = replace(decode_bytes(wire), given_inner=theirs)
    assert message.inner == theirs and message.inner_chain == (V2_NOTIFY,)
    assert [n.notify_type for n in message.notifications()] == [AUTHENTICATION_FAILED]
    copy = pickle.loads(pickle.dumps(message))
    assert copy.inner == theirs and copy.notifications() == message.notifications()


def test_message_with_decrypted_payloads_survives_pickling_unchanged():
    for message in (v1_encrypted((V1_HASH, bytes(32)), (V1_NOTIFY, ike.notify_v1(INVALID_ID_INFORMATION))),
                    v2_encrypted((V2_NOTIFY, ike.notify_v2(AUTHENTICATION_FAILED)))):
        copy = pickle.loads(pickle.dumps(message))
        assert copy == message
        assert (copy.payloads, copy.inner, copy.warnings) == (message.payloads, message.inner, message.warnings)
        assert copy.notifications() == message.notifications() and copy.notifications()[0].decrypted


def test_payloads_another_engine_gave_survive_pickling_unchanged():
    """An engine's own reading (``given``) is kept, not re-decoded from the bytes on arrival."""
    message = decode_bytes(ike.message(ISPI, RSPI, 2, [(V1_VID, b"abc")]))
    theirs = model.VendorID(V1_VID, "VID", 7, False, data=b"abc", vendor="as another engine named it")
    given = replace(message, given=((theirs,), ("what that engine warned about",)))
    copy = pickle.loads(pickle.dumps(given))
    assert copy.payloads == (theirs,) and copy.vendor_ids() == (theirs,)
    assert copy.warnings == ("what that engine warned about",)
    assert message.vendor_ids()[0].vendor != theirs.vendor


def test_ikev1_16384_is_connected_and_ikev2_16384_initial_contact():
    v1 = decode_bytes(ike.message(ISPI, RSPI, V1_INFORMATIONAL, [(V1_NOTIFY, ike.notify_v1(16384))]))
    v2 = decode_bytes(ike.message(ISPI, RSPI, 37, [(V2_NOTIFY, ike.notify_v2(16384))], version=0x20))
    assert [n.notify_name for n in v1.notifications()] == ["CONNECTED"]
    assert [n.notify_name for n in v2.notifications()] == ["INITIAL_CONTACT"]
    inner = v1_encrypted((V1_HASH, bytes(32)), (V1_NOTIFY, ike.notify_v1(16384)))
    assert [n.notify_name for n in inner.notifications()] == ["CONNECTED"]


def test_outputs_mark_decrypted_payloads_and_only_those():
    message = v2_encrypted((V2_NOTIFY, ike.notify_v2(AUTHENTICATION_FAILED)))
    record = json.loads(json.dumps(message_record(message)))
    assert ["decrypted" in p for p in record["payloads"]] == [False, False, True]
    assert record["payloads"][2]["decrypted"] is True and record["notify"][0]["type"] == AUTHENTICATION_FAILED
    assert message_line(message).endswith("SK(encrypted, 48B) [decrypted: N(AUTHENTICATION_FAILED)]")
    tree = "\n".join(message_tree(message))
    assert "payload 3: Notify (type 41, 8 bytes, decrypted)" in tree and "payload 2: SK (type 46, 52 bytes)" in tree
    assert "decrypted: True" not in tree and "decrypted: False" not in tree     # no field line of its own
    clear = message_record(decode_bytes(ike.message(ISPI, RSPI, 37, [(V2_NOTIFY, ike.notify_v2(16384))],
                                                    version=0x20)))
    assert "decrypted" not in json.dumps(clear)
