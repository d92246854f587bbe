"""Uninstalling gema_sop from a database with its demo data leaves nothing.

Runs on a copy of the demo database made by ``tools/test.sh``: every record
the module created (data and demo: groups, users, branch, calendar, menus,
views), its fields' columns and its tables must be gone.
"""

import subprocess

import psycopg2
import pytest
from psycopg2 import sql

import odoo
from odoo.modules.registry import Registry


def _connect(db):
    config = odoo.tools.config
    return psycopg2.connect(
        dbname=db,
        host=config["db_host"] or None,
        port=config["db_port"] or None,
        user=config["db_user"] or None,
        password=config["db_password"] or None,
    )


def _query(db, sql, params=None):
    with _connect(db) as conn, conn.cursor() as cr:
        cr.execute(sql, params)
        return cr.fetchall()


@pytest.fixture(scope="module")
def uninstalled(uninstall_db, odoo_command):
    """The module's records before uninstall; the database after it."""
    created = _query(
        uninstall_db,
        "SELECT model, res_id FROM ir_model_data WHERE module = 'gema_sop'",
    )
    assert created, "the uninstall copy does not have gema_sop installed"
    subprocess.run(
        odoo_command("shell", "-d", uninstall_db, "--no-http", "--log-level=warn"),
        input="env['ir.module.module'].search([('name', '=', 'gema_sop')])"
        ".button_immediate_uninstall()\n",
        text=True,
        check=True,
        timeout=600,
    )
    return uninstall_db, created


def test_module_is_uninstalled(uninstalled):
    db, _created = uninstalled
    assert _query(db, "SELECT state FROM ir_module_module WHERE name = 'gema_sop'") == [
        ("uninstalled",)
    ]


def test_no_record_created_by_the_module_remains(uninstalled):
    db, created = uninstalled
    models = {model for (model,) in _query(db, "SELECT model FROM ir_model")}
    # Table names come from the test database's registry, where gema_sop
    # is installed (ir.actions.act_window lives in ir_act_window, ...).
    registry = Registry(odoo.tools.config["db_name"])
    remaining = []
    # ir.model rows of the models gema_sop extends (res.company, ...) get
    # an xmlid of the module too; they belong to their own module and stay.
    foreign_models = {
        res_id
        for (res_id,) in _query(
            db,
            "SELECT res_id FROM ir_model_data "
            "WHERE model = 'ir.model' AND module != 'gema_sop'",
        )
    }
    for model, res_id in created:
        if model not in models:  # the model itself went with the module
            continue
        if model == "ir.model" and res_id in foreign_models:
            continue
        query = sql.SQL("SELECT 1 FROM {} WHERE id = %s").format(
            sql.Identifier(registry[model]._table)
        )
        if _query(db, query, (res_id,)):
            remaining.append((model, res_id))
    assert remaining == []
    assert _query(
        db, "SELECT count(*) FROM ir_model_data WHERE module = 'gema_sop'"
    ) == [(0,)]


def test_no_column_table_or_field_of_the_module_remains(uninstalled):
    db, _created = uninstalled
    assert (
        _query(
            db,
            "SELECT table_name, column_name FROM information_schema.columns "
            "WHERE column_name LIKE 'gema\\_%%' OR table_name LIKE 'gema\\_%%'",
        )
        == []
    )
    assert (
        _query(db, "SELECT name FROM ir_model_fields WHERE name LIKE 'gema\\_%%'") == []
    )
    assert _query(db, "SELECT model FROM ir_model WHERE model LIKE 'gema.%%'") == []


def test_demo_contacts_and_users_are_gone(uninstalled):
    db, _created = uninstalled
    assert (
        _query(
            db,
            "SELECT login FROM res_users WHERE login IN %s",
            (
                (
                    "advisor",
                    "cs",
                    "supervisor",
                    "technician",
                    "logistics",
                    "manager",
                    "sopadmin",
                ),
            ),
        )
        == []
    )
    assert (
        _query(
            db,
            "SELECT name FROM res_partner WHERE email LIKE '%%@gemasehat.example.com'",
        )
        == []
    )
