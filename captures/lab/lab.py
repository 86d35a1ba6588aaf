#!/usr/bin/env python3
"""ikepcap lab: real IKE daemons in network namespaces, captured in the middle.

Run through run.sh (which installs the packages and builds the fake kernel
plugin), as root:

    captures/lab/run.sh                 # every scenario
    captures/lab/run.sh v2-auth-failed  # one or more scenarios by id
    captures/lab/run.sh --list

Topology (all addresses are documentation ranges; nothing leaves the
namespaces):

    ikelab-i (initiator)         ikelab-m (router/firewall/NAT)        ikelab-r (responder)
    lo 203.0.113.10/32           m-left 192.0.2.1                      lo 203.0.113.74/32
    i-eth0 192.0.2.10 ---------- m-left     m-right ------------------ r-eth0 198.51.100.10
                                             198.51.100.1

IPv6 scenarios add 2001:db8::/32 addresses to the same topology (see V6);
the concentrator scenario adds more addresses to i-eth0.

tcpdump runs in ikelab-m on m-left and m-right (span-port view of each side);
a scenario says which of the two files become captures/<name>.pcap.

The scenario table lives in scenarios.py; this file only knows how to build
the network, start/stop the daemons and collect captures, logs and keys.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from contextlib import nullcontext
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
CAPTURES = HERE.parent
WORK = Path(os.environ.get("IKELAB_WORK", "/var/tmp/ikelab"))
RUN = WORK / "run"  # per-scenario scratch (configs, full logs, raw pcaps)
PKI = WORK / "pki"  # certificates, generated once and reused
LSW_ROOT = WORK / "libreswan"  # libreswan .deb unpacked here by run.sh
FAKE_KERNEL = WORK / "lab_fake_kernel.so"  # built by run.sh

CHARON = "/usr/lib/ipsec/charon"
PLUTO = LSW_ROOT / "usr/libexec/ipsec/pluto"
WHACK = LSW_ROOT / "usr/libexec/ipsec/whack"
ADDCONN = LSW_ROOT / "usr/libexec/ipsec/addconn"

NS = {"i": "ikelab-i", "r": "ikelab-r", "m": "ikelab-m"}

# addresses (see the diagram above)
I_ADDR, R_ADDR = "192.0.2.10", "198.51.100.10"
M_LEFT, M_RIGHT = "192.0.2.1", "198.51.100.1"
I_NET, R_NET = "203.0.113.0/26", "203.0.113.64/26"
I_HOST, R_HOST = "203.0.113.10", "203.0.113.74"


@dataclass(frozen=True)
class Addrs:
    """One address family's view of the topology (the diagram above)."""
    i: str  # initiator, on i-eth0
    r: str  # responder, on r-eth0
    m_left: str
    m_right: str
    prefix: int  # of both links
    i_net: str  # protected subnets
    r_net: str
    i_host: str  # a host in each, on lo
    r_host: str


V4 = Addrs(I_ADDR, R_ADDR, M_LEFT, M_RIGHT, 24, I_NET, R_NET, I_HOST, R_HOST)
# IPv6 (scenarios with ipv6=True): documentation prefix 2001:db8::/32 only;
# the links mirror the IPv4 ones (…:2:: ~ 192.0.2.0, …:51:100:: ~ 198.51.100.0)
V6 = Addrs("2001:db8:2::10", "2001:db8:51:100::10", "2001:db8:2::1", "2001:db8:51:100::1", 64,
           "2001:db8:113::/64", "2001:db8:113:64::/64", "2001:db8:113::10", "2001:db8:113:64::74")

PSK = "lab-psk-correct-horse"  # the lab's own PSK; appears in configs only
WRONG_PSK = "lab-psk-wrong-battery"

# short timers: copies at 0, 1.0, 2.5, 4.75, 8.1 s, give up at about 13 s
RETRANSMIT = {"retransmit_tries": 4, "retransmit_timeout": 1.0, "retransmit_base": 1.5}

# strongSwan plugins: lab-fake-kernel first so it wins the kernel-ipsec slot
SW_PLUGINS = ("kernel-netlink socket-default vici nonce random openssl pem pkcs1 "
              "pkcs8 x509 pubkey constraints revocation hmac sha1 sha2 aes gmp "
              "curve25519 kdf")


