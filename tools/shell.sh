#!/usr/bin/env bash
# `make shell DB=name`: an Odoo shell on that database. With a script on
# standard input (echo "print(env.user.name)" | make shell DB=x), Odoo runs
# it instead of opening the interactive prompt.
source "$(dirname "$0")/env.sh"
db=${1:?"usage: make shell DB=<database>"}
exec "${ODOO[@]}" shell -c "$ODOO_CONF" -d "$db" --no-http --log-level=warn
