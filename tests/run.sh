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
# A C compiler and Python's headers, so that the install builds the compiled reader and the suite
# runs on it (tests/read/test_compiled.py holds it equal to the Python one); without them it runs
# on the Python reader.
command -v cc >/dev/null 2>&1 || apt_install gcc libc6-dev || echo "tests/run.sh: no C compiler; the Python reader is tested" >&2
python3 -c 'import os, sys, sysconfig
sys.exit(not os.path.exists(os.path.join(sysconfig.get_paths()["include"], "Python.h")))' || apt_install python3-dev || true
if ! command -v chromium >/dev/null 2>&1 && ! command -v chromium-browser >/dev/null 2>&1; then
    apt_install chromium || echo "tests/run.sh: no chromium; the HTML report's browser tests will skip" >&2
fi
# The Python to test with: the active virtual environment; else the README's .venv when it exists;
# else python3 itself, unless it is "externally managed" (PEP 668: Debian 12, Ubuntu 23.04 and
# later refuse pip outside a virtual environment), in which case .venv is made for the tests.
python=python3
if [ -z "${VIRTUAL_ENV:-}" ]; then
    if [ ! -x .venv/bin/python ] && python3 -c 'import os, sys, sysconfig
sys.exit(not os.path.exists(os.path.join(sysconfig.get_path("stdlib"), "EXTERNALLY-MANAGED")))'; then
        python3 -m venv .venv
    fi
    [ -x .venv/bin/python ] && python=.venv/bin/python
fi
"$python" -m pip install -q --disable-pip-version-check -e '.[test]'
exec "$python" -m pytest -q "$@"