def log(msg: str) -> None:
    print(f"[lab {time.strftime('%H:%M:%S')}] {msg}", flush=True)


def sh(*cmd, ns: str | None = None, check: bool = True, quiet: bool = False,
       env: dict | None = None, capture: bool = False) -> subprocess.CompletedProcess:
    """Run a command (in namespace ns) and wait for it."""
    argv = [str(c) for c in cmd]
    if ns:
        argv = ["ip", "netns", "exec", ns] + argv
    res = subprocess.run(argv, env=env, text=True,
                         stdout=subprocess.PIPE if (capture or quiet) else None,
                         stderr=subprocess.PIPE if quiet else None)
    if check and res.returncode != 0:
        raise RuntimeError(f"command failed ({res.returncode}): {' '.join(argv)}\n"
                           f"{res.stderr or ''}")
    return res


# --------------------------------------------------------------------------
# network


def teardown() -> None:
    """Kill everything a lab run may have left and delete the namespaces.

    Only processes that live inside the lab namespaces are killed (found via
    `ip netns pids`), so nothing else on the machine is touched."""
    existing = sh("ip", "netns", "list", capture=True, check=False).stdout or ""
    for ns in NS.values():
        if not re.search(rf"^{ns}\b", existing, re.M):
            continue
        for sig in (signal.SIGTERM, signal.SIGKILL):
            pids = (sh("ip", "netns", "pids", ns, capture=True, check=False).stdout or "").split()
            for pid in pids:
                try:
                    os.kill(int(pid), sig)
                except (ProcessLookupError, ValueError):
                    pass
            if pids and sig == signal.SIGTERM:
                time.sleep(1.0)
        sh("ip", "netns", "del", ns, check=False, quiet=True)


def topology_up(ipv6: bool = False, initiator_addrs: tuple = ()) -> None:
    """Build the three namespaces.  ipv6: also the V6 addresses and routes;
    initiator_addrs: more IPv4 addresses (/24) on i-eth0 (the concentrator)."""
    teardown()
    for ns in NS.values():
        sh("ip", "netns", "add", ns)
        sh("ip", "link", "set", "lo", "up", ns=ns)
        if not ipv6:
            # IPv4 only: no router solicitations / MLD noise in the captures
            sh("sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1", ns=ns)
            sh("sysctl", "-qw", "net.ipv6.conf.default.disable_ipv6=1", ns=ns)
        else:
            # dual stack, as quiet as IPv6 gets: no DAD (addresses usable at
            # once), no router solicitations; "default" is what the veths get
            # when they are moved in below
            for conf in ("all", "default"):
                sh("sysctl", "-qw", f"net.ipv6.conf.{conf}.accept_dad=0", ns=ns)
                sh("sysctl", "-qw", f"net.ipv6.conf.{conf}.router_solicitations=0", ns=ns)
                sh("sysctl", "-qw", f"net.ipv6.conf.{conf}.accept_ra=0", ns=ns)
    for a, a_ns, b, b_ns in (("i-eth0", "i", "m-left", "m"), ("r-eth0", "r", "m-right", "m")):
        sh("ip", "link", "add", a, "type", "veth", "peer", "name", b)
        sh("ip", "link", "set", a, "netns", NS[a_ns])
        sh("ip", "link", "set", b, "netns", NS[b_ns])
    sh("ip", "addr", "add", f"{I_ADDR}/24", "dev", "i-eth0", ns=NS["i"])
    sh("ip", "addr", "add", f"{R_ADDR}/24", "dev", "r-eth0", ns=NS["r"])
    sh("ip", "addr", "add", f"{M_LEFT}/24", "dev", "m-left", ns=NS["m"])
    sh("ip", "addr", "add", f"{M_RIGHT}/24", "dev", "m-right", ns=NS["m"])
    # protected-subnet hosts as /32 on lo (this kernel has no dummy module)
    sh("ip", "addr", "add", f"{I_HOST}/32", "dev", "lo", ns=NS["i"])
    sh("ip", "addr", "add", f"{R_HOST}/32", "dev", "lo", ns=NS["r"])
    for dev, ns in (("i-eth0", "i"), ("r-eth0", "r"), ("m-left", "m"), ("m-right", "m")):
        sh("ip", "link", "set", dev, "up", ns=NS[ns])
    sh("ip", "route", "add", "default", "via", M_LEFT, ns=NS["i"])
    sh("ip", "route", "add", "default", "via", M_RIGHT, ns=NS["r"])
    sh("sysctl", "-qw", "net.ipv4.ip_forward=1", ns=NS["m"])
    for a in initiator_addrs:
        sh("ip", "addr", "add", f"{a}/24", "dev", "i-eth0", ns=NS["i"])
    if ipv6:
        v = V6
        for addr, dev, node in ((v.i, "i-eth0", "i"), (v.r, "r-eth0", "r"),
                                (v.m_left, "m-left", "m"), (v.m_right, "m-right", "m")):
            sh("ip", "-6", "addr", "add", f"{addr}/{v.prefix}", "dev", dev, "nodad", ns=NS[node])
        sh("ip", "-6", "addr", "add", f"{v.i_host}/128", "dev", "lo", ns=NS["i"])
        sh("ip", "-6", "addr", "add", f"{v.r_host}/128", "dev", "lo", ns=NS["r"])
        sh("ip", "-6", "route", "add", "default", "via", v.m_left, ns=NS["i"])
        sh("ip", "-6", "route", "add", "default", "via", v.m_right, ns=NS["r"])
        sh("sysctl", "-qw", "net.ipv6.conf.all.forwarding=1", ns=NS["m"])


