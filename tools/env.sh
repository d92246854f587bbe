#!/usr/bin/env bash
# Sourced by the other tools: sets up (once) and describes the environment.
# After sourcing: $VENV, $ODOO_SRC, $ODOO_CONF, $ODOO (odoo-bin; Odoo wants
# its sub-command first, then -c "$ODOO_CONF"),
# $PROJECT, and PG* variables pointing at the Odoo role.
set -euo pipefail
PROJECT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
GEMA_CACHE=${GEMA_CACHE:-$HOME/.cache/gema_sop}
VENV="$GEMA_CACHE/odoo-18.0/venv"
ODOO_SRC="$GEMA_CACHE/odoo-18.0/src"

# One setup at a time on this machine (the stages of tools/test.sh, helpers'
# checkouts): a setup reading the stamp files while another rewrites them
# would reinstall the environment under running tests. Once a process has
# set up, what it starts (test.sh's stages) inherits GEMA_ENV_READY.
if [ -z "${GEMA_ENV_READY:-}" ]; then
    mkdir -p "$GEMA_CACHE"
    flock "$GEMA_CACHE/setup.lock" bash "$PROJECT/tools/setup_odoo.sh"
    export GEMA_ENV_READY=1
fi
eval "$(bash "$PROJECT/tools/pg.sh")"

# A git checkout keeps the addons in addons/, a source archive in odoo/addons.
addons_path="$ODOO_SRC/odoo/addons"
[ -d "$ODOO_SRC/addons" ] && addons_path="$addons_path,$ODOO_SRC/addons"
mkdir -p "$PROJECT/.local"
# GEMA_CONF_NAME: a configuration of its own for a run beside others
# (tools/test.sh runs its stages at once).
ODOO_CONF="$PROJECT/.local/${GEMA_CONF_NAME:-odoo}.conf"
cat > "$ODOO_CONF" <<CONF
[options]
addons_path = $addons_path,$PROJECT
data_dir = $GEMA_CACHE/data
db_host = $DB_HOST
db_port = $DB_PORT
db_user = $DB_USER
db_password = $DB_PASSWORD
http_port = ${GEMA_HTTP_PORT:-8069}
CONF
export PGHOST=$DB_HOST PGPORT=$DB_PORT PGUSER=$DB_USER PGPASSWORD=$DB_PASSWORD
# A git checkout has odoo-bin at its root, a source archive has setup/odoo.
odoo_bin="$ODOO_SRC/odoo-bin"
[ -f "$odoo_bin" ] || odoo_bin="$ODOO_SRC/setup/odoo"
ODOO=("$VENV/bin/python" "$odoo_bin")
export PATH="$VENV/bin:$PATH"
