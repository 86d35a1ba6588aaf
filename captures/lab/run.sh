#!/bin/bash
# ikepcap lab: install what the lab needs, build the fake kernel plugin, run
# the scenarios (all, or the ids given), and tear everything down.
# Run as root on a Debian 12 machine; see captures/lab/README.md.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
WORK="${IKELAB_WORK:-/var/tmp/ikelab}"
export IKELAB_WORK="$WORK"
STRONGSWAN_VERSION=5.9.8

if [ "$(id -u)" != 0 ]; then echo "run as root" >&2; exit 1; fi
mkdir -p "$WORK"

# ---- packages -----------------------------------------------------------
PKGS=(strongswan-charon strongswan-swanctl strongswan-pki libcharon-extra-plugins
      libstrongswan-extra-plugins tcpdump tshark iproute2 nftables iputils-ping
      libnss3-tools python3 gcc libc6-dev bzip2 dpkg-dev
      # libreswan's run-time libraries (the .deb itself is only unpacked, as
      # libreswan and strongswan conflict as installed packages)
      libldns3 libevent-pthreads-2.1-7 libevent-core-2.1-7 libunbound8 libcurl3-nss
      libnss3 libnspr4 libcap-ng0 libaudit1 libldap-2.5-0)
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  apt-get update
  DEBIAN_FRONTEND=noninteractive apt-get install -y "${missing[@]}"
fi

# ---- strongSwan headers (source package) and the fake kernel plugin ------
SRC="$WORK/strongswan-$STRONGSWAN_VERSION"
if [ ! -d "$SRC/src/libcharon" ]; then
  if ! ls "$WORK"/strongswan_"$STRONGSWAN_VERSION".orig.tar.* >/dev/null 2>&1; then
    if ! grep -rqs "^Types: deb-src" /etc/apt/sources.list.d/ && \
       ! grep -qs "^deb-src" /etc/apt/sources.list; then
      # Debian 12 ships deb822 sources without deb-src; add bookworm's
      sed -e 's/^Types: deb$/Types: deb-src/' /etc/apt/sources.list.d/debian.sources \
        > /etc/apt/sources.list.d/ikelab-deb-src.sources
      apt-get update
    fi
    # only the upstream tarball is needed (headers); the .dsc may 404 for a
    # security update, which is fine
    (cd "$WORK" && apt-get source --download-only strongswan || true)
  fi
  tarball="$(ls "$WORK"/strongswan_"$STRONGSWAN_VERSION".orig.tar.* | grep -v '\.asc$' | head -n1)"
  tar -C "$WORK" -xf "$tarball"
fi
if [ ! -f "$WORK/lab_fake_kernel.so" ] || \
   [ "$HERE/fake_kernel/lab_fake_kernel.c" -nt "$WORK/lab_fake_kernel.so" ]; then
  gcc -shared -fPIC -O2 -Wall -include "$HERE/fake_kernel/config.h" \
    -I"$SRC/src/libstrongswan" -I"$SRC/src/libcharon" \
    -o "$WORK/lab_fake_kernel.so" "$HERE/fake_kernel/lab_fake_kernel.c" \
    -L/usr/lib/ipsec -Wl,-rpath,/usr/lib/ipsec -lcharon -lstrongswan
fi

# ---- Libreswan, unpacked from its .deb ----------------------------------
if [ ! -x "$WORK/libreswan/usr/libexec/ipsec/pluto" ]; then
  (cd "$WORK" && rm -f libreswan_*.deb && apt-get download libreswan)
  dpkg-deb -x "$WORK"/libreswan_*.deb "$WORK/libreswan"
fi

# ---- run ------------------------------------------------------------------
if [ "${1:-}" = "--list" ]; then exec python3 "$HERE/lab.py" --list; fi
# The namespaces are machine-wide: one lab run at a time.
mkdir -p /run/lock
exec 9>/run/lock/ikelab.lock
if ! flock -n 9; then echo "another lab run is active" >&2; exit 1; fi
# lab.py tears the namespaces down itself (also on errors); this trap covers
# an interrupted python
trap 'python3 "$HERE/lab.py" --teardown >/dev/null 2>&1 || true' EXIT
python3 "$HERE/lab.py" "$@"
