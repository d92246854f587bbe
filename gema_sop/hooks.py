from odoo.tools import SQL


def uninstall_hook(env):
    """Empty gema_sop's own tables before Odoo removes the module's data.

    Records made at run time (bookings, jobs and the job opened by a
    booking's arrival, technician slots, SLA lines, messages) have no XML
    id, so Odoo does not delete them, and they would keep the branches,
    customers, vehicles and technicians they refer to from being deleted.
    Their tables (wizards' too) are dropped right after; no table of
    another module refers to them, which TRUNCATE (without CASCADE) checks.
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
    env.cr.execute(
        SQL(
            "TRUNCATE %s",
            SQL(", ").join(SQL.identifier(table) for table in sorted(tables)),
        )
    )
