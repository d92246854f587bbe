#!/usr/bin/env bash
# `make test`: everything CI checks, from a fresh clone, failing at the first
# problem:
#  1. lint (ruff, pylint-odoo, OCA module checks);
#  2. the installs and the test suite (tools/suite.sh) on the real clock;
#  3. the same again with the clock of every process, PostgreSQL included,
#     moved at least a year ahead onto a Sunday night in WIB
#     (tools/moved_clock.sh): a test that depends on the day or hour it runs
#     fails here.
# Arguments go to pytest (both runs); `bash tools/suite.sh -k name` runs
# step 2 alone, `bash tools/moved_clock.sh bash tools/suite.sh -k name` step 3.
source "$(dirname "$0")/env.sh"
cd "$PROJECT"

bash tools/ensure_browser.sh
bash tools/lint.sh

echo "== the suite on today's clock"
bash tools/suite.sh "$@"
exec bash tools/moved_clock.sh bash tools/suite.sh "$@"
