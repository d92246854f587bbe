#!/usr/bin/env bash
# `make run`: set everything up, then serve the demo database.
# The first run creates the database with gema_sop and its demo data (and
# Indonesian loaded); later runs reuse it, upgrading gema_sop only when its
# files changed since the database last saw them.
source "$(dirname "$0")/env.sh"
db=${GEMA_DB:-gema_demo}
port=${GEMA_HTTP_PORT:-8069}

addon_hash=$(cd "$PROJECT" && find gema_sop -type f -not -name '*.pyc' -print0 | sort -z \
    | xargs -0 sha256sum | sha256sum | cut -c1-16)
state=$(psql -d "$db" -tAc "select state from ir_module_module where name = 'gema_sop'" 2>/dev/null || true)
if [ "$state" != "installed" ]; then
    echo "gema_sop: creating the demo database '$db' (a minute or two, once)"
    dropdb --if-exists "$db"
    "${ODOO[@]}" -c "$ODOO_CONF" -d "$db" -i gema_sop --load-language=id_ID \
        --stop-after-init --log-level=warn
else
    seen=$(psql -d "$db" -tAc "select value from ir_config_parameter where key = 'gema_sop.dev_source_hash'")
    if [ "$seen" != "$addon_hash" ]; then
        echo "gema_sop: the addon changed, upgrading it in '$db'"
        "${ODOO[@]}" -c "$ODOO_CONF" -d "$db" -u gema_sop --stop-after-init --log-level=warn
    fi
fi
psql -d "$db" -qc "insert into ir_config_parameter (key, value, create_date, write_date)
    values ('gema_sop.dev_source_hash', '$addon_hash', now(), now())
    on conflict (key) do update set value = excluded.value"

echo
echo "Demo logins (password = login) on http://localhost:$port, database '$db':"
psql -d "$db" -tA -F ' ' -c "
    -- each demo user's role: its gema_sop group that no other of its groups implies
    select rpad(g.name->>'en_US', 20), u.login
      from ir_model_data d
      join res_users u on u.id = d.res_id
      join res_groups_users_rel r on r.uid = u.id
      join res_groups g on g.id = r.gid
      join ir_model_data gd on gd.res_id = g.id and gd.model = 'res.groups' and gd.module = 'gema_sop'
     where d.module = 'gema_sop' and d.model = 'res.users'
       and not exists (select 1 from res_groups_implied_rel i
                         join res_groups_users_rel o on o.gid = i.gid and o.uid = u.id
                        where i.hid = g.id)
  order by g.id" | sed 's/^/  /'
echo "  $(printf '%-20s' Administrator) admin (password admin)"
echo
exec "${ODOO[@]}" -c "$ODOO_CONF" -d "$db" --db-filter="^$db\$" --http-port="$port"
