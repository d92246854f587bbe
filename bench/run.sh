#!/usr/bin/env bash
# Run one benchmark of bench/ on a fresh scratch database and write its
# results to bench/results/<name>.json:  bash bench/run.sh sla_cron
source "$(dirname "$0")/../tools/env.sh"
name=${1:?"usage: bench/run.sh <benchmark, e.g. sla_cron>"}
db=${GEMA_BENCH_DB:-gema_bench}
if [ "$(psql -d "$db" -tAc "select state from ir_module_module where name = 'gema_sop'" 2>/dev/null)" != installed ]; then
    dropdb --if-exists "$db"
    "${ODOO[@]}" -c "$ODOO_CONF" -d "$db" -i gema_sop --without-demo=all \
        --stop-after-init --no-http --log-level=warn
else
    "${ODOO[@]}" -c "$ODOO_CONF" -d "$db" -u gema_sop --stop-after-init --no-http --log-level=warn
fi
export BENCH_RESULT="$PROJECT/bench/results/$name.json"
"${ODOO[@]}" shell -c "$ODOO_CONF" -d "$db" --no-http --log-level=warn < "$PROJECT/bench/$name.py"
echo "results: $BENCH_RESULT"
