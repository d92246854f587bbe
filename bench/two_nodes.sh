#!/usr/bin/env bash
# Two Odoo nodes on one database (bench/two_nodes.py): a fresh scratch
# database, then the run; the result goes to bench/results/two_nodes.json
# and the nodes' logs beside it (bench/results/two_nodes.logs/, not kept in
# git). Exits non-zero when anything was processed twice or left undone.
source "$(dirname "$0")/../tools/env.sh"
db=${GEMA_BENCH_DB:-gema_bench_nodes}
dropdb --if-exists "$db"
"${ODOO[@]}" -c "$ODOO_CONF" -d "$db" -i gema_sop --without-demo=all \
    --stop-after-init --no-http --log-level=warn
exec "$VENV/bin/python" "$PROJECT/bench/two_nodes.py" "$ODOO_CONF" "$db" \
    "$PROJECT/bench/results/two_nodes.json"
