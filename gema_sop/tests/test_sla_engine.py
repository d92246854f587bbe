"""The SLA engine: deadlines in working time, events, escalations (G-4).

The engine is tested on SOP documents (the SLA-aware model of the shared
core) with policies built per test, so that every kind of start, stop and
deadline is proved independently of the SOP models that use them.
"""

from datetime import datetime, timedelta

import psycopg2

from odoo.exceptions import AccessError, ValidationError
from odoo.tests import freeze_time, tagged

from .common import GemaSopCase

# Asia/Jakarta is UTC+7: 16:58 WIB is 09:58 UTC. 2026-11-21 is a Saturday.
SATURDAY_1658_WIB = datetime(2026, 11, 21, 9, 58)


@tagged("post_install", "-at_install")
class TestSlaEngine(GemaSopCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.document_model = cls.env["ir.model"]._get("gema.sop.document")
        cls.Document = cls.env["gema.sop.document"].with_company(cls.branch)
        cls.Policy = cls.env["gema.sla.policy"]
        # The shipped G-1 policy watches documents too; keep the tests to
        # their own policies.
        cls.Policy.search([]).active = False
        cls.activate_indonesian()

    def _policy(self, **values):
        return self.Policy.create(
            {
                "name": "Test standard",
                "sop": "BK",
                "model_id": self.document_model.id,
                **values,
            }
        )

    def _document(self, **values):
        return self.Document.create(
            {
                "number": f"T/{self.Document.search_count([]) + 1}",
                "name": "Test SOP",
                "sop": "BK",
                "company_id": self.branch.id,
                "user_id": self.users["advisor"].id,
                **values,
            }
        )

    def _line(self, document, policy):
        return self.env["gema.sla.status"].search(
            [
                ("res_model", "=", document._name),
                ("res_id", "=", document.id),
                ("policy_id", "=", policy.id),
            ],
            order="id desc",
            limit=1,
        )

    # Deadlines in working time ------------------------------------------

    def test_five_minutes_at_1658_are_due_at_0803_next_working_day(self):
        """BK-2 / CS-4 / G-4: 5 working minutes from Saturday 16:58 (close
        17:00) end Monday 08:03 WIB: Sunday is closed."""
        policy = self._policy(duration=5, duration_unit="minutes")
        with freeze_time(SATURDAY_1658_WIB):
            document = self._document()
        line = self._line(document, policy)
        self.assertEqual(line.start, SATURDAY_1658_WIB)
        self.assertEqual(line.deadline, datetime(2026, 11, 23, 1, 3))  # 08:03 WIB
        self.assertEqual(document.gema_sla_deadline, line.deadline)
        self.assertEqual(document.gema_sla_result, "on_time")
        # 80% of 5 minutes = 4 minutes: 1 minute on Saturday, 3 on Monday.
        self.assertEqual(line.at_risk_at, datetime(2026, 11, 23, 1, 2))

    def test_public_holidays_of_the_branch_calendar_are_skipped(self):
        """G-4: a public holiday (a calendar leave) is not working time."""
        self.env["resource.calendar.leaves"].create(
            {
                "name": "Public holiday",
                "calendar_id": self.calendar.id,
                "date_from": datetime(2026, 11, 22, 17, 0),  # Mon 00:00 WIB
                "date_to": datetime(2026, 11, 23, 17, 0),  # Tue 00:00 WIB
            }
        )
        policy = self._policy(duration=5, duration_unit="minutes")
        with freeze_time(SATURDAY_1658_WIB):
            document = self._document()
        self.assertEqual(
            self._line(document, policy).deadline, datetime(2026, 11, 24, 1, 3)
        )

    def test_calendar_time_ignores_opening_hours(self):
        policy = self._policy(duration=2, duration_unit="hours", time_mode="calendar")
        with freeze_time(SATURDAY_1658_WIB):
            document = self._document()
        self.assertEqual(
            self._line(document, policy).deadline, datetime(2026, 11, 21, 11, 58)
        )

    def test_working_days_count_the_branch_hours_per_day(self):
        """ST-3 (daily for overnight jobs): one working day from Friday
        15:00 WIB is Saturday 15:00 WIB."""
        self.calendar.hours_per_day = 9
        policy = self._policy(duration=1, duration_unit="days")
        with freeze_time(datetime(2026, 11, 20, 8, 0)):
            document = self._document()
        self.assertEqual(
            self._line(document, policy).deadline, datetime(2026, 11, 21, 8, 0)
        )

    def test_relative_deadline_the_working_day_before(self):
        """BK-6: H-1 of a Monday is the Saturday before (Sunday is closed),
        by 17:00 WIB of that day."""
        policy = self._policy(
            deadline_type="relative",
            anchor_field_id=self.env["ir.model.fields"]
            ._get("gema.sop.document", "effective_date")
            .id,
            offset_days=-1,
            deadline_hour=17.0,
        )
        with freeze_time(datetime(2026, 11, 18, 3, 0)):
            document = self._document(effective_date="2026-11-23")
        line = self._line(document, policy)
        self.assertEqual(line.deadline, datetime(2026, 11, 21, 10, 0))
        # The anchor moves: the deadline follows.
        with freeze_time(datetime(2026, 11, 18, 4, 0)):
            document.effective_date = "2026-11-26"  # a Thursday
        self.assertEqual(line.deadline, datetime(2026, 11, 25, 10, 0))

    def test_relative_deadline_two_working_days_after(self):
        """FU-4: H+2 of a Friday, in working days, is the Monday after
        (Saturday is open, Sunday closed)."""
        policy = self._policy(
            deadline_type="relative",
            anchor_field_id=self.env["ir.model.fields"]
            ._get("gema.sop.document", "effective_date")
            .id,
            offset_days=2,
            deadline_hour=17.0,
        )
        with freeze_time(datetime(2026, 11, 20, 3, 0)):
            document = self._document(effective_date="2026-11-20")  # Friday
        self.assertEqual(
            self._line(document, policy).deadline, datetime(2026, 11, 23, 10, 0)
        )

    # Start and stop events ------------------------------------------------

    def test_state_reached_starts_and_message_stops(self):
        """ST-6 style: a clock started by a state, stopped by contacting the
        customer (an outgoing chatter message)."""
        policy = self._policy(
            start_event="state",
            start_states="to_check",
            stop_event="message",
            duration=2,
        )
        document = self._document()
        self.assertFalse(self._line(document, policy))
        with freeze_time(datetime(2026, 11, 23, 2, 0)):
            document.write({"state": "to_check"})
        line = self._line(document, policy)
        self.assertEqual(line.state, "running")
        document.message_post(body="internal note", subtype_xmlid="mail.mt_note")
        self.assertEqual(line.state, "running", "an internal note is no contact")
        with freeze_time(datetime(2026, 11, 23, 3, 0)):
            document.message_post(
                body="Halo Bapak, kendaraan sedang diperiksa.",
                subtype_xmlid="gema_sop.mt_customer_message",
            )
        self.assertEqual(line.state, "done")
        self.assertEqual(line.reached, datetime(2026, 11, 23, 3, 0))
        self.assertAlmostEqual(line.elapsed_hours, 1.0)
        self.assertEqual(document.gema_sla_result, "on_time")
        self.assertFalse(document.gema_sla_deadline)

    def test_every_state_change_starts_a_clock_once(self):
        """ST-6: each status change starts the 2-hour contact clock; while
        one runs, another change does not open a second one."""
        policy = self._policy(
            start_event="state_change", stop_event="message", duration=2
        )
        document = self._document()
        document.state = "to_check"
        document.state = "to_approve"
        lines = document.gema_sla_status_ids.filtered(
            lambda line: line.policy_id == policy
        )
        self.assertEqual(len(lines), 1)

    def test_field_set_stops_and_late_is_breached(self):
        policy = self._policy(
            stop_event="field_set",
            stop_field_id=self.env["ir.model.fields"]
            ._get("gema.sop.document", "original_filename")
            .id,
            duration=1,
        )
        with freeze_time(datetime(2026, 11, 23, 2, 0)):
            document = self._document()
        with freeze_time(datetime(2026, 11, 23, 5, 0)):
            document.original_filename = "sop.pdf"
        line = self._line(document, policy)
        self.assertEqual(line.state, "late")
        self.assertEqual(line.result, "breached")
        self.assertEqual(document.gema_sla_result, "breached")

    def test_recurring_standard_restarts_after_each_update(self):
        """ST-3: every 4 working hours while the record is open; leaving the
        domain (delivered, cancelled) cancels the running clock."""
        policy = self._policy(
            domain="[('state', 'in', ('draft', 'to_check'))]",
            stop_event="message",
            duration=4,
            repeat=True,
        )
        with freeze_time(datetime(2026, 11, 23, 2, 0)):  # Mon 09:00 WIB
            document = self._document()
        with freeze_time(datetime(2026, 11, 23, 4, 0)):  # 11:00 WIB
            document.message_post(body="update", subtype_xmlid="mail.mt_comment")
        lines = document.gema_sla_status_ids.filtered(
            lambda line: line.policy_id == policy
        ).sorted("start", reverse=True)
        self.assertEqual(lines.mapped("state"), ["running", "done"])
        self.assertEqual(lines[0].start, datetime(2026, 11, 23, 4, 0))
        self.assertEqual(lines[0].deadline, datetime(2026, 11, 23, 8, 0))
        document.state = "to_approve"
        self.assertEqual(lines[0].state, "cancelled")
        self.assertEqual(document.gema_sla_result, "on_time")

    def test_cancel_states_cancel_instead_of_breaching(self):
        policy = self._policy(duration=1, cancel_states="obsolete")
        document = self._document()
        document.state = "obsolete"
        self.assertEqual(self._line(document, policy).state, "cancelled")

    def test_policy_domain_and_branch_select_the_records(self):
        other_branch = self.env["res.company"].create(
            {"name": "Other branch", "parent_id": self.main_company.id}
        )
        policy = self._policy(
            duration=1, company_id=self.branch.id, domain="[('sop', '=', 'BK')]"
        )
        watched = self._document()
        other_sop = self._document(sop="ST")
        other = self.Document.with_company(other_branch).create(
            {
                "number": "O/1",
                "name": "Other",
                "sop": "BK",
                "company_id": other_branch.id,
            }
        )
        self.assertTrue(self._line(watched, policy))
        self.assertFalse(self._line(other_sop, policy))
        self.assertFalse(self._line(other, policy))

    def test_coming_into_the_filter_starts_the_clock_then(self):
        """G-4 / ST-3: a record whose filter field (not its state) changes
        so that it comes to match starts the clock at that moment; leaving
        the filter cancels it; coming back starts a new one, once."""
        policy = self._policy(domain="[('sop', '=', 'ST')]", duration=1)
        with freeze_time(datetime(2026, 11, 23, 2, 0)):  # Mon 09:00 WIB
            document = self._document()
        self.assertFalse(self._line(document, policy))
        with freeze_time(datetime(2026, 11, 23, 3, 0)):
            document.sop = "ST"
        line = self._line(document, policy)
        self.assertEqual(
            (line.state, line.start, line.deadline),
            ("running", datetime(2026, 11, 23, 3, 0), datetime(2026, 11, 23, 4, 0)),
        )
        self.assertEqual(document.gema_sla_deadline, line.deadline)
        with freeze_time(datetime(2026, 11, 23, 3, 30)):
            document.sop = "BK"
        self.assertEqual(line.state, "cancelled")
        with freeze_time(datetime(2026, 11, 23, 4, 0)):
            document.sop = "ST"
            document.name = "Renamed"  # no filter field: nothing starts
        lines = document.gema_sla_status_ids.sorted("id")
        self.assertEqual(lines.mapped("state"), ["cancelled", "running"])
        self.assertEqual(lines[1].start, datetime(2026, 11, 23, 4, 0))

    def test_coming_into_the_filter_needs_the_start_situation(self):
        """G-4: coming into the filter starts a clock only in the situation
        that starts it (here its start state), never for "any state
        change" (a moment), nor in a cancel state, and a standard that
        does not recur is not started again once met."""
        in_state = self._policy(
            domain="[('sop', '=', 'ST')]",
            start_event="state",
            start_states="to_check",
            duration=1,
        )
        on_change = self._policy(
            domain="[('sop', '=', 'ST')]", start_event="state_change", duration=1
        )
        met_once = self._policy(
            domain="[('sop', '=', 'ST')]", cancel_states="obsolete", duration=1
        )
        with freeze_time(datetime(2026, 11, 23, 2, 0)):
            draft = self._document()
            checked = self._document()
            checked.state = "to_check"
            obsolete = self._document()
            obsolete.state = "obsolete"
            (draft | checked | obsolete).sop = "ST"
        self.assertFalse(self._line(draft, in_state))
        self.assertEqual(self._line(checked, in_state).state, "running")
        self.assertFalse(self._line(checked, on_change))
        self.assertFalse(self._line(obsolete, met_once))
        with freeze_time(datetime(2026, 11, 23, 2, 30)):
            draft.message_post(body="Halo", subtype_xmlid="mail.mt_comment")
        self.assertEqual(self._line(draft, met_once).state, "done")
        with freeze_time(datetime(2026, 11, 23, 3, 0)):
            draft.sop = "BK"
            draft.sop = "ST"
        self.assertEqual(self._line(draft, met_once).state, "done", "not restarted")

    def test_filter_changes_cost_the_same_queries_for_2_or_20_records(self):
        """G-4: re-evaluating the filters is batched: a write that brings 20
        records into two policies (20 clocks each start), then one that
        takes them out (all cancelled), issue no more queries than on 2."""
        self._policy(domain="[('sop', '=', 'ST')]", duration=1)
        self._policy(domain="[('sop', '=', 'ST')]", duration=2, repeat=True)
        with freeze_time(datetime(2026, 11, 23, 2, 0)):  # Mon 09:00 WIB
            few, many = (
                self.Document.concat(*(self._document() for _index in range(size)))
                for size in (2, 20)
            )
        for hour, sop in ((3, "ST"), (4, "BK")):
            with freeze_time(datetime(2026, 11, 23, hour, 0)):
                self.env.flush_all()
                self.env.invalidate_all()
                before = self.env.cr.sql_log_count
                few.write({"sop": sop})
                self.env.flush_all()
                queries = self.env.cr.sql_log_count - before
                self.env.invalidate_all()
                with self.assertQueryCount(queries):
                    many.write({"sop": sop})
        lines = many.gema_sla_status_ids
        self.assertEqual(len(lines), 40)
        self.assertEqual(set(lines.mapped("state")), {"cancelled"})
        self.assertEqual(set(lines.mapped("elapsed_hours")), {1.0})

    def test_archived_policy_starts_nothing(self):
        policy = self._policy(duration=1)
        policy.active = False
        self.assertFalse(self._line(self._document(), policy))

    def test_invalid_policies_are_refused(self):
        with self.assertRaisesBilingual(
            ValidationError, "target duration must be positive", "harus positif"
        ) as run:
            run(
                lambda env: env["gema.sla.policy"].create(
                    {
                        "name": "x",
                        "sop": "BK",
                        "model_id": self.document_model.id,
                        "duration": 0,
                    }
                )
            )
        with self.assertRaisesBilingual(
            ValidationError,
            "does not track time standards",
            "tidak melacak standar waktu",
        ) as run:
            run(
                lambda env: env["gema.sla.policy"].create(
                    {
                        "name": "x",
                        "sop": "BK",
                        "model_id": env["ir.model"]._get_id("res.partner"),
                        "duration": 1,
                    }
                )
            )

    # Values kept on the record ---------------------------------------------

    def _conversation_policy(self, **values):
        """A first-answer standard of chats, keeping what ``values`` say."""
        return self.Policy.create(
            {
                "name": "Chat answered",
                "sop": "CS",
                "model_id": self.env["ir.model"]._get_id("gema.conversation"),
                "domain": "[('state', '!=', 'closed')]",
                "stop_event": "message",
                **values,
            }
        )

    def _conversation(self):
        return (
            self.env["gema.conversation"]
            .with_company(self.branch)
            .create(
                {
                    "channel": "whatsapp",
                    "customer_name": "Budi Santoso",
                    "summary": "Selamat pagi, mau tanya servis.",
                    "company_id": self.branch.id,
                    "user_id": self.users["cs"].id,
                }
            )
        )

    def _field(self, model, name):
        return self.env["ir.model.fields"]._get(model, name)

    def test_policy_keeps_its_result_and_time_taken_on_the_fields_it_names(self):
        """G-4 / CS-4 / BK-2: a policy naming a result field and a time
        field of the record fills them (the time in the unit of its target,
        here working days of 9 hours), whatever the model; a policy naming
        none fills nothing; a record whose only clock was cancelled has no
        result."""
        kept = {
            "result_field_id": self._field(
                "gema.conversation", "first_response_result"
            ).id,
            "elapsed_field_id": self._field(
                "gema.conversation", "first_response_minutes"
            ).id,
        }
        policy = self._conversation_policy(duration=1, duration_unit="days", **kept)
        with freeze_time(datetime(2026, 11, 23, 2, 0)):  # Mon 09:00 WIB
            answered = self._conversation()
            closed = self._conversation()
        self.assertEqual(answered.first_response_result, "on_time")
        self.assertEqual(answered.first_response_minutes, 0.0)
        with freeze_time(datetime(2026, 11, 23, 6, 30)):  # 13:30 WIB
            answered.message_post(
                body="Selamat siang, bisa kami bantu.",
                subtype_xmlid="gema_sop.mt_customer_message",
            )
            closed.state = "closed"
        self.assertEqual(self._line(answered, policy).state, "done")
        self.assertEqual(answered.first_response_result, "on_time")
        self.assertEqual(answered.first_response_minutes, 0.5)
        self.assertEqual(self._line(closed, policy).state, "cancelled")
        self.assertFalse(closed.first_response_result)
        self.assertEqual(closed.first_response_minutes, 0.0)

        policy.write({"result_field_id": False, "elapsed_field_id": False})
        with freeze_time(datetime(2026, 11, 23, 2, 0)):
            unkept = self._conversation()
        with freeze_time(datetime(2026, 11, 23, 6, 30)):
            unkept.message_post(body="Halo", subtype_xmlid="mail.mt_comment")
        self.assertEqual(self._line(unkept, policy).state, "done")
        self.assertEqual(unkept.gema_sla_result, "on_time")
        self.assertFalse(unkept.first_response_result)
        self.assertEqual(unkept.first_response_minutes, 0.0)

    def test_kept_fields_must_be_a_result_and_a_number_of_the_model(self):
        """G-4: the result goes to a selection, the time taken to a number,
        both of the watched model; anything else is refused."""
        wrong = [
            {"result_field_id": self._field("gema.conversation", "summary").id},
            {"elapsed_field_id": self._field("gema.conversation", "channel").id},
            {"result_field_id": self._field("gema.booking", "frt_result").id},
        ]
        for values in wrong:
            with self.assertRaisesBilingual(
                ValidationError,
                "cannot keep the result or the time taken",
                "tidak dapat menyimpan hasil atau waktu",
            ) as run:
                run(
                    lambda env, values=values: env["gema.sla.policy"].create(
                        {
                            "name": "x",
                            "sop": "CS",
                            "model_id": env["ir.model"]._get_id("gema.conversation"),
                            "duration": 5,
                            **values,
                        }
                    )
                )

    # Escalations by the scheduled action ----------------------------------

    def _breach_setup(self):
        self.employees["advisor"].parent_id = self.employees["supervisor"]
        policy = self._policy(
            duration=10, duration_unit="minutes", violation_type="bk_no_reply"
        )
        with freeze_time(datetime(2026, 11, 23, 2, 0)):  # Mon 09:00 WIB
            document = self._document()
        return policy, document, self._line(document, policy)

    def _activities(self, document, xmlid):
        return self.env["mail.activity"].search(
            [
                ("res_model", "=", document._name),
                ("res_id", "=", document.id),
                ("activity_type_id", "=", self.env.ref(xmlid).id),
            ]
        )

    def test_at_risk_warns_the_owner_once(self):
        """G-4: at 80% of the target the record is at risk and its owner
        gets one warning activity, however often the cron runs."""
        _policy, document, line = self._breach_setup()
        Status = self.env["gema.sla.status"]
        with freeze_time(datetime(2026, 11, 23, 2, 9)):
            Status._cron_process_due()
            Status._cron_process_due()
        self.assertEqual(line.state, "at_risk")
        self.assertEqual(document.gema_sla_result, "at_risk")
        warning = self._activities(document, "gema_sop.mail_activity_type_sla_warning")
        self.assertEqual(warning.user_id, self.users["advisor"])
        self.assertEqual(len(warning), 1)

    def test_activity_notes_give_the_deadline_in_the_branch_time_zone(self):
        """G-4: the warning's note gives the deadline in the branch's time
        zone (09:10 WIB), not in its owner's own (02:10 in London)."""
        self.users["advisor"].tz = "Europe/London"
        _policy, document, _line = self._breach_setup()
        with freeze_time(datetime(2026, 11, 23, 2, 9)):
            self.env["gema.sla.status"]._cron_process_due()
        warning = self._activities(document, "gema_sop.mail_activity_type_sla_warning")
        self.assertIn("2026-11-23 09:10", warning.note)

    def test_breach_escalates_records_a_violation_then_the_manager(self):
        """G-2 / G-4 / BK-11: on breach the supervisor gets an escalation,
        the responsible employee a violation and the record a chatter note;
        still breached after a second period, the manager is escalated to.
        Each happens once."""
        policy, document, line = self._breach_setup()
        Status = self.env["gema.sla.status"]
        with freeze_time(datetime(2026, 11, 23, 2, 11)):
            Status._cron_process_due()
            Status._cron_process_due()
        self.assertEqual(line.state, "breached")
        self.assertEqual(document.gema_sla_result, "breached")
        escalations = self._activities(
            document, "gema_sop.mail_activity_type_sla_escalation"
        )
        self.assertEqual(escalations.user_id, self.users["supervisor"])
        violation = line.violation_id
        self.assertEqual(violation.employee_id, self.employees["advisor"])
        self.assertEqual(
            (
                violation.detection,
                violation.violation_type,
                violation.sop,
                violation.state,
            ),
            ("sla", "bk_no_reply", "BK", "draft"),
        )
        self.assertEqual(
            (violation.res_model, violation.res_id), (document._name, document.id)
        )
        self.assertIn(policy.name, document.message_ids[0].body)
        # The warning was skipped: the cron saw the line only after its deadline.
        self.assertFalse(
            self._activities(document, "gema_sop.mail_activity_type_sla_warning")
        )
        with freeze_time(datetime(2026, 11, 23, 2, 21)):
            Status._cron_process_due()
            Status._cron_process_due()
        escalations = self._activities(
            document, "gema_sop.mail_activity_type_sla_escalation"
        )
        self.assertEqual(len(escalations), 2)
        self.assertIn(self.users["manager"], escalations.user_id)
        self.assertEqual(line.escalation_stage, 3)
        self.assertFalse(line.next_check)
        self.assertEqual(
            self.env["gema.violation"].search_count([("sla_status_id", "=", line.id)]),
            1,
        )

    def test_breach_note_is_html_with_names_escaped_once(self):
        """G-4 / robustness: the breach note in the chatter is real HTML
        (not its tags shown as text), in the language of the run; the
        policy name and the responsible's name, text people typed, are
        escaped once, so their tags show as text and run as nothing."""
        self.employees["advisor"].parent_id = self.employees["supervisor"]
        self.users["advisor"].name = "Advisor <b>Bold</b>"
        policy = self._policy(
            name="Reply <b>fast</b>", duration=10, duration_unit="minutes"
        )
        with freeze_time(datetime(2026, 11, 23, 2, 0)):  # Mon 09:00 WIB
            document = self._document()
        with freeze_time(datetime(2026, 11, 23, 2, 11)):
            self.env["gema.sla.status"].with_context(lang="id_ID")._cron_process_due()
        self.assertEqual(self._line(document, policy).state, "breached")
        note = document.message_ids[0]
        self.assertEqual(
            note.body,
            "<p>Standar waktu terlanggar: Reply &lt;b&gt;fast&lt;/b&gt;</p>",
        )
        escalation = self._activities(
            document, "gema_sop.mail_activity_type_sla_escalation"
        )
        self.assertTrue(escalation.note.startswith("<p>"))
        self.assertIn("Advisor &lt;b&gt;Bold&lt;/b&gt;", escalation.note)
        self.assertNotIn("&amp;lt;", escalation.note)

    def test_closing_after_breach_is_met_late(self):
        _policy, document, line = self._breach_setup()
        with freeze_time(datetime(2026, 11, 23, 2, 11)):
            self.env["gema.sla.status"]._cron_process_due()
        with freeze_time(datetime(2026, 11, 23, 2, 30)):
            document.message_post(body="Maaf", subtype_xmlid="mail.mt_comment")
        self.assertEqual(line.state, "late")
        self.assertFalse(line.next_check)

    def test_cron_reports_progress_in_batches(self):
        """The cron handles one batch per call and reports what remains."""
        self._policy(duration=10, duration_unit="minutes")
        with freeze_time(datetime(2026, 11, 23, 2, 0)):
            for _index in range(3):
                self._document()
        cron = self.env.ref("gema_sop.ir_cron_sla_process_due")
        cron, progress = cron._add_progress()
        Status = self.env["gema.sla.status"].with_context(
            ir_cron_progress_id=progress.id
        )
        # Past the deadlines (02:10), before the manager escalations (02:20).
        with freeze_time(datetime(2026, 11, 23, 2, 15)):
            self.assertEqual(Status._cron_process_due(batch_size=2), 2)
            self.assertEqual((progress.done, progress.remaining), (2, 1))
            self.assertEqual(Status._cron_process_due(batch_size=2), 1)
            self.assertEqual((progress.done, progress.remaining), (1, 0))
            self.assertEqual(Status._cron_process_due(batch_size=2), 0)

    def test_one_claim_query_per_batch(self):
        """The cron finds due lines with one query, whatever their number."""
        self._policy(duration=10, duration_unit="minutes")
        with freeze_time(datetime(2026, 11, 23, 2, 0)):
            self._document()
        Status = self.env["gema.sla.status"]
        self.env.flush_all()
        with freeze_time(datetime(2026, 11, 23, 1, 0)), self.assertQueryCount(1):
            Status._cron_process_due()

    def test_claim_costs_the_same_queries_for_a_small_or_big_backlog(self):
        """G-4 / robustness: a batch of 2 claimed from a backlog of 3 or of
        12 due lines costs the same queries: the claim reads one batch and
        what remains is counted up to a batch, not over the backlog."""
        self._policy(duration=10, duration_unit="minutes")
        Status = self.env["gema.sla.status"]
        # The first round fills the caches (references, access rules).
        for backlog, day, queries in ((3, 23, None), (3, 24, 38), (12, 25, 38)):
            with freeze_time(datetime(2026, 11, day, 2, 0)):
                documents = self.env["gema.sop.document"].concat(
                    *(self._document() for _index in range(backlog))
                )
            self.env.flush_all()
            self.env.invalidate_all()
            with (
                freeze_time(datetime(2026, 11, day, 2, 15)),
                self.assertQueryCount(queries or 1000),
            ):
                self.assertEqual(Status._cron_process_due(batch_size=2), 2)
                self.env.flush_all()
            documents.unlink()

    def test_breaching_a_batch_costs_the_same_queries_for_2_or_20_lines(self):
        """G-4: escalating is batched; a batch of 20 breaches issues as many
        queries as a batch of 2 (one create of activities, of violations and
        of chatter notes, one update of the lines; no notification email per
        activity)."""
        self.employees["advisor"].parent_id = self.employees["supervisor"]
        self._policy(duration=10, duration_unit="minutes", violation_type="bk_no_reply")
        Status = self.env["gema.sla.status"]
        # The first round fills the caches (references, access rules).
        for size, day, queries in ((2, 23, None), (2, 24, 41), (20, 25, 41)):
            documents = self.env["gema.sop.document"]
            start = datetime(2026, 11, day, 2, 0)
            for index in range(size):  # 10 s apart: each its own deadlines
                with freeze_time(start + timedelta(seconds=10 * index)):
                    documents |= self._document()
            self.env.flush_all()
            self.env.invalidate_all()
            with (
                freeze_time(datetime(2026, 11, day, 2, 15)),
                self.assertQueryCount(queries or 1000),
            ):
                self.assertEqual(Status._cron_process_due(), size)
                self.env.flush_all()
            self.assertEqual(self.env["mail.mail"].search_count([]), 0)
            self.assertEqual(
                self.env["gema.violation"].search_count(
                    [("res_id", "in", documents.ids)]
                ),
                size,
            )
            documents.unlink()  # their lines go too: the next batch is new

    def test_smart_button_opens_the_lines_of_the_record(self):
        self._policy(duration=1)
        document = self._document()
        self.assertEqual(document.gema_sla_status_count, 1)
        action = document.action_gema_open_sla_lines()
        self.assertEqual(
            self.env["gema.sla.status"].search(action["domain"]),
            document.gema_sla_status_ids,
        )

    # Roles ------------------------------------------------------------------

    def test_employees_see_their_own_lines_supervisors_all(self):
        self._policy(duration=1)
        mine = self._document()
        theirs = self._document(user_id=self.users["cs"].id)
        Status = self.env["gema.sla.status"]
        lines = (mine | theirs).gema_sla_status_ids
        self.assertEqual(
            Status.with_user(self.users["advisor"]).search([("id", "in", lines.ids)]),
            mine.gema_sla_status_ids,
        )
        self.assertEqual(
            Status.with_user(self.users["supervisor"]).search(
                [("id", "in", lines.ids)]
            ),
            lines,
        )

    def test_only_sop_administrators_edit_policies(self):
        policy = self._policy(duration=1)
        for role in ("advisor", "supervisor", "manager"):
            with self.subTest(role=role), self.assertRaises(AccessError):
                policy.with_user(self.users[role]).write({"duration": 2})
        policy.with_user(self.users["sopadmin"]).write({"duration": 2})
        self.assertEqual(policy.duration, 2)

    def test_database_allows_one_open_clock_per_policy_and_record(self):
        """Two workers starting the same clock at once cannot both succeed."""
        policy = self._policy(duration=1)
        line = self._line(self._document(), policy)
        with self.assertRaises(psycopg2.errors.UniqueViolation), self.cr.savepoint():
            line.copy()
            self.env.flush_all()
