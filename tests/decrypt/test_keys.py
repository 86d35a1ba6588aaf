"""Key files: Wireshark tables, charon logs, pluto logs, directories; bad lines become warnings."""

from __future__ import annotations

from pathlib import Path

from conftest import CAPTURES, inside

from ikepcap.decode.message import decode_datagram
from ikepcap.decrypt import Inner
from ikepcap.decrypt.decrypt import decrypt
from ikepcap.decrypt.keys import KeySource, gather, read_key_file, read_keys
from ikepcap.read.capture import read_capture

V2_ROW = ('55d963d7135678a6,fa29fbb0507c1183,1eb2a3054fc25b6bac0433919a8b3333,e2d0ac664fbdca171484de3a31470f40,'
          '"AES-CBC-128 [RFC3602]",511d67104fb4d54e00e72c1997198f6b5fdec40ec188aa61cf804e27f091e626,'
          '2bd30d9607342da9e04759ba402e9ee1d466e23a9beda27ef98c784174eb1a07,"HMAC_SHA2_256_128 [RFC4868]"')


def test_the_lab_tables_read_without_a_warning():
    store = read_keys(sorted(CAPTURES.glob("*_decryption_table")))
    assert not store.warnings
    rows = {kind: sum(1 for table in CAPTURES.glob(f"*.{kind}_decryption_table")
                      for line in table.read_text().splitlines() if line.strip() and not line.startswith("#"))
            for kind in ("ikev1", "ikev2")}
    assert (len(store.v1), len(store.v2)) == (rows["ikev1"], rows["ikev2"]) and min(rows.values()) >= 10
    first = read_key_file(CAPTURES / "v2-healthy.ikev2_decryption_table").v2[0]
    assert first.ispi.hex() == "55d963d7135678a6" and first.encryption.name == "ENCR_AES_CBC-128"
    assert first.integrity.icv_bytes == 16 and len(first.sk_ai) == 32
    assert first.source == KeySource(str(CAPTURES / "v2-healthy.ikev2_decryption_table"), 1)


def test_a_truncated_table_warns_with_file_and_line(tmp_path):
    table = tmp_path / "x.ikev2_decryption_table"
    table.write_text("# saved by hand\n" + V2_ROW + "\n" + V2_ROW[:100] + "\n")
    store = read_keys([table])
    assert len(store.v2) == 1 and store.v2[0].source.line == 2
    assert store.warnings == (f"{table}:3: 5 field(s), an IKEv2 decryption table row has 8",)
    v1 = tmp_path / "y.ikev1_decryption_table"
    v1.write_text("d128a2fdbfdc4309,76698ff477ea41d4340c775c78dee4\nd128a2fdbfdc43,00\nzz,11\n")
    store = read_keys([v1])
    assert len(store.v1) == 1
    assert [w.split(": ", 1)[0] for w in store.warnings] == [f"{v1}:2", f"{v1}:3"]


def test_wrong_sizes_and_unknown_algorithms_are_named(tmp_path):
    table = tmp_path / "k.ikev2_decryption_table"
    table.write_text(V2_ROW.replace("1eb2a3054fc25b6bac0433919a8b3333", "1eb2") + "\n"
                     + V2_ROW.replace("AES-CBC-128 [RFC3602]", "CAMELLIA [RFC5529]") + "\n"
                     + V2_ROW.replace('"AES-CBC-128 [RFC3602]"', '"AES-GCM-128 with 16 octet ICV [RFC5282]"')
                     .replace("HMAC_SHA2_256_128 [RFC4868]", "NONE [RFC4306]") + "\n")
    store = read_keys([table])
    assert "SK_e has 2 bytes; ENCR_AES_CBC-128 needs 16" in store.warnings[0]
    assert "'CAMELLIA [RFC5529]' is not one ikepcap decrypts" in store.warnings[1]
    assert "SK_e has 16 bytes; ENCR_AES_GCM_16-128 needs 20" in store.warnings[2]


