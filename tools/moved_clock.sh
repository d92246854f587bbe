#!/usr/bin/env bash
# Run a command with the whole system's clock moved: Odoo, pytest, Chromium
# and a PostgreSQL server of its own all see the same "now", at least a year
# ahead and on a Sunday night in WIB (22:30 Asia/Jakarta), when the branch is
# closed and tomorrow is a working day.
#
#   bash tools/moved_clock.sh bash tools/suite.sh
#
# libfaketime (Debian's `faketime` package, installed when missing) shifts
# every clock_gettime/time call of the processes by a fixed offset, so time
# still runs; freezegun inside the tests overrides it as usual. Chromium is
# left on the real clock (see below). PostgreSQL's
# now() must move too (Odoo stamps create_date with it), so the command gets
# a scratch cluster started under the same offset, on its own port.
#   GEMA_MOVED_CLOCK  the moment to move to (default: as above), any
#                     `date -d` text, e.g. "2028-02-29 23:59 WIB".
set -euo pipefail
PROJECT=$(cd "$(dirname "$0")/.." && pwd)
GEMA_CACHE=${GEMA_CACHE:-$HOME/.cache/gema_sop}
die() { echo "gema_sop: $*" >&2; exit 1; }

lib=$(bash "$PROJECT/tools/ensure_faketime.sh")

if [ -n "${GEMA_MOVED_CLOCK:-}" ]; then
    target=$(date -d "$GEMA_MOVED_CLOCK" +%s) || die "GEMA_MOVED_CLOCK=$GEMA_MOVED_CLOCK is not a date."
else
    # The first Sunday 22:30 WIB (15:30 UTC) at least 366 days ahead.
    target=$(python3 - <<'PY'
from datetime import datetime, timedelta, timezone
now = datetime.now(timezone.utc)
moment = (now + timedelta(days=366)).replace(hour=15, minute=30, second=0, microsecond=0)
while moment.weekday() != 6 or moment < now + timedelta(days=366):
    moment += timedelta(days=1)
print(int(moment.timestamp()))
PY
)
fi
offset=$(( target - $(date +%s) ))
# The monotonic clock stays real: Python's timed waits (locks, events,
# queues) take their deadlines from it, and Debian's libfaketime 0.9.10
# shifts them by the offset (a 0.3 s wait would last a year). time.sleep,
# whose deadline libfaketime then refuses (EINVAL), waits on an event
# instead in every Python process (moved_clock_python/sitecustomize.py).
faked=(env LD_PRELOAD="$lib" FAKETIME="+$offset" DONT_FAKE_MONOTONIC=1
    PYTHONPATH="$PROJECT/tools/moved_clock_python${PYTHONPATH:+:$PYTHONPATH}")

# A scratch PostgreSQL cluster under the same offset.
pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[ -x "$pg_bin/initdb" ] || die "the moved-clock run needs PostgreSQL's server binaries (initdb, pg_ctl)."
run_as=(bash -c)
if [ "$(id -u)" = 0 ]; then run_as=(su postgres -s /bin/bash -c); fi
data=$(mktemp -d /tmp/gema-moved-clock-pg.XXXXXX)
chmod 755 "$data"
[ "$(id -u)" = 0 ] && chown postgres "$data"
port=$(python3 -c "import socket; s=socket.socket(); s.bind(('127.0.0.1', 0)); print(s.getsockname()[1])")
stop() {
    "${run_as[@]}" "'$pg_bin/pg_ctl' -D '$data/db' -m immediate stop" >/dev/null 2>&1 || true
    rm -rf "$data"
}
trap stop EXIT
"${run_as[@]}" "'$pg_bin/initdb' -D '$data/db' -A trust -U postgres" >/dev/null
"${run_as[@]}" "${faked[*]} '$pg_bin/pg_ctl' -D '$data/db' -w -l '$data/log' \
    -o \"-p $port -k '$data' -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off\" start" >/dev/null
psql -h 127.0.0.1 -p "$port" -U postgres -d postgres -qc \
    "CREATE ROLE odoo LOGIN CREATEDB PASSWORD 'odoo'" >/dev/null

# Chromium keeps the real clock: under libfaketime it does not start (its
# timed waits return at once and it spins). The browser tests find this
# wrapper first on the PATH; the pages they test take their dates from the
# server.
chromium=$(command -v chromium || command -v chromium-browser || true)
if [ -n "$chromium" ]; then
    mkdir -p "$data/bin"
    printf '#!/bin/sh\nunset LD_PRELOAD FAKETIME\nexec %s "$@"\n' "$chromium" > "$data/bin/chromium"
    chmod 755 "$data/bin/chromium"
fi

echo "== the clock moved to $("${faked[@]}" TZ=Asia/Jakarta date '+%A %Y-%m-%d %H:%M %Z')"
cd "$PROJECT"
# Its own Odoo configuration (tools/env.sh writes .local/odoo.conf from the
# PG* variables), and the environment's setup already done on the real clock.
"${faked[@]}" PATH="$data/bin:$PATH" PGHOST=127.0.0.1 PGPORT="$port" \
    GEMA_DB_USER=odoo GEMA_DB_PASSWORD=odoo "$@"
