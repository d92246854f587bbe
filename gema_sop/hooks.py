from odoo.tools import SQL


def uninstall_hook(env):
    """Empty gema_sop's own tables before Odoo removes the module's data.

    Records made at run time (bookings, jobs and the job opened by a
    booking's arrival, technician slots, SLA lines, messages) have no XML
    id, so Odoo does not delete them, and they would keep the branches,
    customers, vehicles and technicians they refer to from being deleted.
    Their tables (wizards' too) are dropped right after; no other table
    may refer to them then, which TRUNCATE (without CASCADE) checks.
    """
    tables = set()
    for model in env.registry.values():
        if model._original_module == "gema_sop" and model._auto:
            tables.add(model._table)
            tables.update(
                field.relation
                for field in model._fields.values()
                if field.type == "many2many" and field.store
            )
    # The links gema_sop adds to other modules' records (a live chat
    # session's conversation) lose their foreign keys first: their columns
    # go with the module's fields.
    env.cr.execute(
        SQL(
            """SELECT conrelid::regclass::text, conname FROM pg_constraint
                WHERE contype = 'f'
                  AND confrelid::regclass::text IN %s
                  AND conrelid::regclass::text NOT IN %s""",
            tuple(tables),
            tuple(tables),
        )
    )
    for table, constraint in env.cr.fetchall():
        env.cr.execute(
            SQL(
                "ALTER TABLE %s DROP CONSTRAINT %s",
                SQL.identifier(table),
                SQL.identifier(constraint),
            )
        )
    env.cr.execute(
        SQL(
            "TRUNCATE %s",
            SQL(", ").join(SQL.identifier(table) for table in sorted(tables)),
        )
    )