CHARON = """\
Nov 27 14:11:52 i charon: 05[MGR] checkin IKEv2 SA lab[1] with SPIs 55d963d7135678a6_i fa29fbb0507c1183_r
14:11:52.420 10[CFG] <lab|1> selected proposal: IKE:AES_CBC_128/HMAC_SHA2_256_128/PRF_HMAC_SHA2_256/MODP_2048
14:11:52.421 10[IKE] <lab|1> Sk_ai secret => 32 bytes @ 0x7f00
14:11:52.421 10[IKE] <lab|1>    0: 51 1D 67 10 4F B4 D5 4E 00 E7 2C 19 97 19 8F 6B  Q.g.O..N..,....k
14:11:52.421 10[IKE] <lab|1>   16: 5F DE C4 0E C1 88 AA 61 CF 80 4E 27 F0 91 E6 26  _......a..N'...&
14:11:52.421 10[IKE] <lab|1> Sk_ar secret => 32 bytes @ 0x7f20
14:11:52.421 10[IKE] <lab|1>    0: 2B D3 0D 96 07 34 2D A9 E0 47 59 BA 40 2E 9E E1  +....4-..GY.@...
14:11:52.421 10[IKE] <lab|1>   16: D4 66 E2 3A 9B ED A2 7E F9 8C 78 41 74 EB 1A 07  .f.:...~..xAt...
14:11:52.421 10[IKE] <lab|1> Sk_ei secret => 16 bytes @ 0x7f40
14:11:52.421 10[IKE] <lab|1>    0: 1E B2 A3 05 4F C2 5B 6B AC 04 33 91 9A 8B 33 33  ....O.[k..3..33
14:11:52.421 10[IKE] <lab|1> Sk_er secret => 16 bytes @ 0x7f50
14:11:52.421 10[IKE] <lab|1>    0: E2 D0 AC 66 4F BD CA 17 14 84 DE 3A 31 47 0F 40  ...fO......:1G.@
14:11:53.000 11[IKE] <lab|2> encryption key Ka => 16 bytes @ 0x7f60
14:11:53.000 11[IKE] <lab|2>    0: 76 69 8F F4 77 EA 41 D4 34 0C 77 5C 78 DE E4 24  vi..w.A.4.w\\x..$
14:11:54.000 12[IKE] <lab|3> encryption key Ka => 16 bytes @ 0x7f70
14:11:54.000 12[IKE] <lab|3>    0: 76 69 8F F4 77 EA 41 D4  vi..w.A.
"""


def test_a_charon_log_at_ike_level_4(tmp_path):
    log = tmp_path / "charon.log"
    log.write_text(CHARON)
    store = read_keys([log])
    table = read_key_file(CAPTURES / "v2-healthy.ikev2_decryption_table").v2[0]
    (v2,) = store.v2
    assert (v2.ispi, v2.rspi, v2.sk_ei, v2.sk_er, v2.sk_ai, v2.sk_ar, v2.encryption, v2.integrity) == \
        (table.ispi, table.rspi, table.sk_ei, table.sk_er, table.sk_ai, table.sk_ar, table.encryption, table.integrity)
    assert v2.source == KeySource(str(log), 9)
    (v1,) = store.v1                                 # no checkin line: the cookie is unknown, tried on each SA
    assert v1.icookie is None and v1.encryption_key.hex() == "76698ff477ea41d4340c775c78dee424"
    assert store.warnings == (f"{log}:15: Ka announces 16 bytes, its dump holds 8",)


FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def test_a_pluto_log_without_debug_lines_says_why_it_cannot_decrypt():
    store = read_keys([CAPTURES / "sw-lsw-v1-mm-healthy.responder.log"])
    assert not store
    assert store.warnings[0].endswith("a Libreswan pluto log without key lines: pluto prints an IKEv2 SA's keys "
                                      "(\"| ikev2 I 0x...\") only with plutodebug including \"private\", and this log "
                                      "has no debug lines")


def test_the_key_lines_of_a_libreswan_4_10_log_with_plutodebug_private():
    """An excerpt of a real pluto log (Libreswan 4.10, lab, IKEv2 responder to a strongSwan
    initiator): the keys pluto prints once the SA is established are the ones charon printed
    for the same SA at ike level 4 (its Sk_ei / Sk_er / Sk_ai / Sk_ar dumps, copied here)."""
    store = read_keys([FIXTURES / "pluto-4.10-ikev2-private.log"])
    assert not store.warnings and not store.v1
    (v2,) = store.v2
    assert (v2.ispi.hex(), v2.rspi.hex()) == ("bc79b946412a65f0", "010462604a8f0d59")
    assert (v2.sk_ei.hex(), v2.sk_er.hex()) == ("3c4a91abce25360c15e92c97c8c3eb5e", "1b0766b2a04acc1427f8c0d812dc9c01")
    assert (v2.sk_ai.hex(), v2.sk_ar.hex()) == (
        "f0584987fa1570f5ce4c9a0a1acd4596325b054f71469d99e2a23e60b5d9d85b",
        "64154a6a5272e568c0b9505647c15bfa901a8eee75af003f9a2e970d65cbf5cb")
    assert (v2.encryption.name, v2.integrity.name) == ("ENCR_AES_CBC-128", "AUTH_HMAC_SHA2_256_128")
    assert v2.source.line == 9


def test_the_lab_pluto_log_decrypts_its_capture_alone():
    """The Libreswan responder's log beside sw-lsw-v2-healthy (plutodebug=private, trimmed by the
    lab) gives the keys of the charon-made table and opens the IKE_AUTH exchange by itself."""
    log = CAPTURES / "sw-lsw-v2-healthy.responder.log"
    store = read_keys([log])
    table = read_key_file(CAPTURES / "sw-lsw-v2-healthy.ikev2_decryption_table").v2[0]
    (v2,) = store.v2
    assert not store.warnings
    assert (v2.ispi, v2.rspi, v2.sk_ei, v2.sk_er, v2.sk_ai, v2.sk_ar, v2.encryption, v2.integrity) == \
        (table.ispi, table.rspi, table.sk_ei, table.sk_er, table.sk_ai, table.sk_ar, table.encryption, table.integrity)
    found: list = []
    read_capture(str(CAPTURES / "sw-lsw-v2-healthy.pcap"), lambda datagram: found.append(decode_datagram(datagram)))
    result = decrypt([m for m in found if m], store)
    opened = [result.of(m) for m in found if m and m.encrypted]
    assert len(opened) == 2 and all(isinstance(inner, Inner) for inner in opened)
    assert [(use.source.file, use.decrypted) for use in result.uses] == [(str(log), 2)]