def nft(rules: str) -> None:
    """Load an nftables ruleset into the router namespace."""
    p = subprocess.run(["ip", "netns", "exec", NS["m"], "nft", "-f", "-"], input=rules,
                       text=True, capture_output=True)
    if p.returncode:
        raise RuntimeError(f"nft failed: {p.stderr}\n{rules}")


# Firewall / NAT building blocks for the router (scenarios combine them).
NFT_NAT = """
table ip lab_nat {
  chain post { type nat hook postrouting priority srcnat; policy accept;
    ip saddr 192.0.2.0/24 oifname "m-right" masquerade
  }
}
"""


def nft_drop(match: str, hook: str = "forward", prio: int = 0, table: str = "lab_fw") -> str:
    return f"""
table ip {table} {{
  chain c {{ type filter hook {hook} priority {prio}; policy accept;
    {match} counter drop
  }}
}}
"""


# --------------------------------------------------------------------------
# capture


# tcpdump filters.  IPv4 scenarios record "ip" (no ARP).  IPv6 scenarios also
# record IPv6 but, like ARP, leave out neighbour discovery (ICMPv6 133-137)
# and MLD (behind a hop-by-hop header): link-layer housekeeping, not IKE.
# ICMPv6 errors and echo stay in.
BPF_V4 = "ip"
BPF_V6 = ("ip or (ip6 and not ip6 proto 0 and "
          "not (icmp6 and ip6[40] >= 133 and ip6[40] <= 137))")


class Capture:
    def __init__(self, iface: str, path: Path, bpf: str = BPF_V4):
        self.iface, self.path = iface, path
        self.err = open(path.with_suffix(".tcpdump.txt"), "w")  # noqa: SIM115  (tcpdump's stderr until stop())
        self.proc = subprocess.Popen(
            ["ip", "netns", "exec", NS["m"], "tcpdump", "-i", iface, "-s", "0", "-U", "-n",
             "-w", str(path), bpf], stdout=subprocess.DEVNULL, stderr=self.err)
        deadline = time.time() + 5
        while time.time() < deadline:
            if "listening on" in path.with_suffix(".tcpdump.txt").read_text():
                return
            time.sleep(0.1)
        raise RuntimeError(f"tcpdump on {iface} did not start")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        self.err.close()


# --------------------------------------------------------------------------
# strongSwan


