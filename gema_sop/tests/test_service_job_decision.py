"""The customer's decision on extra work as the customer and the service
advisor meet it, over real HTTP (ST-2, ST-4; issue 14, "Workshop floor").

The customer's Approve or Refuse asks once ("are you sure") before it
records anything; the page then shows each decision and when it was taken,
and says "waiting for your approval" only while an item still waits. The
job's service advisor (without one, the branch's advisors) gets one
activity per decision, in their own language, with the next step; the same
decision posted again records nothing and tells nobody again. Only the
job's customer (its token holder, its portal customer) decides: staff
without the token, another customer and strangers get 404 and nobody is
told anything.
"""

import base64
from datetime import timedelta

from odoo import Command, fields
from odoo.tests import tagged
from odoo.tools import mute_logger

from .test_customer_routes_security import CustomerRoutesCase
from .test_service_job_portal import CSRF_RE

WAITING_TEXT = "Please approve or refuse each item"


@tagged("post_install", "-at_install")
class TestServiceJobDecision(CustomerRoutesCase):
    def setUp(self):
        super().setUp()
        self.activities_before = self.env["mail.activity"].search([])
        self.messages_before = self.env["mail.message"].search([])

    # Helpers -------------------------------------------------------------

    def _decision(self, line, decision, token=None, confirmed=True, **data):
        if confirmed:
            data["confirmed"] = "1"
        return self._post(
            f"/my/jobs/{line.job_id.id}/lines/{line.id}/decision",
            token,
            decision=decision,
            **data,
        )

    def _new_activities(self):
        return self.env["mail.activity"].search(
            [
                ("id", "not in", self.activities_before.ids),
                ("res_model", "=", "gema.service.job"),
            ]
        )

    def _new_messages(self, job, message_type):
        return self.env["mail.message"].search(
            [
                ("id", "not in", self.messages_before.ids),
                ("model", "=", job._name),
                ("res_id", "=", job.id),
                ("message_type", "=", message_type),
            ]
        )

    def _decision_notes(self, job):
        return self._new_messages(job, "notification").filtered(
            lambda message: "Customer decision on extra work" in message.body
            or "Keputusan pelanggan" in message.body
        )

    # The confirmation ------------------------------------------------------

    def test_st2_approve_asks_once_then_records(self):
        """ST-2: Approve shows the question first and records nothing; the
        answer records the decision with the note typed before, once."""
        self._visit_as("public")
        response = self._decision(
            self.line_brakes, "approved", self.token_a, confirmed=False, note="Ok"
        )
        self.assertEqual(response.status_code, 200)
        self.assertIn('id="gema_job_confirm"', response.text)
        self.assertIn("Approve this extra work?", response.text)
        self.assertIn("Yes, approve", response.text)
        self.assertIn('name="confirmed" value="1"', response.text)
        self.assertIn('name="note" value="Ok"', response.text)
        self.line_brakes.invalidate_recordset()
        self.assertEqual(self.line_brakes.approval_state, "proposed")
        self.assertFalse(self._new_activities())
        self.assertFalse(self._decision_notes(self.job_a))

        response = self._decision(
            self.line_flush, "refused", self.token_a, confirmed=False
        )
        self.assertIn("Refuse this extra work?", response.text)
        self.assertIn("Yes, refuse", response.text)

        response = self._decision(self.line_brakes, "approved", self.token_a, note="Ok")
        self.assertEqual(response.status_code, 200)
        self.assertNotIn('id="gema_job_confirm"', response.text)
        self.line_brakes.invalidate_recordset()
        self.assertEqual(
            (self.line_brakes.approval_state, self.line_brakes.approval_note),
            ("approved", "Ok"),
        )
        self.assertEqual(len(self._decision_notes(self.job_a)), 1)

    def test_st2_same_decision_twice_records_and_notifies_once(self):
        """ST-2 / robustness: the same approval posted again (double tap,
        reload, second tab), confirmed or not, records nothing more, tells
        the advisor nothing more, and shows the decision already taken."""
        self._visit_as("public")
        self._decision(self.line_brakes, "approved", self.token_a)
        self.line_brakes.invalidate_recordset()
        decided = self.line_brakes.decision_date
        for confirmed in (True, False):
            with self.subTest(confirmed=confirmed):
                response = self._decision(
                    self.line_brakes, "approved", self.token_a, confirmed=confirmed
                )
                self.assertEqual(response.status_code, 200)
                self.assertIn("alert-info", response.text)
                self.assertIn("already recorded", response.text)
                self.assertNotIn('id="gema_job_confirm"', response.text)
        self.line_brakes.invalidate_recordset()
        self.assertEqual(self.line_brakes.decision_date, decided)
        self.assertEqual(len(self._decision_notes(self.job_a)), 1)
        self.assertEqual(len(self._new_activities()), 1)
        advisor = self.users["advisor"].partner_id
        notifications = self._new_messages(self.job_a, "user_notification")
        self.assertEqual(notifications.partner_ids, advisor)
        self.assertEqual(len(notifications), 1)

    # The advisor's notification ---------------------------------------------

    def test_st2_advisor_told_in_their_language_with_the_next_step(self):
        """ST-2: each customer decision gives the job's service advisor one
        activity (Odoo's inbox or email notification with it) saying what
        was decided, by whom, how, and the next step, in the advisor's
        language: Indonesian, then English."""
        advisor = self.users["advisor"]
        advisor.lang = "id_ID"
        self._visit_as("public")
        self._decision(self.line_brakes, "approved", self.token_a)
        activity = self._new_activities()
        self.assertEqual(len(activity), 1)
        self.assertEqual(
            (activity.res_id, activity.user_id, activity.date_deadline),
            (self.job_a.id, advisor, fields.Date.to_date("2026-11-23")),
        )
        self.assertEqual(
            activity.summary,
            "Pelanggan menyetujui pekerjaan tambahan: Replace brake pads — beri "
            "tahu teknisi dan rencanakan pekerjaannya",
        )
        customer = self.customer_a.name
        self.assertIn(f"{customer} memutuskan Replace brake pads", activity.note)
        self.assertIn("melalui Tautan pelanggan pada 23/11/26", activity.note)
        self.assertIn(
            "Masih menunggu keputusan pelanggan untuk: Engine flush", activity.note
        )
        notification = self._new_messages(self.job_a, "user_notification")
        self.assertEqual(notification.partner_ids, advisor.partner_id)
        self.assertIn(activity.summary, notification.subject)

        advisor.lang = "en_US"
        self._visit_as("portal_a")
        self._decision(self.line_flush, "refused")
        activity = self._new_activities() - activity
        self.assertEqual(
            activity.summary,
            "Customer refused extra work: Engine flush — tell the technician not "
            "to do it",
        )
        self.assertIn(f"{customer} decided on Engine flush (", activity.note)
        self.assertIn("via Customer link on 11/23/26", activity.note)
        self.assertIn(
            f"Every extra work item is decided: start the work on {self.job_a.name}",
            activity.note,
        )

    def test_st2_without_advisor_the_branch_advisors_are_told(self):
        """ST-2: a job without a service advisor tells the branch's front
        desk advisors, not its supervisors and managers."""
        self.job_a.user_id = False
        self._visit_as("public")
        self._decision(self.line_brakes, "approved", self.token_a)
        self.assertEqual(self._new_activities().user_id, self.users["advisor"])

    def test_st2_decision_recorded_by_staff_tells_the_advisor_not_the_recorder(
        self,
    ):
        """ST-2: a decision the advisor records themselves tells nobody; one
        a CS officer records tells the job's advisor."""
        for line, role, method in (
            (self.line_brakes, "advisor", "phone"),
            (self.line_flush, "cs", "whatsapp"),
        ):
            evidence = self.env["ir.attachment"].create(
                {"name": "chat.png", "datas": base64.b64encode(b"chat screenshot")}
            )
            line.write(
                {"approval_method": method, "evidence_ids": [Command.set(evidence.ids)]}
            )
            line.with_user(self.users[role]).action_approve()
            if role == "advisor":
                self.assertFalse(self._new_activities())
        self.assertEqual(self._new_activities().user_id, self.users["advisor"])

    # Who may decide ------------------------------------------------------------

    @mute_logger("odoo.http", "werkzeug")
    def test_st2_only_the_customer_decides_and_only_then_is_anyone_told(self):
        """ST-2 / security (issue 11): staff of every role without the token,
        a staff member with it, another customer's portal user, and
        strangers (no, wrong or another job's token) get 404 for the
        question and the answer alike; nothing is recorded, nobody told.
        The token holder and the portal customer decide, each telling the
        advisor once."""
        visitors = [
            *self._strangers(self.job_a, self.job_b),
            ("advisor", self.token_a),
            ("technician", self.token_a),
        ]
        for who, token in visitors:
            with self.subTest(visitor=who, token=token):
                self._visit_as(who)
                for confirmed in (False, True):
                    response = self._decision(
                        self.line_brakes, "approved", token, confirmed=confirmed
                    )
                    self.assertEqual(response.status_code, 404)
                    self.assertNotIn("gema_job_confirm", response.text)
        self.line_brakes.invalidate_recordset()
        self.assertEqual(self.line_brakes.approval_state, "proposed")
        self.assertFalse(self._new_activities())
        self.assertFalse(self._decision_notes(self.job_a))

        self._visit_as("public")
        self._decision(self.line_brakes, "approved", self.token_a)
        self._visit_as("portal_a")
        self._decision(self.line_flush, "refused")
        self.env.invalidate_all()
        self.assertEqual(
            (self.line_brakes | self.line_flush).mapped("approval_state"),
            ["approved", "refused"],
        )
        self.assertEqual(len(self._new_activities()), 2)

    # What the page says ----------------------------------------------------------

    def test_st2_page_shows_decisions_and_waits_only_while_waiting(self):
        """ST-2: while an item waits the page asks for the decision; once
        every item is decided it says the decision was received, shows each
        decision with when and how, and offers no form; the customer's job
        list says the same."""
        self.portal_a.lang = "en_US"
        self._visit_as("portal_a")
        self._decision(self.line_brakes, "approved")
        html = self._page(self.job_a, None).text
        self.assertIn(WAITING_TEXT, html)
        self.assertEqual(len(CSRF_RE.findall(html)), 1, "the engine flush form")

        self._decision(self.line_flush, "refused")
        html = self._page(self.job_a, None).text
        self.assertNotIn(WAITING_TEXT, html)
        self.assertNotIn("Waiting for your approval", html)
        self.assertIn("Decision received", html)
        self.assertFalse(CSRF_RE.findall(html), "no decision form")
        for line, badge in (
            (self.line_brakes, "Approved"),
            (self.line_flush, "Refused"),
        ):
            with self.subTest(line=line.name):
                card = html.split(f'id="gema_job_line_{line.id}"')[1].split(
                    "</section>"
                )[0]
                self.assertIn(badge, card.split("o_gema_job_line_decided")[0])
                self.assertIn("11/23/2026 08:00", card)
                self.assertIn("Customer link", card)
        listing = self.url_open("/my/jobs").text
        self.assertIn("Decision received", listing)
        self.assertNotIn("Waiting for your approval", listing)

    def test_st2_page_tells_when_the_time_to_decide_passed(self):
        """ST-2: when only expired items wait, the page asks the customer to
        contact the workshop instead of asking for a decision."""
        self.portal_a.lang = "en_US"
        self.line_brakes.approval_expires = fields.Datetime.now() - timedelta(hours=1)
        self._visit_as("portal_a")
        self._decision(self.line_flush, "refused")
        html = self._page(self.job_a, None).text
        self.assertNotIn(WAITING_TEXT, html)
        self.assertIn("the time to decide online has passed: please contact", html)
