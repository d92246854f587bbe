#!/usr/bin/env bash
# `make test`: everything CI checks, from a fresh clone:
#  1. lint (ruff, pylint-odoo, OCA module checks);
#  then three stages in two lanes, one per core (each stage has its own
#  databases, Odoo configuration and ports): 3 then 2 in one lane, 4 in
#  the other:
#  2. the addon as a wheel (tools/wheel_check.sh: built with whool,
#     pip-installed into a scratch environment, installed and tested there),
#     then the upgrade from the release 18.0.1.0.0 (tools/upgrade_check.sh:
#     a database of the old version with data, upgraded, loses nothing);
#  3. the installs and the test suite (tools/suite.sh) on the real clock;
#  4. the same with the clock of every process, PostgreSQL included, moved
#     at least a year ahead onto a Sunday night in WIB
#     (tools/moved_clock.sh, on its own PostgreSQL): a test that depends on
#     the day or hour it runs fails here.
# Each stage's output is shown when it ends; any stage failing fails the run.
# Arguments go to pytest (both suites); `bash tools/suite.sh -k name` runs
# stage 3 alone, `bash tools/moved_clock.sh bash tools/suite.sh -k name`
# stage 4.
source "$(dirname "$0")/env.sh"
cd "$PROJECT"

bash tools/ensure_browser.sh
bash tools/ensure_faketime.sh >/dev/null
bash tools/lint.sh

out="$PROJECT/.local/stages"
rm -rf "$out"
mkdir -p "$out"
stage() {  # stage NAME COMMAND...: output to a file, exit code kept
    local name=$1; shift
    ( set +e; "$@" > "$out/$name.log" 2>&1; echo $? > "$out/$name.rc" )
}
# Two lanes, one per core: the moved clock's suite (the longest: libfaketime
# slows every process) alone in one; today's suite, then the wheel and the
# upgrade, in the other (all three at once made the moved suite wait for
# the CPU, and the run 2 minutes longer).
(
    stage "suite on today's clock" bash tools/suite.sh "$@"
    GEMA_CONF_NAME=odoo-checks GEMA_HTTP_PORT=8079 \
        stage "wheel and upgrade" bash -c "bash tools/wheel_check.sh && bash tools/upgrade_check.sh"
) &
GEMA_CONF_NAME=odoo-moved GEMA_HTTP_PORT=8089 GEMA_TEST_DB=gema_moved \
    stage "suite on the moved clock" bash tools/moved_clock.sh bash tools/suite.sh "$@" &
wait

status=0
failed=()
for name in "wheel and upgrade" "suite on today's clock" "suite on the moved clock"; do
    echo "== $name"
    cat "$out/$name.log"
    rc=$(cat "$out/$name.rc" 2>/dev/null || echo 1)
    echo "== $name: exit $rc"
    [ "$rc" = 0 ] || { status=1; failed+=("$name"); }
done
# A CI log is often read from its end: repeat what failed there.
for name in "${failed[@]}"; do
    echo "== failed: $name (its last lines; the whole log is above)"
    { grep -E "^(FAILED|ERROR) |Error|error:" "$out/$name.log" || true; } | tail -n 30
    tail -n 40 "$out/$name.log"
done
[ $status = 0 ] && echo "make test: every stage passed" || echo "make test: failed: ${failed[*]}"
exit $status