class Charon:
    """One charon in one namespace, with its own /run (PID file) and vici socket."""

    def __init__(self, node: str, dir: Path, conf: str, secrets: str,
                 libipsec: bool = False, extra_settings: str = ""):
        self.node, self.dir = node, dir
        self.swdir = dir / "swanctl"
        for sub in ("run", "swanctl/x509", "swanctl/x509ca", "swanctl/private"):
            (dir / sub).mkdir(parents=True, exist_ok=True)
        self.vici = f"unix://{dir}/charon.vici"
        self.full_log = dir / "charon-full.log"
        self.log = dir / "charon.log"
        kernel = "kernel-libipsec" if libipsec else "lab-fake-kernel"
        retr = "\n  ".join(f"{k} = {v}" for k, v in RETRANSMIT.items())
        (dir / "strongswan.conf").write_text(f"""\
charon {{
  load = {kernel} {SW_PLUGINS}
  {retr}
  install_routes = {"yes" if libipsec else "no"}
  install_virtual_ip = no
  i_dont_care_about_security_and_use_aggressive_mode_psk = yes
  {extra_settings}
  plugins {{
    vici {{ socket = {self.vici} }}
  }}
  filelog {{
    full {{
      path = {self.full_log}
      time_format = %H:%M:%S
      time_add_ms = yes
      ike_name = yes
      flush_line = yes
      append = no
      default = 1
      ike = 4
      chd = 4
      mgr = 2
      cfg = 2
      net = 2
      enc = 1
      knl = 1
      lib = 1
    }}
    evidence {{
      path = {self.log}
      time_format = %H:%M:%S
      time_add_ms = yes
      ike_name = yes
      flush_line = yes
      append = no
      default = 1
      cfg = 2
      ike = 1
      lib = 0
      knl = 0
      job = 1
      dmn = 0
    }}
  }}
  syslog {{
    daemon {{
      default = -1
    }}
  }}
}}
""")
        (self.swdir / "swanctl.conf").write_text(conf + "\n" + secrets)
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        env = dict(os.environ, STRONGSWAN_CONF=str(self.dir / "strongswan.conf"),
                   LD_PRELOAD=str(FAKE_KERNEL))
        self.out = open(self.dir / "charon.stdout", "w")  # noqa: SIM115  (charon's output until stop())
        # `ip netns exec` gives the command its own mount namespace: bind a
        # private directory over /run so each charon has its own charon.pid
        self.proc = subprocess.Popen(
            ["ip", "netns", "exec", NS[self.node], "sh", "-c",
             f"mount --bind {self.dir}/run /run && exec {CHARON}"],
            env=env, stdout=self.out, stderr=subprocess.STDOUT)
        sock = self.dir / "charon.vici"
        deadline = time.time() + 10
        while time.time() < deadline and not sock.exists():
            if self.proc.poll() is not None:
                raise RuntimeError(f"charon ({self.node}) exited; see {self.dir}")
            time.sleep(0.1)
        if not sock.exists():
            raise RuntimeError(f"charon ({self.node}) has no vici socket")
        self.swanctl("--load-all", "--noprompt")

    def swanctl(self, *args, wait: bool = True, timeout: int = 60):
        env = dict(os.environ, SWANCTL_DIR=str(self.swdir))
        argv = ["swanctl", *args, "--uri", self.vici]
        with open(self.dir / "swanctl.out", "a") as out:
            out.write(f"$ {' '.join(argv)}\n")
            out.flush()
            p = subprocess.Popen(argv, env=env, stdout=out, stderr=subprocess.STDOUT)
            if wait:
                p.wait(timeout)
            return p

    def initiate(self, child: str | None = "net", ike: str = "lab", detach: bool = False) -> None:
        """swanctl --initiate, in the background.  A waiting initiate holds one
        of charon's 16 worker threads until the SA is up or has failed; many at
        once starve charon, so detach=True (vici timeout < 0) returns at once."""
        args = ["--initiate", "--ike", ike, "--timeout", "-1" if detach else "60"]
        if child:
            args += ["--child", child]
        self.swanctl(*args, wait=False)

    def terminate_ike(self, ike: str = "lab") -> None:
        self.swanctl("--terminate", "--ike", ike, "--timeout", "10")

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        if self.proc:
            self.out.close()


def sw_conn(role: str, *, addrs: Addrs = V4, **kw) -> str:
    """swanctl.conf `connections` section for the initiator ('i') or responder ('r')."""
    me, peer = (addrs.i, addrs.r) if role == "i" else (addrs.r, addrs.i)
    mynet, peernet = (addrs.i_net, addrs.r_net) if role == "i" else (addrs.r_net, addrs.i_net)
    return "connections {\n" + sw_conn_entry(role, me=me, peer=peer, mynet=mynet,
                                              peernet=peernet, **kw) + "}\n"


