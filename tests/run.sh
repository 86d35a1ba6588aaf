#!/bin/sh
# Install everything the test suite needs on a fresh machine, then run the whole suite.
# tshark (the differential oracle) and chromium (the HTML report's browser test) come from
# apt-get when they are missing and we are root; without them the tests that need them skip
# themselves.
set -e
cd "$(dirname "$0")/.."
apt_install() {
    [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 || return 1
    [ -n "$apt_updated" ] || { apt-get update -qq; apt_updated=1; }
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}
command -v tshark >/dev/null 2>&1 || apt_install tshark || true
if ! command -v chromium >/dev/null 2>&1 && ! command -v chromium-browser >/dev/null 2>&1; then
    apt_install chromium || echo "tests/run.sh: no chromium; the HTML report's browser tests will skip" >&2
fi
python3 -m pip install -q --disable-pip-version-check -e '.[test]'
exec python3 -m pytest -q "$@"
