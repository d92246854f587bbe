#!/usr/bin/env bash
# `make odoo ARGS="..."`: Odoo's server command with the project's
# configuration (addons path, database connection).
source "$(dirname "$0")/env.sh"
# Odoo's sub-command (shell, server, ...) must come before the options.
if [ $# -gt 0 ] && [ "${1#-}" = "$1" ]; then
    cmd=$1; shift
    exec "${ODOO[@]}" "$cmd" -c "$ODOO_CONF" "$@"
fi
exec "${ODOO[@]}" -c "$ODOO_CONF" "$@"