def sw_conn_entry(role: str, *, me: str, peer: str, mynet: str, peernet: str,
                  name: str = "lab", child: str = "net", version: int = 1,
                  aggressive: bool = False, proposals: str = "aes128-sha256-modp2048",
                  esp: str = "aes128-sha256", auth: str = "psk", local_ts: str | None = None,
                  remote_ts: str | None = None, remote_addrs: str | None = None,
                  remote_id: str | None = None, fragmentation: str = "yes", dpd: str = "",
                  encap: bool = False, childless: str = "allow") -> str:
    """One connection (with one child) of a swanctl.conf `connections` section."""
    local_ts = local_ts or mynet
    remote_ts = remote_ts or peernet
    remote_addrs = remote_addrs or peer
    remote_id = remote_id or peer
    if auth == "psk":
        local_auth = f"auth = psk\n      id = {me}"
        remote_auth = f"auth = psk\n      id = {remote_id}"
    else:
        cert = "initiator" if role == "i" else "responder"
        local_auth = f"auth = pubkey\n      certs = {cert}.pem\n      id = {me}"
        remote_auth = f"auth = pubkey\n      id = {remote_id}"
    return f"""\
  {name} {{
    version = {version}
    aggressive = {"yes" if aggressive else "no"}
    local_addrs = {me}
    remote_addrs = {remote_addrs}
    proposals = {proposals}
    fragmentation = {fragmentation}
    childless = {childless}
    encap = {"yes" if encap else "no"}
    {dpd}
    local {{
      {local_auth}
    }}
    remote {{
      {remote_auth}
    }}
    children {{
      {child} {{
        local_ts = {local_ts}
        remote_ts = {remote_ts}
        esp_proposals = {esp}
        start_action = none
      }}
    }}
  }}
"""


def sw_secrets(psk: str = PSK, ids: tuple[str, ...] = (I_ADDR, R_ADDR)) -> str:
    return "secrets {\n" + sw_secret_entry("ike-lab", psk, ids) + "}\n"


def sw_secret_entry(name: str, psk: str, ids: tuple[str, ...]) -> str:
    idlines = "\n    ".join(f"id-{n} = {i}" for n, i in enumerate(ids))
    return f"""\
  {name} {{
    {idlines}
    secret = "{psk}"
  }}
"""


def install_certs(charon: Charon, role: str) -> None:
    name = "initiator" if role == "i" else "responder"
    shutil.copy(PKI / "ca.pem", charon.swdir / "x509ca" / "ca.pem")
    shutil.copy(PKI / f"{name}.pem", charon.swdir / "x509" / f"{name}.pem")
    shutil.copy(PKI / f"{name}.key", charon.swdir / "private" / f"{name}.key")


def make_pki() -> None:
    """RSA-4096 CA and end-entity certificates (big on purpose: MM5/MM6 > MTU)."""
    if (PKI / "responder.pem").exists():
        return
    PKI.mkdir(parents=True, exist_ok=True)
    log("generating RSA-4096 lab PKI (once)")

    def pki(*args, out: Path, inp: Path | None = None):
        with open(out, "wb") as f, (open(inp, "rb") if inp else nullcontext()) as stdin:
            subprocess.run(["pki", *map(str, args)], stdout=f, check=True, stdin=stdin)

    pki("--gen", "--type", "rsa", "--size", "4096", "--outform", "pem", out=PKI / "ca.key")
    pki("--self", "--ca", "--lifetime", "3650", "--in", PKI / "ca.key", "--type", "rsa",
        "--dn", "C=XX, O=ikepcap lab, CN=ikepcap lab CA", "--outform", "pem", out=PKI / "ca.pem")
    for name, addr in (("initiator", I_ADDR), ("responder", R_ADDR)):
        pki("--gen", "--type", "rsa", "--size", "4096", "--outform", "pem", out=PKI / f"{name}.key")
        pki("--pub", "--in", PKI / f"{name}.key", "--type", "rsa", out=PKI / f"{name}.pub")
        pki("--issue", "--lifetime", "3650", "--cacert", PKI / "ca.pem", "--cakey", PKI / "ca.key",
            "--dn", f"C=XX, O=ikepcap lab, CN={addr}", "--san", addr, "--flag", "serverAuth",
            "--in", PKI / f"{name}.pub", "--outform", "pem", out=PKI / f"{name}.pem")


# --------------------------------------------------------------------------
# Libreswan


