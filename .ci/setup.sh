#!/usr/bin/env bash
# System packages the test suite uses beyond Python: Debian's chromium, which renders the HTML
# report in tests/test_report.py. Measured here: apt-get update about 2 s, the install about 25 s.
# Failing to install is not fatal: that test then skips and says why.
set -uo pipefail

# Debian's redis-server for tests/test_distributed.py (a real Redis on 127.0.0.1; the test starts
# and stops its own instance). Placed before the chromium block, which exits early. The install
# takes about 10 s; without it that test skips and says why.
if command -v redis-server >/dev/null 2>&1; then
    echo "setup: redis-server already installed"
elif command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = "0" ]; then
    if DEBIAN_FRONTEND=noninteractive apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null; then
        echo "setup: installed $(redis-server --version | head -1)"
    else
        echo "setup: could not install redis-server; the distributed crawl test will skip"
    fi
else
    echo "setup: no apt-get or not root; the distributed crawl test will skip without redis-server"
fi

if command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1; then
    echo "setup: chromium already installed"
    exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
    echo "setup: no apt-get here; the report rendering test will skip"
    exit 0
fi
SUDO=""
if [ "$(id -u)" != "0" ]; then
    if command -v sudo >/dev/null 2>&1; then SUDO="sudo -n"; else
        echo "setup: not root and no sudo; the report rendering test will skip"
        exit 0
    fi
fi
export DEBIAN_FRONTEND=noninteractive
if $SUDO apt-get update -qq && $SUDO apt-get install -y -qq chromium >/dev/null; then
    echo "setup: installed $(chromium --version 2>/dev/null | head -1)"
else
    echo "setup: could not install chromium; the report rendering test will skip"
fi
exit 0
