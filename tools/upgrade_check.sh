#!/usr/bin/env bash
# The upgrade path as a customer's database takes it: install the released
# 18.0.1.0.0 (its git tag, or its commit found in the history) with its
# demo data and the data of tools/upgrade_seed.py into a scratch
# database, snapshot every row (tools/upgrade_check.py), upgrade it with this checkout's gema_sop
# (`-u gema_sop`, the 18.0.1.1.0 migration) and compare: no row, column or
# value lost, the migration's changes exactly as it says, no ERROR,
# CRITICAL or WARNING line in the upgrade's log.
#
# The old version is installed and seeded on the clock of its release day
# (Monday 23 November 2026, 09:00 WIB, under libfaketime): its demo data
# plans bookings and jobs from "today" at fixed hours and the seed books a
# technician on a fixed day, so a fixed working day makes every run the
# same whatever day it runs on (TZ=UTC: the moment is read as UTC). Only
# Odoo's clock moves: PostgreSQL's now() (create_date) stays real. The
# upgrade runs on the real clock.
source "$(dirname "$0")/env.sh"
cd "$PROJECT"
release=18.0.1.0.0
db=${GEMA_UPGRADE_DB:-${GEMA_TEST_DB:-gema}_from_release}
work=$(mktemp -d)
# GEMA_UPGRADE_KEEP=1 keeps the upgraded database to look into.
trap 'rm -rf "$work"; [ -n "${GEMA_UPGRADE_KEEP:-}" ] || dropdb --if-exists "$db" >/dev/null 2>&1 || true' EXIT
logs="$PROJECT/.local/logs"
mkdir -p "$logs"
started=$(date +%s)
echo "== the upgrade from $release"

# The release is its tag; a clone without tags (CI's, a mirror) takes the
# commit the tag was made on, the last of 23 November 2026 (the manifest
# kept 18.0.1.0.0 for a while after it, so the version does not find it).
release_commit=2484f913d31e1a88879389c48fd19c4508d5e039
if git rev-parse -q --verify "refs/tags/$release^{commit}" >/dev/null; then
    release_commit=$(git rev-parse "refs/tags/$release^{commit}")
elif ! git cat-file -e "$release_commit^{commit}" 2>/dev/null; then
    echo "gema_sop: neither the tag $release nor its commit $release_commit is in this clone;"
    echo "  fetch the history (git fetch --tags --unshallow origin) and run the check again."
    exit 1
fi
echo "release $release: commit $release_commit"
mkdir -p "$work/addons"
git archive "$release_commit" gema_sop | tar -x -C "$work/addons"
grep -q "\"version\": \"$release\"" "$work/addons/gema_sop/__manifest__.py" \
    || { echo "gema_sop: $release_commit does not hold version $release"; exit 1; }

lib=$(bash tools/ensure_faketime.sh)
release_day=(env TZ=UTC LD_PRELOAD="$lib" FAKETIME="@2026-11-23 02:00:00" DONT_FAKE_MONOTONIC=1
    PYTHONPATH="$PROJECT/tools/moved_clock_python${PYTHONPATH:+:$PYTHONPATH}")

# Odoo's addons with the released gema_sop, then with this checkout's.
old_conf="$work/old.conf"
sed -e "s#^addons_path = \(.*\),$PROJECT\$#addons_path = \1,$work/addons#" \
    -e "s#^data_dir = .*#data_dir = $work/data#" "$ODOO_CONF" > "$old_conf"
grep -q "$work/addons" "$old_conf" || { echo "gema_sop: cannot set the old addons path"; exit 1; }
new_conf="$work/new.conf"
sed -e "s#^data_dir = .*#data_dir = $work/data#" "$ODOO_CONF" > "$new_conf"

fail() { echo "gema_sop: $1 (see $2):"; grep -E " (ERROR|CRITICAL|WARNING) |Traceback" "$2" | head -20; exit 1; }
dropdb --if-exists "$db"
log="$logs/upgrade-install-$release.log"
"${release_day[@]}" "${ODOO[@]}" -c "$old_conf" -d "$db" -i gema_sop --load-language=id_ID \
    --stop-after-init --no-http --log-level=warn > "$log" 2>&1 || fail "installing $release failed" "$log"
seed_log="$logs/upgrade-seed.log"
"${release_day[@]}" "${ODOO[@]}" shell -c "$old_conf" -d "$db" --no-http --log-level=warn \
    < tools/upgrade_seed.py > "$seed_log" 2>&1 || fail "seeding $release failed" "$seed_log"
grep -q "^seeded:" "$seed_log" || fail "seeding $release did not finish" "$seed_log"
"$VENV/bin/python" tools/upgrade_check.py snapshot "$db" "$work/before.json"
echo "installed $release with demo data and the seeded$(grep '^seeded:' "$seed_log" | cut -d: -f2-) in $(( $(date +%s) - started )) s"

log="$logs/upgrade-to-head.log"
"${ODOO[@]}" -c "$new_conf" -d "$db" -u gema_sop --stop-after-init --no-http \
    --log-level=info > "$log" 2>&1 || fail "upgrading to this checkout failed" "$log"
if grep -qE " (ERROR|CRITICAL|WARNING) |Traceback" "$log"; then
    fail "the upgrade logged errors or warnings" "$log"
fi
version=$(psql -d "$db" -Atc "SELECT latest_version FROM ir_module_module WHERE name = 'gema_sop'")
head=$(sed -n 's/.*"version": "\(.*\)".*/\1/p' gema_sop/__manifest__.py)
[ "$version" = "$head" ] || { echo "gema_sop: upgraded to $version, not $head"; exit 1; }
"$VENV/bin/python" tools/upgrade_check.py compare "$work/before.json" "$db"
echo "upgrade: $release -> $head kept every row and value, in $(( $(date +%s) - started )) s"
