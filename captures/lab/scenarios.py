"""The lab's scenarios: who runs what, what the router does, what happens when.

Each Scenario names the daemons on both ends (built by the helpers in lab.py),
the router's nftables ruleset, a script (the timeline after both daemons are
up) and which router interface's capture becomes which file in captures/:
"m-left" is the router port facing the initiator, "m-right" the one facing the
responder.  Where nothing is dropped both files hold the same packets and the
m-left one is kept as the "middle" view.

Timers (lab.RETRANSMIT): strongSwan copies at 0, 1.0, 2.5, 4.75, 8.1 s and
gives up at about 13 s; Libreswan retransmits after 0.5, 1, 2, 4, 8 s and
gives up after 15 s.

A scenario can also ask for IPv6 (ipv6=True: the V6 addresses on the same
topology, IPv6 in the capture filter) and for more initiator addresses
(initiator_addrs, the concentrator).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from lab import (
    I_ADDR,
    I_HOST,
    NFT_NAT,
    PSK,
    R_ADDR,
    R_HOST,
    R_NET,
    V4,
    V6,
    WRONG_PSK,
    Charon,
    Pluto,
    install_certs,
    lsw_conn,
    nft_drop,
    sw_conn,
    sw_conn_entry,
    sw_secret_entry,
    sw_secrets,
)

GIVE_UP = 15.0  # long enough for strongSwan's 5 copies and its give-up


def sw(role: str, *, psk: str = PSK, secret_ids: tuple[str, ...] | None = None,
       certs: bool = False, libipsec: bool = False, settings: str = "", **conn):
    """Factory for a strongSwan daemon with a swanctl connection 'lab'."""
    def make(dir):
        addrs = conn.get("addrs", V4)
        if certs:
            secrets = ""
            conn.setdefault("auth", "pubkey")
        else:
            secrets = sw_secrets(psk, secret_ids or (addrs.i, addrs.r))
        c = Charon(role, dir, sw_conn(role, **conn), secrets, libipsec=libipsec,
                   extra_settings=settings)
        if certs:
            install_certs(c, role)
        return c
    return make


def lsw(role: str, *, psk: str = PSK, debug: str = "none", secret_ids: tuple[str, ...] | None = None,
        **conn):
    """Factory for a Libreswan pluto with an ipsec.conf connection 'lab'; debug: its
    plutodebug ("private" logs an established IKEv2 SA's keys, see README).  The PSK line's IDs:
    secret_ids, by default both addresses and a remote_id other than the peer's address (so the
    PSKs stay equal)."""
    def make(dir):
        me, peer = (I_ADDR, R_ADDR) if role == "i" else (R_ADDR, I_ADDR)
        ids = " ".join(secret_ids or dict.fromkeys((me, peer, conn.get("remote_id") or peer)))
        return Pluto(role, dir, lsw_conn(role, **conn), f'{ids} : PSK "{psk}"\n', debug=debug)
    return make


@dataclass
class Scenario:
    id: str
    title: str
    make_initiator: Callable
    make_responder: Callable
    script: Callable
    captures: dict = field(default_factory=dict)  # iface -> (capture name, capture point)
    router: str = ""  # nftables ruleset for the router
    ipv6: bool = False  # add the IPv6 (V6) addresses; capture IPv6 too
    initiator_addrs: tuple = ()  # more IPv4 addresses on the initiator's i-eth0
    log_lines: int = 400  # limit of each trimmed log beside the capture


# ---- scripts ---------------------------------------------------------------

def establish(child: str | None = "net", wait: float = 3.0):
    def script(lab):
        lab.i.initiate(child=child)
        lab.sleep(wait)
    return script


def until_give_up(child: str | None = "net", wait: float = GIVE_UP):
    return establish(child, wait)


def lsw_until_give_up(lab):
    lab.i.initiate()
    lab.sleep(GIVE_UP)


def ping_through_tunnel(lab):
    """NAT-T with kernel-libipsec: real ESP-in-UDP through the NAT."""
    lab.i.initiate()
    lab.sleep(3.0)
    lab.run_in("i", "ping", "-c", "3", "-i", "0.5", "-W", "1", "-I", I_HOST, R_HOST)
    lab.sleep(1.0)


def dpd_dead_peer(lab):
    """Tunnel up, DPD answered twice, then the router drops everything."""
    lab.i.initiate()
    lab.sleep(5.0)
    lab.nft(nft_drop(f"ip saddr {{ {I_ADDR}, {R_ADDR} }}", table="lab_dead"))
    lab.sleep(13.0)


def teardown_with_delete(lab):
    lab.i.initiate()
    lab.sleep(3.0)
    lab.i.terminate_ike()
    lab.sleep(1.5)


# ---- firewall rules --------------------------------------------------------

DROP_RETURN_500 = nft_drop(f"ip saddr {R_ADDR} ip daddr {I_ADDR} udp sport 500")
DROP_4500 = nft_drop("udp dport 4500") + nft_drop("udp sport 4500", table="lab_fw2")
# before conntrack's defragmentation (priority -400): drop every fragment,
# first fragments (MF set) and later ones (offset != 0) alike
DROP_FRAGMENTS = nft_drop("ip frag-off & 0x3fff != 0", hook="prerouting", prio=-450)

# ---- the concentrator ------------------------------------------------------
# One strongSwan responder (198.51.100.10) with a connection per branch site;
# 24 sites share the initiator namespace, each with its own address
# 192.0.2.<n>, its own charon connection "site<n>" (child "site<n>-net",
# protected 203.0.113.<n>/32 <-> 203.0.113.64/26) and its own PSK entry.
# They are started one after the other, 10 ms apart, in this order (their
# negotiations overlap).
# Faults: "psk" = the responder holds another PSK for the site; "p1" = the
# site offers only aes256-sha384-modp3072; "drop500" = the router drops the
# site's UDP 500 towards the responder.
SITES: dict[int, tuple[int, str | None]] = {
    11: (1, None), 12: (1, None), 13: (2, None), 14: (1, None), 15: (1, "psk"), 16: (1, None),
    17: (1, "p1"), 18: (1, None), 19: (1, None), 20: (1, "drop500"), 21: (2, None),
    22: (1, None), 23: (1, None), 24: (2, "psk"), 25: (1, None), 26: (1, "psk"),
    27: (1, None), 28: (1, "p1"), 29: (2, None), 30: (1, None), 31: (1, None),
    32: (1, None), 33: (1, None), 34: (1, None),
}
SITE_ADDRS = tuple(f"192.0.2.{n}" for n in SITES)
P1_MISMATCH = "aes256-sha384-modp3072"  # the responder's connections keep the default


def concentrator_conf(role: str) -> tuple[str, str]:
    """swanctl.conf connections and secrets for every site, initiator or responder.

    Each PSK entry is owned by the site's address only.  With the responder's
    own address in every entry too, its IKEv2 side verifies a site's AUTH
    against every key owned by either ID ("tried 24 shared keys") and accepts
    the wrong site's key: the mismatch then only surfaces at the initiator."""
    conns, secrets = [], []
    for n, (version, fault) in SITES.items():
        site, site_net = f"192.0.2.{n}", f"203.0.113.{n}/32"
        kw = dict(name=f"site{n}", child=f"site{n}-net", version=version)
        if role == "i":
            conns.append(sw_conn_entry("i", me=site, peer=R_ADDR, mynet=site_net, peernet=R_NET,
                                       **kw, **({"proposals": P1_MISMATCH} if fault == "p1" else {})))
            secrets.append(sw_secret_entry(f"ike-site{n}", PSK, (site,)))
        else:
            conns.append(sw_conn_entry("r", me=R_ADDR, peer=site, mynet=R_NET, peernet=site_net,
                                       **kw))
            secrets.append(sw_secret_entry(f"ike-site{n}", WRONG_PSK if fault == "psk" else PSK,
                                           (site,)))
    return ("connections {\n" + "".join(conns) + "}\n", "secrets {\n" + "".join(secrets) + "}\n")


