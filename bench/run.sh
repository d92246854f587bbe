#!/usr/bin/env bash
# Run one benchmark of bench/ on a fresh scratch database and write its
# results to bench/results/<name>.json:  bash bench/run.sh sla_cron
source "$(dirname "$0")/../tools/env.sh"
name=${1:?"usage: bench/run.sh <benchmark, e.g. sla_cron>"}
db=${GEMA_BENCH_DB:-gema_bench}
modules=gema_sop
# bench/<name>_setup.sh, if any, may set another $db, more $modules and a
# $ODOO_CONF with a longer addons path (e.g. free_slots adds OCA addons).
setup="$PROJECT/bench/${name}_setup.sh"
[ ! -f "$setup" ] || source "$setup"
installed=$(psql -d "$db" -tAc "select count(*) from ir_module_module where state = 'installed'
    and name = any(string_to_array('$modules', ','))" 2>/dev/null || true)
if [ "$installed" != "$(tr ',' '\n' <<< "$modules" | wc -l)" ]; then
    dropdb --if-exists "$db"
    "${ODOO[@]}" -c "$ODOO_CONF" -d "$db" -i "$modules" --without-demo=all \
        --stop-after-init --no-http --log-level=warn
else
    "${ODOO[@]}" -c "$ODOO_CONF" -d "$db" -u gema_sop --stop-after-init --no-http --log-level=warn
fi
export BENCH_RESULT="$PROJECT/bench/results/$name.json"
"${ODOO[@]}" shell -c "$ODOO_CONF" -d "$db" --no-http --log-level=warn < "$PROJECT/bench/$name.py"
echo "results: $BENCH_RESULT"
