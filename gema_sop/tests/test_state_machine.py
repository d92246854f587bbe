"""One state machine for the five SOP records (``gema.state.mixin``): the
forms, the buttons' code and the state writes read the same table, and the
per-role field guard (``gema.field.guard.mixin``) cannot be opened by a
caller's context."""

import ast
from contextlib import closing
from datetime import datetime, timedelta

from lxml import etree

from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import freeze_time, tagged

from .service_job_common import ServiceJobCase

MODELS = (
    "gema.booking",
    "gema.service.job",
    "gema.followup",
    "gema.conversation",
    "gema.ticket",
)
# A state in which a field besides the state decides a step: work in
# progress is "started" again only when paused (resumed).
NARROWED = {("gema.service.job", "in_progress"): {"paused": True}}


@tagged("post_install", "-at_install")
class TestStateMachine(ServiceJobCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.activate_indonesian()
        cls.technician.gema_technician = True
        cls.service = cls.env["gema.service.type"].create(
            {"name": "Periodic service", "duration": 1.0}
        )
        env = cls.env(context=dict(cls.env.context, allowed_company_ids=cls.branch.ids))
        delivered = cls._job_of(env)
        delivered.write({"state": "delivered"})  # as superuser: a data repair
        cls.records = {
            "gema.booking": env["gema.booking"].create(
                {
                    "customer_name": "Budi Santoso",
                    "customer_phone": "0812-3456-7890",
                    "license_plate": "bk1234abc",
                    "vehicle_type": "Toyota Avanza",
                    "service_type_id": cls.service.id,
                    "complaint": "Rem berdecit",
                    "channel": "phone",
                    "company_id": cls.branch.id,
                }
            ),
            "gema.service.job": cls._job_of(env),
            "gema.followup": env["gema.followup"].create(
                {"service_job_id": delivered.id}
            ),
            "gema.conversation": env["gema.conversation"].create(
                {
                    "channel": "whatsapp",
                    "partner_id": cls.customer.id,
                    "summary": "Mau tanya servis berkala.",
                    "company_id": cls.branch.id,
                }
            ),
            "gema.ticket": env["gema.ticket"].create(
                {
                    "partner_id": cls.customer.id,
                    "company_id": cls.branch.id,
                    "product_name": "Aki 12V 45Ah",
                    "chronology": "Aki cepat habis.",
                    "technician_id": cls.technician.id,
                }
            ),
        }

    @classmethod
    def _job_of(cls, env):
        return env["gema.service.job"].create(
            {
                "vehicle_id": cls.vehicle.id,
                "company_id": cls.branch.id,
                "technician_ids": [Command.set(cls.technician.ids)],
                "complaint": "Rem berbunyi",
            }
        )

    def _table(self, model):
        return self.env[model]._gema_transitions

    def _buttons(self, model):
        """The steps that are buttons (``action_<step>``): every step but
        the ones the model takes by itself (a conversation is answered by
        its first message)."""
        Model = self.env[model]
        return {step for step in Model._steps() if hasattr(Model, f"action_{step}")}

    def _view_buttons(self, model):
        """(view, step, invisible) of every button of the model's forms and
        lists that takes a step of the table."""
        views = self.env["ir.ui.view"].search(
            [
                ("model", "=", model),
                ("type", "in", ("form", "list")),
                ("mode", "=", "primary"),
            ]
        )
        steps = self._buttons(model)
        found = []
        for view in views:
            arch = self.env[model].get_views([(view.id, view.type)])["views"]
            node = etree.fromstring(arch[view.type]["arch"])
            for button in node.iter("button"):
                name = button.get("name") or ""
                if button.get("type") == "object" and name[7:] in steps:
                    found.append((view.name, name[7:], button.get("invisible")))
        return found

    def test_form_buttons_show_exactly_the_steps_of_the_table(self):
        """BK-5/BK-7/BK-8/BK-9, ST-1..ST-7, FU-2/FU-3/FU-6, CS-5/CS-6,
        AS-1..AS-5: each SOP model's forms and lists show a step's button
        exactly when its state allows the step in the one table: the
        button's ``invisible`` is ``not can_<step>`` (``or`` a condition of
        the button's own that does not read the state), and ``can_<step>``
        is true in exactly the states the table gives the step. Rescheduling
        is offered for pending bookings, as its code allows (BK-7, BK-9)."""
        for model in MODELS:
            Model = self.env[model]
            table = self._table(model)
            states = [key for key, _label in Model._fields["state"].selection]
            self.assertEqual(set(table), set(states), model)
            for state in states:
                self.assertLessEqual(Model._targets(state), set(states))
            for step in Model._steps():
                # A step leads to the same state(s) from wherever it is taken.
                self.assertEqual(
                    len(
                        {
                            frozenset(Model._targets(state, step))
                            for state in states
                            if step in table[state]
                        }
                    ),
                    1,
                    (model, step),
                )
            buttons = self._buttons(model)
            self.assertEqual(
                {name[4:] for name in Model._fields if name.startswith("can_")},
                buttons,
                f"{model}: one can_<step> field per step that is a button",
            )
            shown = set()
            for view, step, invisible in self._view_buttons(model):
                with self.subTest(model=model, view=view, step=step):
                    self.assertTrue(invisible, "a step's button hides by its state")
                    expression = ast.parse(invisible, mode="eval").body
                    operands = (
                        expression.values
                        if isinstance(expression, ast.BoolOp)
                        and isinstance(expression.op, ast.Or)
                        else [expression]
                    )
                    self.assertEqual(ast.unparse(operands[0]), f"not can_{step}")
                    others = {
                        node.id
                        for operand in operands[1:]
                        for node in ast.walk(operand)
                        if isinstance(node, ast.Name)
                    }
                    self.assertFalse(
                        {n for n in others if n == "state" or n.startswith("can_")},
                        f"{invisible}: only can_{step} reads the state",
                    )
                    shown.add(step)
            self.assertEqual(shown, buttons, f"{model}: every step has its button")
            for state in states:
                values = NARROWED.get((model, state), {})
                record = Model.new({"state": state, **values})
                with self.subTest(model=model, state=state):
                    self.assertEqual(
                        {step for step in buttons if record[f"can_{step}"]},
                        set(table[state]) & buttons,
                    )
        # The one narrowing: work in progress is not started again unless paused.
        job = self.env["gema.service.job"].new(
            {"state": "in_progress", "paused": False}
        )
        self.assertFalse(job.can_start)
        pending = self.env["gema.booking"].new({"state": "pending"})
        self.assertTrue(pending.can_reschedule)

    def test_buttons_refuse_the_steps_the_table_does_not_allow(self):
        """BK-5/BK-7/BK-8/BK-9, ST-1..ST-7, FU-2/FU-3/FU-6, CS-5/CS-6,
        AS-1..AS-5: from each state of each SOP model, a step the table
        does not allow is refused by its button with a UserError, and the
        state stays; a step the table allows is never refused as a move
        (it may still wait for the button's own conditions, e.g. the
        technician and time of a booking to confirm)."""
        for model in MODELS:
            record = self.records[model]
            table = self._table(model)
            for state in table:
                for step in sorted(self._buttons(model)):
                    with (
                        self.subTest(model=model, state=state, step=step),
                        closing(self.env.cr.savepoint()),
                    ):
                        # As superuser, the state is set as a data repair would.
                        record.write({"state": state})
                        record.write(NARROWED.get((model, state), {}))
                        allowed = step in table[state]
                        refusals = {
                            record._transition_refused(target)
                            for target in record._targets(state)
                            | {record._step_target(step)}
                        }
                        try:
                            getattr(record, f"action_{step}")()
                        except UserError as error:
                            self.assertTrue(
                                not allowed or str(error) not in refusals,
                                f"{step} is allowed from {state}: {error}",
                            )
                            self.assertEqual(record.state, state)
                        else:
                            self.assertTrue(allowed, f"{step} ran from {state}")

    def test_the_state_flag_of_the_context_opens_nothing(self):
        """Security (AS-6, ST-8, BK-4, ST-5): a context key is what any
        XML-RPC caller sends; ``gema_state_move`` (and the old keys of the
        reschedule and the delay notice) no longer let a CS officer, a
        technician or logistics write a state or a field outside their
        part, in either language."""
        ticket = self.records["gema.ticket"]
        ticket.write({"state": "shipping", "return_shipping": True})
        job = self.records["gema.service.job"]
        flag = {"gema_state_move": True}
        cases = [
            ("cs", ticket, {"state": "done"}, "Use the buttons of", "Gunakan tombol"),
            ("cs", job, {"state": "delivered"}, "Use the buttons of", "Gunakan tombol"),
            (
                "technician",
                ticket,
                {"state": "done"},
                "Use the buttons of",
                "Gunakan tombol",
            ),
            (
                "technician",
                ticket,
                {"chronology": "x"},
                "only change your part",
                "hanya dapat mengubah bagian",
            ),
            (
                "logistics",
                ticket,
                {"state": "done"},
                "Use the buttons of",
                "Gunakan tombol",
            ),
            (
                "logistics",
                ticket,
                {"resolution_note": "x", "shipped_date": datetime(2026, 11, 23)},
                "only change your part",
                "hanya dapat mengubah bagian",
            ),
            (
                "technician",
                job,
                {"state": "delivered"},
                "Use the buttons of",
                "Gunakan tombol",
            ),
            (
                "technician",
                job,
                {"estimated_cost": 1},
                "Technicians report their steps",
                "Teknisi melaporkan langkah",
            ),
            (
                "cs",
                self.records["gema.conversation"],
                {"state": "closed"},
                "Use the buttons of",
                "Gunakan tombol",
            ),
            (
                "advisor",
                self.records["gema.booking"],
                {"state": "pending"},
                "Use the buttons of",
                "Gunakan tombol",
            ),
        ]
        for role, record, values, english, indonesian in cases:
            mine = record.with_user(self.users[role]).with_context(**flag)
            with (
                self.subTest(role=role, model=record._name, values=values),
                self.assertRaisesBilingual(UserError, english, indonesian) as run,
            ):
                run(
                    lambda env, mine=mine, values=values: mine.with_context(
                        lang=env.lang
                    ).write(values)
                )
            self.assertNotEqual(record.state, values.get("state"))

    def test_reschedule_and_delay_keys_of_the_context_open_nothing(self):
        """Security (BK-4, BK-9, ST-5): a confirmed booking's technician and
        time move only by Reschedule, and a promise later only by the delay
        notice, whatever context the caller sends."""
        booking = self.records["gema.booking"].with_user(self.advisor)
        booking.write(
            {"employee_id": self.technician.id, "start": datetime(2026, 11, 24, 2)}
        )
        booking.action_confirm()
        self.assertEqual(booking.state, "confirmed")
        with self.assertRaisesBilingual(
            UserError, "Use Reschedule to move", "Gunakan Jadwalkan Ulang"
        ) as run:
            run(
                lambda env: booking.with_context(
                    lang=env.lang, gema_booking_reschedule=True, gema_state_move=True
                ).write({"start": datetime(2026, 11, 24, 4)})
            )
        job = self.records["gema.service.job"].with_user(self.advisor)
        with freeze_time(datetime(2026, 11, 23, 2)):
            job.write(
                {
                    "planned_start": datetime(2026, 11, 23, 2),
                    "planned_stop": datetime(2026, 11, 23, 4),
                }
            )
            job.with_user(self.users["technician"]).action_confirm_estimate()
            job.promised_date = job.technician_confirmed_date
            with self.assertRaisesBilingual(
                UserError, "can only be moved later with a delay", "keterlambatan"
            ) as run:
                run(
                    lambda env: job.with_context(
                        lang=env.lang, gema_delay_notice=True, gema_state_move=True
                    ).write({"promised_date": job.promised_date + timedelta(hours=2)})
                )
