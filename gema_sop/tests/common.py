"""Shared fixtures of the gema_sop test suite.

Every test builds its own data (never demo data): a branch of the main
company open 08:00-17:00 Monday-Saturday in Asia/Jakarta, and one user per
SOP role with only that role's group.

Every test runs at a known moment, never at the real one: the whole class
(its ``setUpClass`` fixtures and the database's create and write dates
included) is frozen at ``SUITE_NOW``, Monday 23
November 2026, 08:00 WIB, and a test that needs another moment freezes it
itself (``freeze_time``, ``startClock``), so that what a test creates and
what it checks are measured on the same clock whatever day the suite runs.
``make test`` proves it by running the suite again with the clock moved a
year ahead onto a Sunday night (``tools/moved_clock.sh``).
"""

from contextlib import contextmanager
from datetime import datetime
from unittest.mock import patch

from odoo import Command, fields
from odoo.addons.base.tests.common import DISABLED_MAIL_CONTEXT
from odoo.tests import TransactionCase, new_test_user

ROLE_GROUPS = {
    "technician": "gema_sop.group_technician",
    "logistics": "gema_sop.group_logistics",
    "advisor": "gema_sop.group_service_advisor",
    "cs": "gema_sop.group_cs_officer",
    "supervisor": "gema_sop.group_cs_supervisor",
    "manager": "gema_sop.group_manager",
    "sopadmin": "gema_sop.group_sop_admin",
}


# Monday 23 November 2026, 08:00 WIB (UTC+7), as the naive UTC Odoo stores.
SUITE_NOW = datetime(2026, 11, 23, 1, 0)


def operating_calendar(env, name):
    """Operating hours Monday-Saturday 08:00-17:00 in Asia/Jakarta."""
    return env["resource.calendar"].create(
        {
            "name": name,
            "tz": "Asia/Jakarta",
            "hours_per_day": 9,
            "attendance_ids": [Command.clear()]
            + [
                Command.create(
                    {
                        "name": f"Day {day}",
                        "dayofweek": str(day),
                        "hour_from": 8,
                        "hour_to": 17,
                        "day_period": "morning",
                    }
                )
                for day in range(6)
            ],
        }
    )


class GemaSopCase(TransactionCase):
    """Base class: a branch with its operating calendar and a user per role,
    on a frozen clock (``SUITE_NOW``)."""

    # Odoo's TransactionCase freezes the whole class at this moment.
    freeze_time = SUITE_NOW

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # The test transaction's cursor takes "now" from PostgreSQL (the
        # moment the class began, on the real clock), and Odoo stamps
        # create_date and write_date with it: follow the frozen clock instead.
        cls.startClassPatcher(patch.object(cls.cr, "now", fields.Datetime.now))
        cls.env = cls.env(context=dict(cls.env.context, **DISABLED_MAIL_CONTEXT))
        cls.main_company = cls.env.ref("base.main_company")
        cls.calendar = operating_calendar(
            cls.env, "Test operating hours (Mon-Sat 08:00-17:00)"
        )
        cls.branch = cls.env["res.company"].create(
            {
                "name": "Test Branch Medan",
                "parent_id": cls.main_company.id,
                "resource_calendar_id": cls.calendar.id,
                "gema_operating_calendar_id": cls.calendar.id,
            }
        )
        cls.calendar.company_id = cls.branch
        cls.users = {
            role: new_test_user(
                cls.env,
                login=f"test_{role}",
                groups=group,
                company_id=cls.branch.id,
                company_ids=[Command.set(cls.branch.ids)],
                tz="Asia/Jakarta",
            )
            for role, group in ROLE_GROUPS.items()
        }

        cls.employees = {
            role: cls.env["hr.employee"].create(
                {
                    "name": f"Employee {role}",
                    "user_id": user.id,
                    "company_id": cls.branch.id,
                }
            )
            for role, user in cls.users.items()
        }

    def follow_whatsapp_link(self, action):
        """Do what the staff member does with a WhatsApp link dialog (the
        action a button returned): follow the link, as its route does, then
        mark the message sent. Returns the wa.me address it opened."""
        self.assertEqual(
            (action["type"], action["res_model"], action["target"]),
            ("ir.actions.act_window", "gema.message", "new"),
        )
        message = self.env["gema.message"].browse(action["res_id"])
        if message.user_id != self.env.user:
            message = message.with_user(message.user_id)
        url = message._open_whatsapp()
        message.action_mark_sent()
        return url

    @classmethod
    def activate_indonesian(cls):
        """Make Indonesian available with gema_sop's translations loaded."""
        cls.env["res.lang"]._activate_lang("id_ID")
        cls.env["ir.module.module"]._load_module_terms(["gema_sop"], ["id_ID"])

    @contextmanager
    def assertRaisesBilingual(self, exception, english, indonesian):
        """Run the block in English and then in Indonesian; both must fail
        with ``exception`` and a message containing the given text.

        The block is a callable taking the environment in the language, e.g.
        ``with self.assertRaisesBilingual(...) as run: run(lambda env: ...)``.
        """
        calls = []
        yield calls.append
        self.assertTrue(calls, "assertRaisesBilingual was given nothing to run")
        for lang, text in (("en_US", english), ("id_ID", indonesian)):
            for func in calls:
                with self.subTest(lang=lang), self.assertRaises(exception) as caught:
                    func(self.env(context=dict(self.env.context, lang=lang)))
                self.assertIn(text, str(caught.exception.args[0]))
