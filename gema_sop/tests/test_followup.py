"""Follow-up and testimonials (SPEC FU-1 ... FU-8)."""

from ast import literal_eval
from datetime import date, datetime, timedelta

from psycopg2 import IntegrityError

from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, freeze_time, tagged
from odoo.tools import mute_logger

from .service_job_common import ServiceJobCase

H2 = "gema_sop.sla_policy_fu4_followup_h2"
COMPLAINT = "gema_sop.sla_policy_fu2_complaint_handled"
REPLY = "gema_sop.sla_policy_fu5_testimonial_reply"


def wib(day, hour, minute=0, month=11):
    """A moment of 2026 in Asia/Jakarta (UTC+7), as naive UTC."""
    return datetime(2026, month, day, hour, minute) - timedelta(hours=7)


# 2026-11-28 is a Saturday: H+2 in working days is Tuesday 1 December.
SATURDAY_1000 = wib(28, 10)


@tagged("post_install", "-at_install")
class TestFollowup(ServiceJobCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.activate_indonesian()
        cls.branch.gema_google_review_url = "https://g.page/r/test-medan/review"
        cls.Followup = cls.env["gema.followup"].with_user(cls.advisor)

    def _delivered(self, at=SATURDAY_1000):
        """A job taken through every step and handed over at ``at``; its
        follow-up."""
        job = self._delivered_job(at)
        return job, self.Followup.search([("service_job_id", "=", job.id)])

    def _reached(self, followup, outcome="satisfied", feedback="Mobil nyaman."):
        followup.write(
            {
                "contact_channel": "phone",
                "condition_note": "Rem sudah tidak berbunyi.",
                "outcome": outcome,
                "feedback": feedback,
            }
        )
        followup.action_contacted()
        return followup

    def _done_items(self, followup):
        return (
            self.env["mail.activity"]
            .with_context(active_test=False)
            .search(
                [
                    ("res_model", "=", followup._name),
                    ("res_id", "=", followup.id),
                    ("active", "=", False),
                ]
            )
            .activity_type_id.mapped(lambda t: t.get_external_id()[t.id])
        )

    # FU-1, FU-4 ---------------------------------------------------------------

    def test_fu1_fu4_delivery_makes_one_followup_due_on_h2(self):
        """FU-1/FU-4: handing the vehicle over makes its follow-up for the
        job's service advisor, dated at the hand-over, with the FU-8
        checklist and a deadline at 17:00 on the second working day (a
        Saturday delivery is due on Tuesday: Sunday does not count)."""
        job, followup = self._delivered()
        self.assertEqual(len(followup), 1)
        self.assertEqual(followup.service_date, SATURDAY_1000)
        self.assertEqual(followup.user_id, self.advisor)
        self.assertEqual(followup.state, "to_call")
        self.assertTrue(followup.name.startswith("FU/"))
        self.assertEqual(job.followup_count, 1)
        # FU-8: the call's items (data checked, customer contacted); what
        # the call records and the testimonial's come once reached.
        self.assertEqual(followup.checklist_total, 2)
        line = self._sla_line(followup, H2)
        self.assertEqual(line.deadline, wib(1, 17, month=12))
        self.assertEqual(followup.gema_sla_deadline, wib(1, 17, month=12))
        # One follow-up per job, whatever calls it again.
        self.assertFalse(self.env["gema.followup"]._create_for_jobs(job))
        with (
            mute_logger("odoo.sql_db"),
            self.assertRaises(IntegrityError),
            self.cr.savepoint(),
        ):
            self.env["gema.followup"].create({"service_job_id": job.id})

    def test_fu1_daily_action_completes_the_list_once(self):
        """FU-1: the morning action makes the follow-ups missing for vehicles
        delivered in the last three days (not older ones, not twice)."""
        recent = self._job(start=None)
        old = self._job(start=None)
        with freeze_time(wib(27, 9)):
            # Delivered by hand (an import, a repair): no follow-up was made.
            for job, day in ((recent, 25), (old, 20)):
                job.sudo().write({"state": "delivered"})
                job.sudo().write({"state_date": wib(day, 15)})
            made = self.env["gema.followup"]._cron_create_missing()
            self.assertEqual(made.service_job_id, recent)
            self.assertEqual(made.service_date, wib(25, 15))
            self.assertFalse(self.env["gema.followup"]._cron_create_missing())
        self.assertFalse(old.followup_ids)

    def test_fu1_unusable_number_is_shown_and_blocks_contact(self):
        """FU-1: a missing or invalid number is visible on the list and no
        contact can be recorded until it is corrected on the customer."""
        _job, followup = self._delivered()
        self.assertEqual(followup.phone_status, "valid")
        self.assertEqual(followup.customer_phone, "+6281234567890")
        self.customer.mobile = "0812-555"
        self.assertEqual(followup.phone_status, "invalid")
        listed = self.Followup.search([("phone_status", "!=", "valid")])
        self.assertIn(followup, listed)
        with self.assertRaisesBilingual(
            UserError, "missing or not valid", "tidak ada atau tidak valid"
        ) as run:
            run(lambda env: followup.with_env(env).action_contacted())
            run(lambda env: followup.with_env(env).action_no_answer())
        self.customer.mobile = False
        self.assertEqual(followup.phone_status, "missing")
        self.customer.mobile = "0812 3456 7890"
        self.assertEqual(followup.phone_status, "valid")
        self._reached(followup)
        self.assertEqual(followup.state, "contacted")

    def test_fu4_no_followup_by_h2_is_a_violation_of_the_advisor(self):
        """FU-4/FU-7: nobody called by H+2 17:00: the next check records "no
        follow-up" against the service advisor."""
        _job, followup = self._delivered()
        with freeze_time(wib(1, 17, 5, month=12)):
            self.env["gema.sla.status"]._cron_process_due()
        line = self._sla_line(followup, H2)
        self.assertEqual(line.state, "breached")
        self.assertEqual(
            (line.violation_id.employee_id, line.violation_id.violation_type),
            (self.employees["advisor"], "fu_no_followup"),
        )
        self.assertEqual(followup.gema_sla_result, "breached")
        self.assertEqual(followup.gema_sla_on_time_rate, 0.0)

    # FU-2, FU-8 ---------------------------------------------------------------

    def test_fu2_fu8_contact_records_condition_and_outcome(self):
        """FU-2/FU-8: "reached" needs the channel, the vehicle's condition
        and the outcome (and the words of a complaint); it stops the H+2
        clock on time and ticks checklist items 1-4."""
        _job, followup = self._delivered()
        with self.assertRaisesRegex(UserError, "condition after the service"):
            followup.action_contacted()
        followup.write({"condition_note": "Normal", "outcome": "complaint"})
        with self.assertRaisesRegex(UserError, "feedback or complaint"):
            followup.action_contacted()
        followup.outcome = "satisfied"
        with freeze_time(wib(30, 9)):
            followup.action_contacted()
        self.assertEqual(followup.state, "contacted")
        self.assertEqual(followup.contacted_by_id, self.advisor)
        self.assertEqual(followup.contact_date, wib(30, 9))
        self.assertEqual(self._sla_line(followup, H2).state, "done")
        self.assertEqual(followup.gema_sla_result, "on_time")
        self.assertEqual(
            set(self._done_items(followup)),
            {
                "gema_sop.mail_activity_type_fu8_data_checked",
                "gema_sop.mail_activity_type_fu8_contacted",
                "gema_sop.mail_activity_type_fu8_condition",
                "gema_sop.mail_activity_type_fu8_feedback",
            },
        )
        with self.assertRaisesRegex(UserError, "not possible"):
            followup.action_no_answer()
        with self.assertRaisesRegex(UserError, "buttons"):
            followup.write({"state": "closed"})

    def test_fu2_whatsapp_message_is_a_followup_attempt(self):
        """FU-2/FU-4: the follow-up message opens WhatsApp with the polite
        text, is logged, and counts as the attempt of the day."""
        _job, followup = self._delivered()
        with freeze_time(wib(30, 9)):
            url = self.follow_whatsapp_link(followup.action_send_followup_message())
        self.assertTrue(url.startswith("https://wa.me/6281234567890"))
        message = self.env["gema.message"].search(
            [("res_model", "=", followup._name), ("res_id", "=", followup.id)]
        )
        self.assertEqual(
            message.template_id,
            self.env.ref("gema_sop.mail_template_followup_message"),
        )
        self.assertIn("Budi Santoso", message.body)
        self.assertIn("BK 1234 ABC", message.body)
        self.assertEqual(followup.first_attempt_date, wib(30, 9))
        self.assertEqual(self._sla_line(followup, H2).state, "done")

    def test_fu2_fu7_complaint_goes_to_the_supervisor_and_is_timed(self):
        """FU-2/FU-7: a complaint is escalated to the branch's CS supervisor
        (activity), has its own one-working-day standard, is handled only by
        a supervisor with the resolution written, and blocks closing until
        then; left unhandled it is recorded against the supervisor."""
        _job, followup = self._delivered()
        with freeze_time(wib(30, 9)):
            self._reached(followup, "complaint", "Rem masih berbunyi.")
        supervisor = self.users["supervisor"]
        self.assertEqual(followup.complaint_user_id, supervisor)
        self.assertTrue(followup.complaint_open)
        activity = followup.activity_ids.filtered(
            lambda a: a.activity_type_id
            == self.env.ref("gema_sop.mail_activity_type_followup_complaint")
        )
        self.assertEqual(activity.user_id, supervisor)
        self.assertIn("Rem masih berbunyi.", activity.note)
        line = self._sla_line(followup, COMPLAINT)
        self.assertEqual(line.user_id, supervisor)
        self.assertEqual(line.deadline, wib(1, 9, month=12))
        with self.assertRaisesRegex(UserError, "handled by the CS supervisor"):
            followup.action_close()
        with self.assertRaisesRegex(UserError, "Only a CS supervisor"):
            followup.action_complaint_handled()
        as_supervisor = followup.with_user(supervisor)
        with self.assertRaisesRegex(UserError, "how the complaint"):
            as_supervisor.action_complaint_handled()
        with freeze_time(wib(1, 9, 5, month=12)):
            self.env["gema.sla.status"]._cron_process_due()
        self.assertEqual(line.state, "breached")
        self.assertEqual(
            (line.violation_id.employee_id, line.violation_id.violation_type),
            (self.employees["supervisor"], "fu_complaint_ignored"),
        )
        as_supervisor.complaint_resolution = "Kampas rem diganti ulang tanpa biaya."
        with freeze_time(wib(1, 10, month=12)):
            as_supervisor.action_complaint_handled()
        self.assertFalse(followup.complaint_open)
        self.assertEqual(line.state, "late")
        self.assertFalse(activity.exists() and activity.active)
        with self.assertRaisesRegex(UserError, "satisfied customer"):
            followup.action_request_testimonial()
        followup.action_close()
        self.assertEqual(followup.state, "closed")

    # FU-6 ---------------------------------------------------------------------

    def test_fu6_no_answer_counts_attempts_and_plans_the_next_working_day(self):
        """FU-6: "no answer" counts the attempt, plans the next call on the
        next working day (Saturday -> Monday) and keeps the customer on the
        list; it may be closed as unreachable only after three attempts."""
        _job, followup = self._delivered()
        with freeze_time(wib(28, 14)):
            followup.action_no_answer()
        self.assertEqual(
            (followup.state, followup.attempt_count, followup.next_attempt_date),
            ("no_answer", 1, date(2026, 11, 30)),
        )
        call_type = self.env.ref("mail.mail_activity_data_call")
        call = followup.activity_ids.filtered(lambda a: a.activity_type_id == call_type)
        self.assertEqual(call.date_deadline, date(2026, 11, 30))
        self.assertEqual(call.user_id, self.advisor)
        # The first attempt was in time for FU-4.
        self.assertEqual(self._sla_line(followup, H2).state, "done")
        today_list = [
            ("state", "in", ("to_call", "no_answer")),
            "|",
            ("next_attempt_date", "=", False),
            ("next_attempt_date", "<=", "2026-11-30"),
        ]
        self.assertIn(followup, self.Followup.search(today_list))
        with self.assertRaisesRegex(UserError, "only after 3 attempts"):
            followup.action_close()
        with freeze_time(wib(30, 9)):
            followup.action_no_answer()
        with freeze_time(wib(1, 9, month=12)):
            followup.action_no_answer()
        self.assertEqual(followup.attempt_count, 3)
        self.assertEqual(followup.next_attempt_date, date(2026, 12, 2))
        calls = followup.activity_ids.filtered(
            lambda a: a.activity_type_id == call_type
        )
        self.assertEqual(calls.date_deadline, date(2026, 12, 2))
        followup.action_close()
        self.assertEqual(followup.state, "closed")
        self.assertFalse(followup.next_attempt_date)

    # FU-3, FU-5 ---------------------------------------------------------------

    def test_fu3_testimonial_only_after_a_positive_answer_with_the_review_link(self):
        """FU-3/FU-5: a testimonial is asked only of a satisfied customer,
        only when the branch's review link is set, and the request carries
        the link and offers no reward; checklist items 5-6 are ticked once
        the request left."""
        _job, followup = self._delivered()
        with self.assertRaisesBilingual(
            UserError, "satisfied customer", "pelanggan yang puas"
        ) as run:
            run(lambda env: followup.with_env(env).action_request_testimonial())
        self._reached(followup, "feedback", "Antrean agak lama.")
        with self.assertRaisesRegex(UserError, "satisfied customer"):
            followup.action_request_testimonial()

        _job2, happy = self._delivered(wib(30, 10))
        self._reached(happy)
        self.branch.gema_google_review_url = False
        with self.assertRaisesBilingual(
            UserError, "no Google review link", "belum memiliki tautan ulasan Google"
        ) as run:
            run(lambda env: happy.with_env(env).action_request_testimonial())
        self.branch.gema_google_review_url = "https://g.page/r/test-medan/review"
        action = happy.action_request_testimonial()
        self.assertEqual(len(self._done_items(happy)), 4, "not sent yet")
        self.follow_whatsapp_link(action)
        self.assertEqual(happy.state, "testimonial")
        self.assertEqual(happy.testimonial_requested_by_id, self.advisor)
        message = self.env["gema.message"].search(
            [("res_model", "=", happy._name), ("res_id", "=", happy.id)]
        )
        self.assertIn("https://g.page/r/test-medan/review", message.body)
        for word in ("discount", "diskon", "voucher", "hadiah", "gift", "reward"):
            self.assertNotIn(word, message.body.lower())
        self.assertEqual(len(self._done_items(happy)), 6)
        self.assertEqual(happy.checklist_progress, 100.0)

    def _review_messages(self, followups):
        """The neutral review requests sent about ``followups``."""
        template = self.env.ref("gema_sop.mail_template_followup_review")
        return self.env["gema.message"].search(
            [
                ("res_model", "=", followups._name),
                ("res_id", "in", followups.ids),
                ("template_id", "=", template.id),
            ]
        )

    def _assert_review_refused(self, followup, english, indonesian):
        """No *Ask for a Review* button, and the action refused, in both
        languages."""
        self.assertFalse(followup.review_request_allowed)
        with self.assertRaisesBilingual(UserError, english, indonesian) as run:
            run(lambda env: followup.with_env(env).action_request_review())

    def test_fu3_fu5_review_asked_of_every_reached_customer_by_default(self):
        """FU-3/FU-5 (no review gating): by default a reached customer who
        was not satisfied but did not complain gets the review link once, in
        a neutral message; an unreached customer and an open complaint do
        not."""
        self.assertTrue(self.branch.gema_review_ask_everyone)
        self.customer.lang = "en_US"
        _job, unreached = self._delivered()
        self._assert_review_refused(
            unreached, "reach the customer", "hubungi pelanggan"
        )

        _job2, complaint = self._delivered(wib(30, 10))
        self._reached(complaint, "complaint", "Rem masih berbunyi.")
        self._assert_review_refused(
            complaint, "complaint must be handled", "keluhan harus ditangani"
        )
        self.assertFalse(self._review_messages(complaint | unreached))

        _job3, neutral = self._delivered(wib(30, 11))
        self._reached(neutral, "feedback", "Antrean agak lama.")
        self.assertTrue(neutral.review_request_allowed)
        url = self.follow_whatsapp_link(neutral.action_request_review())
        self.assertTrue(url.startswith("https://wa.me/6281234567890"))
        message = self._review_messages(neutral)
        self.assertEqual(message.state, "sent")
        self.assertIn("https://g.page/r/test-medan/review", message.body)
        self.assertIn("honest review", message.body)
        self.assertNotIn("kind words", message.body)
        for word in ("discount", "voucher", "gift", "reward"):
            self.assertNotIn(word, message.body.lower())
        # Once per follow-up: asking again sends nothing new.
        neutral.action_request_review()
        self.assertEqual(self._review_messages(neutral), message)

    def test_fu3_review_request_by_role(self):
        """Security: the desk roles can ask for the review (one message for
        the follow-up, whoever asks again); technicians and logistics cannot
        reach the action."""
        _job, followup = self._delivered()
        self._reached(followup, "feedback", "Antrean agak lama.")
        for role in ("technician", "logistics"):
            with self.assertRaises(AccessError):
                followup.with_user(self.users[role]).action_request_review()
        self.assertFalse(self._review_messages(followup))
        for role in ("advisor", "cs", "supervisor", "manager"):
            followup.with_user(self.users[role]).action_request_review()
        self.assertEqual(len(self._review_messages(followup)), 1)

    def test_fu3_review_setting_off_keeps_satisfied_only(self):
        """FU-3: with the branch setting off, only a satisfied customer gets
        the review link (with the testimonial request); the neutral request
        is refused."""
        self.branch.gema_review_ask_everyone = False
        _job, neutral = self._delivered()
        self._reached(neutral, "feedback", "Antrean agak lama.")
        self._assert_review_refused(
            neutral, "only satisfied customers", "ulasan dari pelanggan yang puas"
        )
        with self.assertRaisesRegex(UserError, "satisfied customer"):
            neutral.action_request_testimonial()
        _job2, happy = self._delivered(wib(30, 10))
        self._reached(happy)
        happy.action_request_testimonial()
        self.assertFalse(self._review_messages(neutral | happy))
        self.assertEqual(happy.state, "testimonial")

    def test_fu3_review_request_in_the_customer_language(self):
        """FU-3/G-3: the neutral review request is written in Indonesian to
        an Indonesian customer."""
        self.customer.lang = "id_ID"
        _job, followup = self._delivered()
        self._reached(followup, "feedback", "Antrean agak lama.")
        followup.action_request_review()
        message = self._review_messages(followup)
        self.assertIn("ulasan", message.body)
        self.assertNotIn("honest review", message.body)
        self.assertIn("https://g.page/r/test-medan/review", message.body)

    def test_fu3_social_media_permission_is_recorded_with_who_and_when(self):
        """FU-3, G-5: the permission to post on social media is asked of a
        satisfied customer and recorded with who and when, on the follow-up
        and as the customer's consent."""
        _job, followup = self._delivered()
        with self.assertRaisesRegex(UserError, "social media permission"):
            followup.action_permission_granted()
        self._reached(followup)
        with freeze_time(wib(30, 11)):
            followup.action_permission_refused()
        self.assertEqual(
            (
                followup.social_permission,
                followup.social_permission_by_id,
                followup.social_permission_date,
            ),
            ("refused", self.advisor, wib(30, 11)),
        )
        # G-5: the answer is the customer's, kept on them with its channel.
        self.assertRecordValues(
            followup.partner_id,
            [
                {
                    "gema_testimonial_consent": "withdrawn",
                    "gema_testimonial_consent_channel": "phone",
                    "gema_testimonial_consent_date": wib(30, 11),
                    "gema_whatsapp_consent": False,
                }
            ],
        )
        with freeze_time(wib(30, 12)):
            followup.action_permission_granted()
        self.assertEqual(followup.partner_id.gema_testimonial_consent, "granted")
        self.assertEqual(
            followup.partner_id.gema_consent_ids.mapped("res_id"), followup.ids * 2
        )

    def test_fu5_every_testimonial_gets_a_reply_before_closing(self):
        """FU-5: a received testimonial, even a negative one, must have a
        reply (timed, one working day) before the follow-up is closed; it
        is kept in the branch's Testimonials list."""
        _job, followup = self._delivered()
        self._reached(followup)
        followup.action_request_testimonial()
        with freeze_time(wib(30, 12)):
            followup.write(
                {
                    "testimonial_date": date(2026, 11, 30),
                    "testimonial_sentiment": "negative",
                    "testimonial_text": "Menunggu terlalu lama.",
                }
            )
        line = self._sla_line(followup, REPLY)
        self.assertEqual(line.state, "running")
        with self.assertRaisesBilingual(
            UserError, "reply to the testimonial", "balas testimoni"
        ) as run:
            run(lambda env: followup.with_env(env).action_close())
        with freeze_time(wib(30, 14)):
            followup.testimonial_reply = (
                "Mohon maaf atas waktu tunggunya, Bapak Budi. Masukan Bapak "
                "kami perbaiki."
            )
        self.assertEqual(followup.testimonial_reply_by_id, self.advisor)
        self.assertEqual(followup.testimonial_reply_date, wib(30, 14))
        self.assertEqual(line.state, "done")
        followup.action_close()
        action = self.env.ref("gema_sop.gema_followup_action_testimonial")
        self.assertIn(followup, self.Followup.search(literal_eval(action.domain)))

    # Roles --------------------------------------------------------------------

    def test_roles_desk_acts_technicians_and_other_branches_do_not_see(self):
        """Roles: service advisors and CS officers handle follow-ups;
        technicians and logistics cannot read them (nor the job's
        follow-up button); another branch does not see them."""
        job, followup = self._delivered()
        cs = followup.with_user(self.users["cs"])
        cs.condition_note = "Baik"
        cs.outcome = "satisfied"
        cs.action_contacted()
        self.assertEqual(followup.contacted_by_id, self.users["cs"])
        for role in ("technician", "logistics"):
            with self.assertRaises(AccessError):
                followup.with_user(self.users[role]).read(["name"])
        fields_technician = (
            self.env["gema.service.job"]
            .with_user(self.users["technician"])
            .fields_get()
        )
        self.assertNotIn("followup_count", fields_technician)
        other = self.env["res.company"].create(
            {"name": "Other Branch", "parent_id": self.main_company.id}
        )
        outsider = self.env["res.users"].create(
            {
                "name": "Other Advisor",
                "login": "test_other_advisor",
                "company_id": other.id,
                "company_ids": [(6, 0, other.ids)],
                "groups_id": [
                    (6, 0, self.env.ref("gema_sop.group_service_advisor").ids)
                ],
            }
        )
        self.assertFalse(
            self.env["gema.followup"]
            .with_user(outsider)
            .search([("id", "=", followup.id)])
        )
        self.assertEqual(
            self.env["gema.followup"]
            .with_user(self.users["manager"])
            .search([("service_job_id", "=", job.id)]),
            followup,
        )

    def test_fu2_advisor_records_the_call_in_the_form(self):
        """FU-2: the service advisor fills in the call on the form (the
        fields are editable while the customer is to be called, read-only
        once reached)."""
        _job, followup = self._delivered()
        with Form(followup.with_user(self.advisor)) as form:
            form.contact_channel = "whatsapp"
            form.condition_note = "Tarikan mesin lebih ringan."
            form.outcome = "satisfied"
        followup.with_user(self.advisor).action_contacted()
        self.assertEqual(followup.contact_channel, "whatsapp")
        with Form(followup.with_user(self.advisor)) as form:
            self.assertTrue(form._get_modifier("outcome", "readonly"))
            self.assertFalse(form._get_modifier("testimonial_text", "readonly"))

    def test_fu7_supervisor_reports_an_impolite_testimonial_request(self):
        """FU-7: a supervisor reports a testimonial asked impolitely or with
        pressure against the employee who asked, linked to the follow-up."""
        _job, followup = self._delivered()
        self._reached(followup)
        followup.action_request_testimonial()
        supervisor = self.users["supervisor"]
        action = followup.with_user(supervisor).action_report_impolite()
        Violation = (
            self.env[action["res_model"]]
            .with_user(supervisor)
            .with_context(**action["context"])
        )
        with Form(Violation) as form:
            form.description = "Pelanggan didesak tiga kali untuk memberi ulasan."
        violation = form.record
        self.assertEqual(
            (
                violation.employee_id,
                violation.violation_type,
                violation.sop,
                violation.res_model,
                violation.res_id,
            ),
            (
                self.employees["advisor"],
                "fu_impolite_request",
                "FU",
                "gema.followup",
                followup.id,
            ),
        )