def concentrator_daemon(role: str):
    def make(dir):
        return Charon(role, dir, *concentrator_conf(role))
    return make


def concentrator(lab):
    """Every site initiates (IKE SA and child), 10 ms apart; then wait for the failures."""
    for n in SITES:
        lab.i.initiate(child=f"site{n}-net", ike=f"site{n}", detach=True)
        lab.sleep(0.01)
    lab.sleep(GIVE_UP)


# MM3 (and anything later) towards the responder: initiator -> responder on UDP 500 with a
# non-zero responder cookie (the 8 bytes after the UDP header's 8 and the initiator cookie's 8);
# MM1 (responder cookie zero) passes.  Dropped in the forward hook, i.e. before the router's
# responder-side port, where tcpdump never sees it.
DROP_MM3 = nft_drop(f"ip daddr {R_ADDR} udp dport 500 @th,128,64 != 0")
# an identity the responder expects instead of the initiator's address (also in the PSK entry)
OTHER_ID = "192.0.2.99"

DROP_SITE20_500 = nft_drop("ip saddr 192.0.2.20 udp dport 500")


def middle(name: str) -> dict:
    return {"m-left": (name, "middle")}


# a traffic selector the initiator never proposes (disjoint from 203.0.113.0/26)
OTHER_NET = "203.0.113.128/26"

