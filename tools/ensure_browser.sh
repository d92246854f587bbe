#!/usr/bin/env bash
# Odoo's browser tests need Chromium; without it they are skipped, and a
# skipped test proves nothing. Install Debian's package when it is missing.
set -euo pipefail
if command -v chromium >/dev/null || command -v chromium-browser >/dev/null \
    || command -v google-chrome >/dev/null; then
    exit 0
fi
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
    echo "gema_sop: Chromium is needed for the browser tests: install it (Debian: apt-get install chromium)." >&2
    exit 1
fi
echo "gema_sop: installing Chromium for the browser tests"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null
apt-get install -y -qq chromium >/dev/null
