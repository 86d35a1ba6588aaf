#!/bin/sh
# Install everything the test suite needs on a fresh machine, then run the whole suite.
# tshark (the differential oracle) and chromium (the HTML report's browser test) come from
# apt-get when they are missing and we are root; without them the tests that need them skip
# themselves.
set -e
cd "$(dirname "$0")/.."
missing=""
command -v tshark >/dev/null 2>&1 || missing="$missing tshark"
command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || missing="$missing chromium"
if [ -n "$missing" ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    apt-get update -qq
    # shellcheck disable=SC2086
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null || true
fi
python3 -m pip install -q --disable-pip-version-check -e '.[test]'
exec python3 -m pytest -q "$@"