SCENARIOS: list[Scenario] = [
    Scenario(
        "v1-mm-healthy", "IKEv1 Main Mode + Quick Mode, PSK, both sides strongSwan",
        sw("i"), sw("r"), establish(), middle("v1-mm-healthy")),
    Scenario(
        "v1-mm-no-psk-for-peer",
        "responder has a %any connection but no PSK for the initiator's address",
        sw("i"), sw("r", remote_addrs="%any", remote_id="%any", secret_ids=("192.0.2.99",)),
        establish(wait=4.0), middle("v1-mm-no-psk-for-peer")),
    Scenario(
        "v1-mm-peer-not-configured",
        "responder is configured for another peer address (192.0.2.99)",
        sw("i"), sw("r", remote_addrs="192.0.2.99", remote_id="192.0.2.99",
                    secret_ids=("192.0.2.99", R_ADDR)),
        establish(wait=4.0), middle("v1-mm-peer-not-configured")),
    Scenario(
        "v1-mm-psk-mismatch", "IKEv1 Main Mode with different PSKs (strongSwan both sides)",
        sw("i"), sw("r", psk=WRONG_PSK), until_give_up(), middle("v1-mm-psk-mismatch")),
    Scenario(
        "v1-mm-p1-proposal-mismatch", "no common IKE proposal (AES-256/SHA-384 vs AES-128/SHA-1)",
        sw("i", proposals="aes256-sha384-modp3072"), sw("r", proposals="aes128-sha1-modp2048"),
        establish(wait=4.0), middle("v1-mm-p1-proposal-mismatch")),
    Scenario(
        "v1-mm-return-path-blocked",
        "router drops UDP 500 from the responder to the initiator; both router ports captured",
        sw("i"), sw("r"), until_give_up(),
        {"m-left": ("v1-mm-return-path-blocked-initiator-side", "initiator-side"),
         "m-right": ("v1-mm-return-path-blocked-responder-side", "responder-side")},
        router=DROP_RETURN_500),
    Scenario(
        "v1-mm-udp4500-blocked",
        "initiator behind the router's NAT; NAT-T floats to 4500, which the router drops",
        sw("i"), sw("r", remote_addrs="%any"), until_give_up(),
        {"m-left": ("v1-mm-udp4500-blocked", "initiator-side")},
        router=NFT_NAT + DROP_4500),
    Scenario(
        "v1-mm-udp4500-blocked-rs",
        "as v1-mm-udp4500-blocked, recorded on the router's responder-side port: MM5 never gets there",
        sw("i"), sw("r", remote_addrs="%any"), until_give_up(),
        {"m-right": ("v1-mm-udp4500-blocked-responder-side", "responder-side")},
        router=NFT_NAT + DROP_4500),
    Scenario(
        "v2-auth-udp4500-blocked",
        "IKEv2, initiator behind the router's NAT; IKE_AUTH floats to 4500, which the router drops; "
        "both router ports",
        sw("i", version=2), sw("r", version=2, remote_addrs="%any"), until_give_up(),
        {"m-left": ("v2-auth-udp4500-blocked-initiator-side", "initiator-side"),
         "m-right": ("v2-auth-udp4500-blocked-responder-side", "responder-side")},
        router=NFT_NAT + DROP_4500),
    Scenario(
        "v1-mm-cert-ip-fragments-dropped",
        "RSA-4096 certificates, no IKE fragmentation: MM5 is IP-fragmented and the router drops fragments",
        sw("i", certs=True, fragmentation="no"), sw("r", certs=True, fragmentation="no"),
        until_give_up(), {"m-left": ("v1-mm-cert-ip-fragments-dropped", "initiator-side")},
        router=DROP_FRAGMENTS),
    Scenario(
        "v1-qm-ts-mismatch", "Main Mode fine; Quick Mode proxy IDs do not match",
        sw("i"), sw("r", remote_ts=OTHER_NET), establish(wait=4.0), middle("v1-qm-ts-mismatch")),
    Scenario(
        "v1-qm-proposal-mismatch", "Main Mode fine; Quick Mode ESP transforms do not match",
        sw("i", esp="aes128-sha256"), sw("r", esp="aes256-sha512"), establish(wait=4.0),
        middle("v1-qm-proposal-mismatch")),
    Scenario(
        "v1-am-healthy", "IKEv1 Aggressive Mode + Quick Mode, PSK",
        sw("i", aggressive=True), sw("r", aggressive=True), establish(), middle("v1-am-healthy")),
    Scenario(
        "v1-am-psk-mismatch", "IKEv1 Aggressive Mode with different PSKs",
        sw("i", aggressive=True), sw("r", aggressive=True, psk=WRONG_PSK), until_give_up(),
        middle("v1-am-psk-mismatch")),
    Scenario(
        "v1-mm-nat-t",
        "initiator behind the router's NAT; kernel-libipsec on both ends, real ESP-in-UDP",
        sw("i", libipsec=True), sw("r", libipsec=True, remote_addrs="%any"), ping_through_tunnel,
        {"m-right": ("v1-mm-nat-t", "responder-side")}, router=NFT_NAT),
    Scenario(
        "v2-healthy", "IKEv2 IKE_SA_INIT + IKE_AUTH with a CHILD_SA, PSK",
        sw("i", version=2), sw("r", version=2), establish(), middle("v2-healthy")),
    Scenario(
        "v2-auth-failed", "IKEv2 with different PSKs",
        sw("i", version=2), sw("r", version=2, psk=WRONG_PSK), establish(wait=4.0),
        middle("v2-auth-failed")),
    Scenario(
        "v2-no-proposal-chosen", "IKEv2 IKE proposals do not match",
        sw("i", version=2, proposals="aes256-sha384-ecp384"),
        sw("r", version=2, proposals="aes128-sha256-modp2048"), establish(wait=4.0),
        middle("v2-no-proposal-chosen")),
    Scenario(
        "v2-ts-unacceptable", "IKEv2 traffic selectors do not match",
        sw("i", version=2), sw("r", version=2, remote_ts=OTHER_NET), establish(wait=4.0),
        middle("v2-ts-unacceptable")),
    Scenario(
        "v2-invalid-ke-retry",
        "initiator's first KE is MODP-2048, responder only takes ECP-256: INVALID_KE_PAYLOAD, retry",
        sw("i", version=2, proposals="aes128-sha256-modp2048-ecp256"),
        sw("r", version=2, proposals="aes128-sha256-ecp256"), establish(),
        middle("v2-invalid-ke-retry")),
    Scenario(
        "v1-dpd-dead-peer",
        "tunnel up with DPD (2 s); then the router drops everything: R-U-THERE unanswered",
        sw("i", dpd="dpd_delay = 2s\n    dpd_timeout = 10s"), sw("r"), dpd_dead_peer,
        middle("v1-dpd-dead-peer")),
    Scenario(
        "v1-mm-delete", "tunnel up, then the initiator terminates it (Delete payloads)",
        sw("i"), sw("r"), teardown_with_delete, middle("v1-mm-delete")),
    Scenario(
        "sw-lsw-v1-mm-healthy", "strongSwan initiator, Libreswan responder: Main Mode only",
        sw("i"), lsw("r"), establish(child=None), middle("sw-lsw-v1-mm-healthy")),
    Scenario(
        "sw-lsw-v1-mm-psk-mismatch",
        "strongSwan initiator, Libreswan responder, different PSKs",
        sw("i"), lsw("r", psk=WRONG_PSK), until_give_up(child=None),
        middle("sw-lsw-v1-mm-psk-mismatch")),
    Scenario(
        "v1-mm-healthy-ipv6", "IKEv1 Main Mode + Quick Mode, PSK, over IPv6 (2001:db8::/32)",
        sw("i", addrs=V6), sw("r", addrs=V6), establish(), middle("v1-mm-healthy-ipv6"),
        ipv6=True),
    Scenario(
        "v2-healthy-ipv6", "IKEv2 IKE_SA_INIT + IKE_AUTH with a CHILD_SA, PSK, over IPv6",
        sw("i", version=2, addrs=V6), sw("r", version=2, addrs=V6), establish(),
        middle("v2-healthy-ipv6"), ipv6=True),
    Scenario(
        "v1-concentrator-many-sas",
        "one responder, 24 sites (IKEv1 MM and IKEv2) at once; 2 PSK mismatches, "
        "2 proposal mismatches, 1 IKEv2 PSK mismatch, 1 site's UDP 500 dropped by the router",
        concentrator_daemon("i"), concentrator_daemon("r"), concentrator,
        {"m-left": ("v1-concentrator-many-sas", "initiator-side")}, router=DROP_SITE20_500,
        initiator_addrs=SITE_ADDRS, log_lines=4000),
    Scenario(
        "sw-lsw-v1-mm-p1-proposal-mismatch",
        "strongSwan initiator, Libreswan responder: no common IKE proposal "
        "(AES-256/SHA-384/MODP-3072 vs AES-128/SHA-256/MODP-2048)",
        sw("i", proposals="aes256-sha384-modp3072"), lsw("r"), establish(child=None, wait=4.0),
        middle("sw-lsw-v1-mm-p1-proposal-mismatch")),
    Scenario(
        "v1-mm-id-refused",
        f"equal PSKs, but the responder expects the identity {OTHER_ID} (strongSwan both sides)",
        sw("i"), sw("r", remote_id=OTHER_ID, secret_ids=(I_ADDR, R_ADDR, OTHER_ID)),
        until_give_up(), middle("v1-mm-id-refused")),
    Scenario(
        "sw-lsw-v1-mm-id-refused",
        f"strongSwan initiator, Libreswan responder: equal PSKs, the responder expects {OTHER_ID}",
        sw("i"), lsw("r", remote_id=OTHER_ID), until_give_up(child=None),
        middle("sw-lsw-v1-mm-id-refused")),
    Scenario(
        "v1-mm-mm3-lost",
        "the router drops MM3 towards the responder (strongSwan both sides); both router ports",
        sw("i"), sw("r"), until_give_up(),
        {"m-left": ("v1-mm-mm3-lost-initiator-side", "initiator-side"),
         "m-right": ("v1-mm-mm3-lost-responder-side", "responder-side")},
        router=DROP_MM3),
    Scenario(
        "sw-lsw-v1-mm-mm3-lost",
        "strongSwan initiator, Libreswan responder: the router drops MM3 towards the responder",
        sw("i"), lsw("r"), until_give_up(child=None),
        {"m-left": ("sw-lsw-v1-mm-mm3-lost-initiator-side", "initiator-side"),
         "m-right": ("sw-lsw-v1-mm-mm3-lost-responder-side", "responder-side")},
        router=DROP_MM3),
    Scenario(
        "sw-lsw-v1-mm-return-path-blocked",
        "strongSwan initiator, Libreswan responder: the router drops UDP 500 from the responder; both ports",
        sw("i"), lsw("r"), until_give_up(child=None),
        {"m-left": ("sw-lsw-v1-mm-return-path-blocked-initiator-side", "initiator-side"),
         "m-right": ("sw-lsw-v1-mm-return-path-blocked-responder-side", "responder-side")},
        router=DROP_RETURN_500),
    Scenario(
        "sw-lsw-v1-mm-udp4500-blocked",
        "strongSwan initiator behind the router's NAT, Libreswan responder: the router drops UDP 4500; "
        "both ports",
        sw("i"), lsw("r", remote_addr="%any"), until_give_up(child=None),
        {"m-left": ("sw-lsw-v1-mm-udp4500-blocked-initiator-side", "initiator-side"),
         "m-right": ("sw-lsw-v1-mm-udp4500-blocked-responder-side", "responder-side")},
        router=NFT_NAT + DROP_4500),
    Scenario(
        "sw-lsw-v1-am-psk-mismatch",
        "strongSwan initiator, Libreswan responder: IKEv1 Aggressive Mode with different PSKs",
        sw("i", aggressive=True), lsw("r", aggressive=True, psk=WRONG_PSK), until_give_up(child=None),
        middle("sw-lsw-v1-am-psk-mismatch")),
    Scenario(
        "sw-lsw-v2-auth-failed", "strongSwan initiator, Libreswan responder: IKEv2 with different PSKs",
        sw("i", version=2), lsw("r", version=2, psk=WRONG_PSK, debug="private"), establish(wait=4.0),
        middle("sw-lsw-v2-auth-failed")),
    Scenario(
        "sw-lsw-v2-no-proposal-chosen",
        "strongSwan initiator, Libreswan responder: IKEv2 IKE proposals do not match "
        "(AES-256/SHA-384/ECP-384 vs AES-128/SHA-256/MODP-2048)",
        sw("i", version=2, proposals="aes256-sha384-ecp384"), lsw("r", version=2), establish(wait=4.0),
        middle("sw-lsw-v2-no-proposal-chosen")),
    Scenario(
        "sw-lsw-v2-ts-unacceptable",
        "strongSwan initiator, Libreswan responder: IKEv2 traffic selectors do not match",
        sw("i", version=2), lsw("r", version=2, remote_net=OTHER_NET, debug="private"), establish(wait=4.0),
        middle("sw-lsw-v2-ts-unacceptable")),
    Scenario(
        "sw-lsw-v1-mm-peer-not-configured",
        f"strongSwan initiator, Libreswan responder configured for another peer ({OTHER_ID})",
        sw("i"), lsw("r", remote_addr=OTHER_ID), until_give_up(child=None),
        middle("sw-lsw-v1-mm-peer-not-configured")),
    Scenario(
        "sw-lsw-v1-mm-no-psk-for-peer",
        f"strongSwan initiator, Libreswan responder: right=%any, a PSK only for {OTHER_ID}",
        sw("i"), lsw("r", remote_addr="%any", secret_ids=(R_ADDR, OTHER_ID)),
        until_give_up(child=None), middle("sw-lsw-v1-mm-no-psk-for-peer")),
    Scenario(
        "sw-lsw-v2-healthy",
        "strongSwan initiator, Libreswan responder: IKEv2, childless IKE SA (no CHILD_SA: Libreswan "
        "cannot install one in this kernel); pluto logs the SA's keys (plutodebug=private)",
        sw("i", version=2, childless="force"), lsw("r", version=2, debug="private"),
        establish(child=None), middle("sw-lsw-v2-healthy")),
]
