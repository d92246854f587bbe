#!/usr/bin/env bash
# `make test`: everything CI checks, from a fresh clone, failing at the first
# problem:
#  1. lint (ruff, pylint-odoo, OCA module checks);
#  2. the addon as a wheel (tools/wheel_check.sh): built with whool,
#     pip-installed into a scratch environment, installed and tested there;
#  2b. the upgrade from the release 18.0.1.0.0 (tools/upgrade_check.sh): a
#     database of the old version with data, upgraded, loses nothing;
#  3. the installs and the test suite (tools/suite.sh) on the real clock;
#  4. the same again with the clock of every process, PostgreSQL included,
#     moved at least a year ahead onto a Sunday night in WIB
#     (tools/moved_clock.sh): a test that depends on the day or hour it runs
#     fails here.
# Arguments go to pytest (both runs); `bash tools/suite.sh -k name` runs
# step 3 alone, `bash tools/moved_clock.sh bash tools/suite.sh -k name` step 4.
source "$(dirname "$0")/env.sh"
cd "$PROJECT"

bash tools/ensure_browser.sh
bash tools/lint.sh
bash tools/wheel_check.sh
bash tools/upgrade_check.sh

echo "== the suite on today's clock"
bash tools/suite.sh "$@"
exec bash tools/moved_clock.sh bash tools/suite.sh "$@"