def test_a_libreswan_aes_gcm_line_lacks_the_salt():
    """pluto 4.10 prints an AES-GCM-16-256 SA as 'none: aes_gcm_16256:0x<32 bytes>': the key
    without the 4-byte salt RFC 5282 appends, so the SA cannot be decrypted."""
    store = read_keys([FIXTURES / "pluto-4.10-ikev2-aes-gcm-private.log"])
    assert not store
    assert [w.split(": ", 1)[1] for w in store.warnings] == [
        "ENCR_AES_GCM_16-256 needs the 4-byte salt that follows SK_e, and these lines leave it out"]


def test_a_libreswan_ikev1_log_names_its_keys_but_never_prints_them():
    """IKEv1 with plutodebug="crypt private": NSS references (skeyid-key@0x...), no key bytes."""
    store = read_keys([FIXTURES / "pluto-4.10-ikev1-crypt-private.log"])
    assert not store
    assert "pluto never prints an IKEv1 SA's keys" in store.warnings[0]


def test_a_libreswan_ikev2_sa_that_failed_authentication_has_no_key_lines():
    store = read_keys([FIXTURES / "pluto-4.10-ikev2-auth-failed-private.log"])
    assert not store
    assert "no IKEv2 SA in it was established" in store.warnings[0]


TCPDUMP = """\
| ikev1 I 0x3333333333333333 0x4444444444444444 sha1:0x aes128:0x
| ikev1 R 0x3333333333333333 0x4444444444444444 sha1:0x aes128:0x
| ikev2 I 0x5555555555555555 0x6666666666666666 sha1:0x{key} aes128:0x{key}
""".format(key="00" * 16)


def test_tcpdump_lines_that_cannot_give_a_key_are_named(tmp_path):
    log = tmp_path / "esp-secrets"
    log.write_text(TCPDUMP)
    store = read_keys([log])
    assert not store
    assert [w.split(": ", 1)[1] for w in store.warnings] == [
        ("an IKEv1 SA: ikepcap reads only IKEv2 keys from these lines (Libreswan 4.10 writes no IKEv1 line; "
         "its IKEv1 keys stay in NSS)"),
        "only the I line of SA 5555555555555555/6666666666666666: both directions are needed"]


def test_a_directory_reads_its_key_files_and_passes_over_the_rest(tmp_path):
    (tmp_path / "a.ikev2_decryption_table").write_text(V2_ROW + "\n")
    (tmp_path / "notes.txt").write_text("nothing to see\n")
    store = read_keys([tmp_path])
    assert len(store.v2) == 1 and not store.warnings
    empty = tmp_path / "empty"
    empty.mkdir()
    assert read_keys([empty]).warnings == (f"{empty}: no key table or key log in this directory",)
    assert "cannot read" in read_keys([tmp_path / "missing.ikev1_decryption_table"]).warnings[0]


def test_a_third_party_charon_journal_without_tags_or_offsets(corpus):
    """strongSwan 5.5.1 through journalctl (RUB-NDS): no <conn|id> tags, dumps without offsets,
    no SPIs. The responder's key opens its PAYLOAD_MALFORMED notifies and not the initiator's MM5:
    the two sides derived their keys from different pre-shared keys."""
    from test_captures import messages

    from ikepcap.decrypt import Failed, Inner
    from ikepcap.decrypt.decrypt import decrypt

    base = corpus / "rub-nds-ikev1-psk"
    store = read_keys([base / "logs" / "ikev1-psk-main-mode-incomplete-responder-view-journalctl-filtered.log"])
    (key,) = store.v1
    assert key.icookie is None and key.encryption_key.hex() == "c6214f5fea3e72a2a67f23193e9da807"
    found = messages(base / "ikev1-psk-main-mode-incomplete.pcapng")
    result = decrypt(found, store)
    opened = {m.frame: result.of(m) for m in found if result.of(m)}
    assert [type(opened[f]) for f in (5, 6, 7, 8)] == [Failed, Inner, Failed, Inner]
    assert [p.notify_name for p in inside(opened[6], 1, 5)[1:]] == ["PAYLOAD_MALFORMED"]


def test_gather_reads_named_files_and_the_tables_beside_each_capture_once():
    pcap = CAPTURES / "v1-concentrator-many-sas.pcap"
    store = gather([CAPTURES / "v2-healthy.ikev2_decryption_table", pcap.with_suffix(".ikev1_decryption_table")],
                   [pcap, CAPTURES / "v2-no-proposal-chosen.pcap"])
    assert (len(store.v1), len(store.v2)) == (17, 5) and not store.warnings
