#!/usr/bin/env bash
# libfaketime moves Odoo's clock for the moved-clock suite and the upgrade
# check; install Debian's `faketime` package when it is missing. Prints the
# library's path (messages go to stderr). tools/test.sh calls it once before
# its stages, so that two stages never run apt-get at the same time.
set -euo pipefail
find_lib() { ls /usr/lib/*/faketime/libfaketime.so.1 2>/dev/null | head -n 1 || true; }
lib=$(find_lib)
if [ -z "$lib" ]; then
    if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
        echo "gema_sop: libfaketime is needed for the moved clock: install it (Debian: apt-get install faketime)." >&2
        exit 1
    fi
    echo "gema_sop: installing libfaketime" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -qq faketime >/dev/null 2>&1 \
        || { apt-get update -qq >/dev/null && apt-get install -y -qq faketime >/dev/null; }
    lib=$(find_lib)
    [ -n "$lib" ] || { echo "gema_sop: faketime is installed but libfaketime.so.1 was not found" >&2; exit 1; }
fi
echo "$lib"