class Pluto:
    """One pluto (from the unpacked Debian package) in one namespace."""

    def __init__(self, node: str, dir: Path, conn: str, secrets: str, debug: str = "none"):
        self.node, self.dir = node, dir
        for sub in ("run", "nss", "ipsec.d"):
            (dir / sub).mkdir(parents=True, exist_ok=True)
        self.log = dir / "pluto.log"
        self.ctl = dir / "run" / "pluto.ctl"
        (dir / "ipsec.conf").write_text(f"""\
config setup
    ikev1-policy=accept
    logtime=yes
    logappend=no
    plutodebug="{debug}"
    uniqueids=no

{conn}
""")
        (dir / "ipsec.secrets").write_text(secrets)
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        if not (self.dir / "nss" / "cert9.db").exists():
            sh("certutil", "-N", "-d", f"sql:{self.dir}/nss", "--empty-password", quiet=True)
        env = dict(os.environ, LD_LIBRARY_PATH=str(LSW_ROOT / "usr/lib/x86_64-linux-gnu"))
        self.out = open(self.dir / "pluto.stdout", "w")  # noqa: SIM115  (pluto's output until stop())
        # pluto runs its helpers (addconn, _updown) from the compiled-in
        # /usr/libexec/ipsec: inside this command's own mount namespace, put
        # the unpacked package's directory there (nothing changes on the host)
        libexec = LSW_ROOT / "usr/libexec/ipsec"
        argv = [str(PLUTO), "--nofork",
                "--config", str(self.dir / "ipsec.conf"),
                "--secretsfile", str(self.dir / "ipsec.secrets"),
                "--nssdir", str(self.dir / "nss"), "--rundir", str(self.dir / "run"),
                "--ipsecdir", str(self.dir / "ipsec.d"), "--logfile", str(self.log),
                "--no-dnssec"]
        self.proc = subprocess.Popen(
            ["ip", "netns", "exec", NS[self.node], "sh", "-c",
             "mount -t tmpfs lab /usr/libexec && mkdir /usr/libexec/ipsec && "
             f"mount --bind {libexec} /usr/libexec/ipsec && exec \"$@\"", "pluto", *argv],
            env=env, stdout=self.out, stderr=subprocess.STDOUT)
        deadline = time.time() + 10
        while time.time() < deadline and not self.ctl.exists():
            if self.proc.poll() is not None:
                raise RuntimeError(f"pluto ({self.node}) exited; see {self.dir}")
            time.sleep(0.1)
        time.sleep(0.3)
        self.whack("--listen")
        sh(ADDCONN, "--config", self.dir / "ipsec.conf", "--ctlsocket", self.ctl,
           "--autoall", ns=NS[self.node], quiet=True)

    def whack(self, *args) -> None:
        sh(WHACK, "--ctlsocket", self.ctl, *args, ns=NS[self.node], quiet=True, check=False)

    def initiate(self, name: str = "lab") -> None:
        subprocess.Popen(["ip", "netns", "exec", NS[self.node], str(WHACK), "--ctlsocket",
                          str(self.ctl), "--name", name, "--initiate", "--asynchronous"],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.whack("--shutdown")
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        if self.proc:
            self.out.close()


def lsw_conn(role: str, *, version: int = 1, ike: str = "aes128-sha2_256;modp2048",
             esp: str = "aes128-sha2_256", remote_addr: str | None = None,
             remote_id: str | None = None, remote_net: str | None = None, aggressive: bool = False) -> str:
    """ipsec.conf `conn lab`; remote_addr: the peer's address as configured (`right`, default:
    the real peer's; "%any" for any), remote_id: the ID pluto expects from it (default: its
    address), remote_net: the peer's protected subnet (`rightsubnet`, default: the real one),
    aggressive: IKEv1 Aggressive Mode (one DH group, as it requires)."""
    me, peer = (I_ADDR, R_ADDR) if role == "i" else (R_ADDR, I_ADDR)
    peer = remote_addr or peer
    mynet, peernet = (I_NET, R_NET) if role == "i" else (R_NET, I_NET)
    return f"""\
conn lab
    ikev2={"yes" if version == 2 else "no"}
    authby=secret
    left={me}
    leftid={me}
    leftsubnet={mynet}
    right={peer}
    rightid={remote_id or (I_ADDR if peer == "%any" else peer)}
    rightsubnet={remote_net or peernet}
    ike={ike}
    aggressive={"yes" if aggressive else "no"}
    phase2alg={esp}
    retransmit-interval=500
    retransmit-timeout=15s
    auto=add
"""


# --------------------------------------------------------------------------
# one scenario


class Lab:
    """What a scenario script sees: the daemons, the router and a clock."""

    def __init__(self, scenario, dir: Path):
        self.scenario, self.dir = scenario, dir
        self.i = self.r = None
        self.t0 = time.time()

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)

    def nft(self, rules: str) -> None:
        nft(rules)

    def run_in(self, node: str, *cmd, check: bool = False) -> str:
        return sh(*cmd, ns=NS[node], capture=True, check=check).stdout or ""


