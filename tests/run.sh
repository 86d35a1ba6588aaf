#!/bin/sh
# Install everything the test suite needs on a fresh machine, then run the whole suite.
# tshark (the differential oracle) comes from apt-get when it is missing and we are root;
# without it the tests that need it skip themselves.
set -e
cd "$(dirname "$0")/.."
if ! command -v tshark >/dev/null 2>&1 && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq tshark >/dev/null
fi
python3 -m pip install -q --disable-pip-version-check -e '.[test]'
exec python3 -m pytest -q "$@"
