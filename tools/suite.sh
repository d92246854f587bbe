#!/usr/bin/env bash
# The installs and the test suite of `make test`, on the PostgreSQL server and
# clock this shell was given (tools/test.sh runs it twice: on the real clock,
# then through tools/moved_clock.sh).
#  1. fresh databases: gema_sop installed without and with demo data, in
#     parallel; either install logging a warning or an error fails the run;
#  2. the pytest-odoo suite on the database without demo (Odoo test cases,
#     browser tours with --odoo-http), plus the end-to-end checks against a
#     real server on the demo database and an uninstall on a copy of it.
# A skipped test fails the run (see conftest.py). Arguments go to pytest.
source "$(dirname "$0")/env.sh"
cd "$PROJECT"

db=${GEMA_TEST_DB:-gema_test}
demo_db="${db}_demo"
uninstall_db="${db}_uninstall"
concurrency_db="${db}_concurrency"
logs="$PROJECT/.local/logs"
mkdir -p "$logs"

install() {  # install DB LOG [extra odoo options]
    local target=$1 log=$2; shift 2
    dropdb --if-exists "$target"
    "${ODOO[@]}" -c "$ODOO_CONF" -d "$target" -i gema_sop --load-language=id_ID \
        --stop-after-init --no-http --log-level=info "$@" > "$log" 2>&1
}

echo "== installing gema_sop into fresh databases ($db without demo, $demo_db with demo)"
install "$db" "$logs/install-$db.log" --without-demo=all & plain=$!
install "$demo_db" "$logs/install-$demo_db.log" & demo=$!
status=0
wait $plain || status=1
wait $demo || status=1
for log in "$logs/install-$db.log" "$logs/install-$demo_db.log"; do
    # Odoo's warning about running as root concerns the machine, not the addon.
    problems=$(grep -E " (WARNING|ERROR|CRITICAL) " "$log" | grep -v "Running as user 'root'" || true)
    if [ -n "$problems" ]; then
        echo "install logged problems ($log):"; echo "$problems"; status=1
    fi
done
if [ $status != 0 ]; then
    echo "gema_sop: the install failed; see $logs"; exit 1
fi
echo "installs: clean"

# Copies for the tests that commit: the uninstall, and two cron workers.
dropdb --if-exists "$uninstall_db"
createdb -T "$demo_db" "$uninstall_db"
dropdb --if-exists "$concurrency_db"
createdb -T "$db" "$concurrency_db"

echo "== test suite"
export GEMA_TEST_DEMO_DB=$demo_db GEMA_TEST_UNINSTALL_DB=$uninstall_db \
    GEMA_TEST_CONCURRENCY_DB=$concurrency_db
exec "$VENV/bin/python" -m pytest \
    --odoo-config="$ODOO_CONF" --odoo-database="$db" --odoo-http \
    --odoo-log-level=warn --durations=15 "$@" gema_sop/tests