def run_scenario(sc) -> None:
    d = RUN / sc.id
    if d.exists():
        shutil.rmtree(d)
    d.mkdir(parents=True)
    log(f"scenario {sc.id}: {sc.title}")
    ipv6 = getattr(sc, "ipv6", False)
    topology_up(ipv6=ipv6, initiator_addrs=getattr(sc, "initiator_addrs", ()))
    caps: list[Capture] = []
    lab = Lab(sc, d)
    try:
        if sc.router:
            nft(sc.router)
        for iface in ("m-left", "m-right"):
            caps.append(Capture(iface, d / f"{iface}.pcap", BPF_V6 if ipv6 else BPF_V4))
        lab.i = sc.make_initiator(d / "initiator")
        lab.r = sc.make_responder(d / "responder")
        lab.r.start()
        lab.i.start()
        time.sleep(0.5)
        sc.script(lab)
    finally:
        for c in caps:
            c.stop()
        now = time.time()
        (d / "capture-stopped").write_text(
            time.strftime("%H:%M:%S", time.localtime(now)) + f".{int(now * 1000) % 1000:03d}")
        for daemon in (lab.i, lab.r):
            if daemon:
                daemon.stop()
        teardown()
    collect(sc, d)


def collect(sc, d: Path) -> None:
    """Copy the chosen capture(s), the trimmed logs and the key tables."""
    from keys import write_key_table  # local module
    from trimlog import trim

    stop_file = d / "capture-stopped"
    stop = stop_file.read_text().strip() if stop_file.exists() else None
    for iface, (name, _point) in sc.captures.items():
        src = d / f"{iface}.pcap"
        shutil.copy(src, CAPTURES / f"{name}.pcap")
        for role, daemon_dir in (("initiator", d / "initiator"), ("responder", d / "responder")):
            for logname in ("charon.log", "pluto.log"):
                if (daemon_dir / logname).exists():
                    trim(daemon_dir / logname, CAPTURES / f"{name}.{role}.log", stop,
                         max_lines=getattr(sc, "log_lines", 400))
        full = d / "initiator" / "charon-full.log"
        if not full.exists():
            full = d / "responder" / "charon-full.log"
        for old in CAPTURES.glob(f"{name}.ikev*_decryption_table"):
            old.unlink()
        if full.exists():
            write_key_table(full, CAPTURES / name)
    log(f"scenario {sc.id}: done ({', '.join(n for n, _ in sc.captures.values())})")


def main() -> int:
    sys.path.insert(0, str(HERE))
    import scenarios

    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("ids", nargs="*", help="scenario ids (default: all)")
    ap.add_argument("--list", action="store_true", help="list scenarios and exit")
    ap.add_argument("--teardown", action="store_true", help="only clean up a previous run")
    args = ap.parse_args()
    if args.list:
        for sc in scenarios.SCENARIOS:
            print(f"{sc.id:40s} {sc.title}")
        return 0
    if os.geteuid() != 0:
        print("run as root", file=sys.stderr)
        return 1
    if args.teardown:
        teardown()
        return 0
    chosen = scenarios.SCENARIOS
    if args.ids:
        by_id = {sc.id: sc for sc in scenarios.SCENARIOS}
        unknown = [i for i in args.ids if i not in by_id]
        if unknown:
            print(f"unknown scenario(s): {', '.join(unknown)}", file=sys.stderr)
            return 2
        chosen = [by_id[i] for i in args.ids]
    make_pki()
    RUN.mkdir(parents=True, exist_ok=True)
    start = time.time()
    try:
        for sc in chosen:
            run_scenario(sc)
    finally:
        teardown()
    log(f"{len(chosen)} scenario(s) in {time.time() - start:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
