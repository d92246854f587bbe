#!/usr/bin/env bash
# Lint: ruff (style, imports, bugs), pylint-odoo (OCA checks for 18.0) and
# OCA's module checks (manifest, XML, CSV).
source "$(dirname "$0")/env.sh"
cd "$PROJECT"
echo "== ruff"
ruff check .
ruff format --check .
echo "== pylint-odoo"
pylint --rcfile=.pylintrc --disable=missing-readme gema_sop
echo "== oca-checks-odoo-module"
# missing-readme: README.rst is generated from readme/ when published.
oca-checks-odoo-module --disable=missing-readme gema_sop
echo "lint: clean"
