#!/usr/bin/env bash
# Make sure a PostgreSQL server answers and that Odoo has a login role on it.
# Prints the connection settings as shell assignments (DB_HOST=..., ...),
# which tools/odoo.sh writes into the Odoo configuration file.
#
# Uses the server named by PGHOST/PGPORT when it answers; otherwise starts
# the machine's installed cluster (pg_ctlcluster). Odoo refuses to connect as
# `postgres`, so a dedicated role (GEMA_DB_USER, default "odoo") is created
# with CREATEDB and a password, through the superuser account.
set -euo pipefail
host=${PGHOST:-localhost}
port=${PGPORT:-5432}
user=${GEMA_DB_USER:-odoo}
password=${GEMA_DB_PASSWORD:-odoo}

die() { echo "gema_sop: $*" >&2; exit 1; }

answers() { pg_isready -q -h "$host" -p "$port" -t 3 2>/dev/null; }

if ! answers; then
    if [ -n "${PGHOST:-}" ] && [ "$host" != "localhost" ] && [ "$host" != "127.0.0.1" ]; then
        die "the PostgreSQL server $host:$port named by PGHOST/PGPORT does not answer."
    fi
    command -v pg_lsclusters >/dev/null \
        || die "no PostgreSQL server answers on $host:$port and none is installed: install PostgreSQL (apt-get install postgresql) or set PGHOST/PGPORT."
    cluster=$(pg_lsclusters -h | awk -v p="$port" '$3 == p {print $1, $2; exit}')
    [ -n "$cluster" ] || cluster=$(pg_lsclusters -h | awk '{print $1, $2; exit}')
    [ -n "$cluster" ] || die "PostgreSQL is installed but has no cluster: create one (pg_createcluster 15 main) or set PGHOST/PGPORT."
    # shellcheck disable=SC2086
    pg_ctlcluster $cluster start >&2 || die "the PostgreSQL cluster '$cluster' could not be started."
    for _ in $(seq 1 30); do answers && break; sleep 1; done
    answers || die "the PostgreSQL cluster '$cluster' started but does not answer on $host:$port."
fi

# Does the Odoo role already log in?
if ! PGPASSWORD=$password psql -h "$host" -p "$port" -U "$user" -d postgres -tAc 'select 1' >/dev/null 2>&1; then
    sql="DO \$\$BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$user') THEN
    CREATE ROLE \"$user\" LOGIN CREATEDB PASSWORD '$password';
  ELSE
    ALTER ROLE \"$user\" LOGIN CREATEDB PASSWORD '$password';
  END IF;
END\$\$;"
    if [ "$(id -u)" = 0 ] && id postgres >/dev/null 2>&1 && { [ "$host" = localhost ] || [ "$host" = 127.0.0.1 ]; }; then
        echo "$sql" | su postgres -c "psql -p $port -q -v ON_ERROR_STOP=1" >/dev/null 2>&1 \
            || die "could not create the PostgreSQL role '$user' on port $port."
    else
        echo "$sql" | psql -h "$host" -p "$port" -d postgres -q -v ON_ERROR_STOP=1 >/dev/null 2>&1 \
            || die "could not create the PostgreSQL role '$user' on $host:$port: create it (LOGIN CREATEDB) or set GEMA_DB_USER/GEMA_DB_PASSWORD."
    fi
fi
echo "DB_HOST=$host DB_PORT=$port DB_USER=$user DB_PASSWORD=$password"
