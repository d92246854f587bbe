"""Chat and WhatsApp customer service conversations (SPEC CS-2 ... CS-9,
G-4, G-5): logging, classification, the first-response clock and time,
escalation, closing, retention, the customer's rating and the roles."""

from datetime import datetime, timedelta

from dateutil.relativedelta import relativedelta

from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, freeze_time, tagged

from .common import GemaSopCase

CS4 = "gema_sop.sla_policy_cs4_first_response"
CS5_COMPLAINT = "gema_sop.sla_policy_cs5_complaint_escalation"
CS5_ESCALATION = "gema_sop.sla_policy_cs5_escalation_handled"
CS6 = "gema_sop.sla_policy_cs6_closed"
INBOUND = "gema_sop.mt_customer_inbound"


def wib(day, hour, minute=0):
    """A time of November 2026 in Medan (WIB, UTC+7), as naive UTC;
    2026-11-23 is a Monday."""
    return datetime(2026, 11, day, hour, minute) - timedelta(hours=7)


@tagged("post_install", "-at_install")
class TestConversation(GemaSopCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.activate_indonesian()
        cls.officer = cls.users["cs"]
        cls.supervisor = cls.users["supervisor"]
        cls.customer = cls.env["res.partner"].create(
            {"name": "Hendra Sitorus", "mobile": "0812-6555-0101", "lang": "id_ID"}
        )
        cls.Conversation = cls.env["gema.conversation"].with_user(cls.officer)

    def _open(self, **values):
        vals = {
            "channel": "whatsapp",
            "partner_id": self.customer.id,
            "summary": "Selamat pagi, mau tanya servis berkala.",
            "company_id": self.branch.id,
        }
        vals.update(values)
        return self.Conversation.create(vals)

    def _line(self, conversation, xmlid):
        return self.env["gema.sla.status"].search(
            [
                ("res_model", "=", conversation._name),
                ("res_id", "=", conversation.id),
                ("policy_id", "=", self.env.ref(xmlid).id),
            ],
            order="id desc",
            limit=1,
        )

    def _answer(self, conversation, template="mail_template_conversation_greeting"):
        """Answer by WhatsApp link: prepared, opened and marked sent."""
        message = conversation._send_message(f"gema_sop.{template}", "whatsapp_link")
        self.follow_whatsapp_link(message._link_dialog())
        return message

    def _ready_to_close(self, conversation):
        conversation.write({"solved_confirmed": True, "anything_else_asked": True})

    # CS-2 / CS-3: logging and classification ------------------------------

    def test_cs1_every_channel_is_recorded_and_timed_alike(self):
        """CS-1: WhatsApp, website live chat and the other messaging apps
        are one desk: each conversation keeps its channel, every channel
        gets the same first-response standard, and the analysis counts
        them per channel."""
        channels = [
            value for value, _label in self.Conversation._fields["channel"].selection
        ]
        self.assertEqual(
            set(channels), {"whatsapp", "live_chat", "instagram", "facebook", "other"}
        )
        with freeze_time(wib(23, 9)):
            conversations = self.Conversation.browse()
            for channel in channels:
                conversations |= self._open(channel=channel)
        self.assertEqual(conversations.mapped("channel"), channels)
        for conversation in conversations:
            line = self._line(conversation, "gema_sop.sla_policy_cs4_first_response")
            self.assertEqual((line.state, line.deadline), ("running", wib(23, 9, 5)))
        self.env.flush_all()
        counts = dict(
            self.env["gema.conversation.report"]._read_group(
                [("id", "in", conversations.ids)], ["channel"], ["__count"]
            )
        )
        self.assertEqual(counts, dict.fromkeys(channels, 1))

    def test_cs2_manual_conversation_finds_the_customer_by_any_typed_number(self):
        """CS-2: a conversation typed in by the officer is logged with the
        customer's data: the number is stored as +62..., the existing
        customer found by it, the name taken from them; the number is
        numbered and assigned to the officer who opened it."""
        conversation = self._open(
            partner_id=False, customer_phone="0812 6555 0101", channel="instagram"
        )
        self.assertEqual(conversation.customer_phone, "+6281265550101")
        self.assertEqual(conversation.partner_id, self.customer)
        self.assertEqual(conversation.customer_name, "Hendra Sitorus")
        self.assertEqual(conversation.user_id, self.officer)
        self.assertRegex(conversation.name, r"^CHAT/\d{4}/\d{5}$")
        self.assertEqual(conversation.state, "new")
        with self.assertRaises(ValidationError):
            self._open(customer_phone="12")

    def test_cs2_logged_customer_message_is_the_customers_and_in_full(self):
        """CS-2: a message from another channel is logged by hand, in full,
        authored by the customer, with the "received" subtype; a message in
        the future is refused."""
        conversation = self._open(channel="facebook", summary=False)
        text = "Halo, apakah bengkel buka hari Minggu? Saya di Jalan Sisingamangaraja."
        wizard = Form(
            self.env["gema.conversation.log.wizard"]
            .with_user(self.officer)
            .with_context(default_conversation_id=conversation.id)
        )
        wizard.body = text
        wizard.save().action_confirm()
        message = conversation.message_ids.filtered(
            lambda m: m.subtype_id == self.env.ref(INBOUND)
        )
        self.assertEqual(len(message), 1)
        self.assertIn("Jalan Sisingamangaraja", message.body)
        self.assertEqual(message.author_id, self.customer)
        self.assertEqual(conversation.summary, text)
        self.assertTrue(conversation.last_inbound_date)
        with self.assertRaises(ValidationError):
            self.env["gema.conversation.log.wizard"].with_user(self.officer).create(
                {
                    "conversation_id": conversation.id,
                    "body": "later",
                    "date": datetime.now() + timedelta(days=1),
                }
            )

    def test_cs3_type_and_priority_proposed_from_the_words_and_editable(self):
        """CS-3: the request's words propose its type and priority (a
        breakdown is urgent, a disappointed customer is a high-priority
        complaint, a price question is information); the officer's choice
        stays."""
        breakdown = self._open(summary="Tolong, mobil saya MOGOK di tol")
        self.assertEqual((breakdown.request_type, breakdown.priority), ("general", "2"))
        complaint = self._open(summary="Saya kecewa, AC rusak lagi setelah servis")
        self.assertEqual(
            (complaint.request_type, complaint.priority), ("complaint", "1")
        )
        price = self._open(summary="Berapa harga ganti oli Avanza?")
        self.assertEqual((price.request_type, price.priority), ("information", "0"))
        pickup = self._open(summary="Bisa jemput mobil di rumah?")
        self.assertEqual(pickup.request_type, "special")
        # Whole words only: "informasi" is information, "infoin" nothing.
        self.assertEqual(self._open(summary="tolong infoin").request_type, "general")
        price.write({"request_type": "special", "priority": "2"})
        self.assertEqual((price.request_type, price.priority), ("special", "2"))

    def test_cs3_supervisor_adds_a_keyword_the_next_conversation_uses_it(self):
        """CS-3 / CS-9: the keywords are the desk's data: a CS supervisor
        adds one (for their branch, or for every branch) and the next
        conversation is classified by it; another branch's keyword does not
        count; an archived one no longer does."""
        before = self._open(summary="Mau klaim garansi aki, oli juga bocor")
        self.assertEqual((before.request_type, before.priority), ("general", "0"))
        Keyword = self.env["gema.conversation.keyword"].with_user(self.supervisor)
        Keyword.create({"name": "klaim  garansi", "request_type": "complaint"})
        leak = Keyword.create(
            {"name": "oli bocor", "priority": "2", "company_id": self.branch.id}
        )
        other_branch = self.env["res.company"].create(
            {"name": "Cabang Binjai", "parent_id": self.main_company.id}
        )
        self.env["gema.conversation.keyword"].create(
            {"name": "aki", "request_type": "special", "company_id": other_branch.id}
        )
        complaint = self._open(summary="Mau KLAIM   garansi, oli juga bocor")
        self.assertEqual(
            (complaint.request_type, complaint.priority), ("complaint", "0")
        )
        urgent = self._open(summary="Aki soak, oli bocor di jalan")
        self.assertEqual((urgent.request_type, urgent.priority), ("general", "2"))
        leak.active = False
        self.assertEqual(self._open(summary="oli bocor").priority, "0")

    def test_cs3_officer_cannot_edit_keywords(self):
        """CS-3 / CS-9 / security: CS officers are classified by the
        keywords, supervisors keep them: an officer can neither add nor
        change one (both languages)."""
        keyword = self.env.ref("gema_sop.gema_conversation_keyword_mogok")
        with self.assertRaisesBilingual(
            AccessError, "not allowed to modify", "tidak diizinkan untuk memodifikasi"
        ) as run:
            run(
                lambda env: keyword.with_env(env)
                .with_user(self.officer)
                .write({"priority": "1"})
            )
        with self.assertRaisesBilingual(
            AccessError, "not allowed to create", "tidak diizinkan untuk membuat"
        ) as run:
            run(
                lambda env: env["gema.conversation.keyword"]
                .with_user(self.officer)
                .create({"name": "tolong", "priority": "2"})
            )
        self.assertEqual(keyword.priority, "2")

    def test_cs3_keywords_must_be_whole_words_that_propose_something(self):
        """CS-3: a keyword is matched as whole words and proposes a type or
        a priority; anything else is refused with a clear message."""
        Keyword = self.env["gema.conversation.keyword"].with_user(self.supervisor)
        for values, english, indonesian in (
            (
                {"name": "rem?", "priority": "2"},
                "starts and ends with a letter",
                "diawali dan diakhiri",
            ),
            (
                {"name": "   ", "priority": "2"},
                "starts and ends with a letter",
                "diawali dan diakhiri",
            ),
            (
                {"name": "x" * 65, "priority": "2"},
                "at most 64 characters",
                "paling banyak 64 karakter",
            ),
            (
                {"name": "servis"},
                "choose the request type or the priority",
                "pilih jenis permintaan atau prioritas",
            ),
        ):
            with self.assertRaisesBilingual(
                ValidationError, english, indonesian
            ) as run:
                run(lambda env, values=values: Keyword.with_env(env).create(values))

    def test_cs3_classifying_a_batch_reads_the_keywords_once(self):
        """CS-3 / robustness: the keywords are read with one query and kept
        until one changes; classifying many requests costs no more."""
        Keyword = self.env["gema.conversation.keyword"]
        texts = [f"Mobil {n} mogok, tolong segera" for n in range(20)]
        self.env.registry.clear_cache()
        with self.assertQueryCount(1):
            for text in texts:
                self.assertEqual(Keyword._propose("priority", text, self.branch), "2")
        with self.assertQueryCount(0):
            for text in texts:
                Keyword._propose("request_type", text, self.branch)

    # CS-4: first response ----------------------------------------------------

    def test_cs4_first_answer_stores_the_response_time_in_working_minutes(self):
        """CS-4 / G-3: the first answer (a response template, personalised
        with the customer's name, in Indonesian) answers the conversation
        within 5 working minutes: the time and the result are stored."""
        with freeze_time(wib(23, 9)):
            conversation = self._open()
        line = self._line(conversation, CS4)
        self.assertEqual(line.deadline, wib(23, 9, 5))
        with freeze_time(wib(23, 9, 3)):
            messages = self._answer(conversation)
        self.assertIn("Hendra Sitorus", messages.body)
        self.assertIn("Terima kasih", messages.body)
        self.assertEqual(conversation.state, "answered")
        self.assertEqual(conversation.first_response_date, wib(23, 9, 3))
        self.assertEqual(conversation.first_response_minutes, 3.0)
        self.assertEqual(conversation.first_response_result, "on_time")
        self.assertEqual(line.state, "done")
        # A second answer changes nothing about the first response.
        with freeze_time(wib(23, 9, 30)):
            self._answer(conversation, "mail_template_conversation_information")
        self.assertEqual(conversation.first_response_date, wib(23, 9, 3))

    def test_cs4_officer_answers_with_a_response_template_in_the_composer(self):
        """CS-4 / G-3: the officer presses Send Message, picks a response
        template for a common question, finds it filled in for this
        customer in polite Indonesian, adds a line and sends it: the
        conversation is answered."""
        with freeze_time(wib(23, 9)):
            conversation = self._open(summary="Jam buka hari Sabtu sampai jam berapa?")
            action = conversation.action_gema_send_message()
            composer = Form(
                self.env[action["res_model"]]
                .with_user(self.officer)
                .with_context(**action["context"])
            )
            templates = self.env["mail.template"].search(
                [("model", "=", "gema.conversation")]
            )
            self.assertEqual(len(templates), 5)
            composer.template_id = self.env.ref(
                "gema_sop.mail_template_conversation_information"
            )
            self.assertIn("Halo Bapak/Ibu Hendra Sitorus", composer.body)
            self.assertIn("Senin sampai Sabtu", composer.body)
            composer.body += "\nSabtu kami buka sampai pukul 17.00."
        with freeze_time(wib(23, 9, 4)):
            self.follow_whatsapp_link(composer.save().action_send())
        self.assertEqual(conversation.state, "answered")
        self.assertEqual(conversation.first_response_minutes, 4.0)
        self.assertIn(
            "sampai pukul 17.00",
            self.env["gema.message"]
            .search(
                [
                    ("res_model", "=", conversation._name),
                    ("res_id", "=", conversation.id),
                ]
            )
            .body,
        )

    def test_cs4_customer_messages_do_not_stop_the_first_response_clock(self):
        """CS-4 / CS-2: a customer writing twice is no answer: the clock
        runs on, is breached at 5 minutes and records a late response
        against the CS officer (G-2)."""
        with freeze_time(wib(23, 9)):
            conversation = self._open()
        with freeze_time(wib(23, 9, 2)):
            conversation._log_inbound("Halo? Ada orang?")
        line = self._line(conversation, CS4)
        self.assertEqual(line.state, "running")
        self.assertEqual(conversation.state, "new")
        with freeze_time(wib(23, 9, 6)):
            self.env["gema.sla.status"]._cron_process_due()
        self.assertEqual(line.state, "breached")
        self.assertEqual(conversation.first_response_result, "breached")
        self.assertEqual(line.violation_id.violation_type, "cs_late_response")
        self.assertEqual(line.violation_id.employee_id, self.employees["cs"])
        with freeze_time(wib(23, 9, 20)):
            self._answer(conversation)
        self.assertEqual(line.state, "late")
        self.assertEqual(conversation.first_response_minutes, 20.0)

    def test_cs4_message_after_hours_is_due_five_minutes_after_opening(self):
        """CS-4 / G-4: five minutes of operating hours: a message on
        Saturday evening is due on Monday at 08:05."""
        with freeze_time(wib(28, 19)):
            conversation = self._open()
        self.assertEqual(self._line(conversation, CS4).deadline, wib(30, 8, 5))
        with freeze_time(wib(30, 8, 2)):
            self._answer(conversation)
        self.assertEqual(conversation.first_response_minutes, 2.0)
        self.assertEqual(conversation.first_response_result, "on_time")

    # CS-5: escalation --------------------------------------------------------

    def test_cs5_escalation_needs_the_form_in_both_languages(self):
        """CS-5: escalating without saying to whom and why is refused."""
        conversation = self._open()
        with self.assertRaisesBilingual(
            UserError, "Fill in the escalation form first", "formulir eskalasi"
        ) as run:
            run(lambda env: conversation.with_env(env).action_escalate())
        self.assertEqual(conversation.state, "new")

    def test_cs5_escalation_goes_to_the_supervisors_desk_and_is_timed(self):
        """CS-5: a division without a person goes to the branch's CS
        supervisor, with an activity and a 4-working-hour clock of their
        own; only they (or a supervisor) record the handling, which needs
        its text; the conversation is then back with the officer."""
        with freeze_time(wib(23, 10)):
            conversation = self._open(
                summary="Saya kecewa, AC rusak lagi setelah servis"
            )
            self._answer(conversation)
            conversation.write(
                {
                    "escalation_division": "workshop",
                    "escalation_reason": "Pemeriksaan ulang AC tanpa biaya",
                }
            )
            conversation.action_escalate()
        self.assertEqual(conversation.state, "escalated")
        self.assertEqual(conversation.escalated_to_id, self.supervisor)
        self.assertEqual(conversation.escalation_date, wib(23, 10))
        activity = conversation.activity_ids
        self.assertEqual(activity.user_id, self.supervisor)
        # Escalating in time stops the complaint clock (CS-5).
        self.assertEqual(self._line(conversation, CS5_COMPLAINT).state, "done")
        line = self._line(conversation, CS5_ESCALATION)
        self.assertEqual((line.user_id, line.deadline), (self.supervisor, wib(23, 14)))
        # The "closed within a day" clock waits while it is escalated.
        self.assertEqual(self._line(conversation, CS6).state, "cancelled")
        desk = self.env["gema.conversation"].with_user(self.supervisor)
        self.assertIn(conversation, desk.search([("state", "=", "escalated")]))

        with self.assertRaisesRegex(UserError, "Only the person"):
            conversation.action_resolve_escalation()
        mine = conversation.with_user(self.supervisor)
        with self.assertRaisesRegex(UserError, "Write how the escalation"):
            mine.action_resolve_escalation()
        with freeze_time(wib(23, 11)):
            mine.escalation_resolution = "Pemeriksaan ulang gratis besok 09:00"
            mine.action_resolve_escalation()
        self.assertEqual(conversation.state, "answered")
        self.assertEqual(line.state, "done")
        self.assertFalse(conversation.activity_ids)
        self.assertEqual(self._line(conversation, CS6).state, "running")

    def test_cs5_escalation_not_handled_is_the_supervisors_violation(self):
        """CS-5 / G-2: an escalation left for more than 4 working hours is
        breached against the person it was escalated to."""
        with freeze_time(wib(23, 13)):
            conversation = self._open()
            conversation.write(
                {"escalated_to_id": self.supervisor.id, "escalation_reason": "Harga"}
            )
            conversation.action_escalate()
        line = self._line(conversation, CS5_ESCALATION)
        # 13:00 + 4 working hours = 17:00.
        self.assertEqual(line.deadline, wib(23, 17))
        with freeze_time(wib(24, 8, 1)):
            self.env["gema.sla.status"]._cron_process_due()
        self.assertEqual(line.state, "breached")
        self.assertEqual(line.violation_id.violation_type, "cs_escalation_late")
        self.assertEqual(line.violation_id.employee_id, self.employees["supervisor"])

    def test_cs5_complaint_neither_solved_nor_escalated_in_an_hour(self):
        """CS-5: a complaint still at the first level after one working
        hour is a "not escalated" violation; other requests have no such
        clock."""
        with freeze_time(wib(23, 9)):
            complaint = self._open(summary="Saya tidak puas dengan servisnya")
            question = self._open(summary="Jam buka hari Sabtu?")
            self._answer(complaint)
        self.assertFalse(self._line(question, CS5_COMPLAINT))
        with freeze_time(wib(23, 10, 1)):
            self.env["gema.sla.status"]._cron_process_due()
        line = self._line(complaint, CS5_COMPLAINT)
        self.assertEqual(line.state, "breached")
        self.assertEqual(line.violation_id.violation_type, "cs_no_escalation")

    # CS-6 / CS-7: closing ----------------------------------------------------

    def test_cs6_closing_is_refused_until_every_step_is_done(self):
        """CS-6: closing needs the solution confirmed, the "anything
        else?" question and the closing message; the message needs the
        first two; the refusal names what is missing (both languages)."""
        conversation = self._open()
        self._answer(conversation)
        with self.assertRaisesBilingual(
            UserError, "the closing message sent", "pesan penutup"
        ) as run:
            run(lambda env: conversation.with_env(env).action_close())
        with self.assertRaisesRegex(UserError, "asking whether anything else"):
            conversation.action_send_closing()
        self._ready_to_close(conversation)
        action = conversation.action_send_closing()
        # G-3: a closing link not yet marked sent did not reach the customer.
        with self.assertRaisesRegex(UserError, "the closing message sent"):
            conversation.action_close()
        self.assertFalse(conversation.closing_sent_date)
        self.follow_whatsapp_link(action)
        self.assertTrue(conversation.closing_sent_date)
        with self.assertRaisesRegex(UserError, "Record the outcome"):
            conversation.action_close()
        self.assertEqual(conversation.state, "answered")

    def test_cs6_cs7_closing_message_rating_link_and_outcome(self):
        """CS-6 / CS-7: the closing message thanks the customer by name
        and carries the rating link; closing records the outcome and stops
        the "closed within a day" clock."""
        with freeze_time(wib(23, 9)):
            conversation = self._open()
            self._answer(conversation)
        self._ready_to_close(conversation)
        with freeze_time(wib(23, 9, 30)):
            self.follow_whatsapp_link(conversation.action_send_closing())
        closing = self.env["gema.message"].search(
            [("res_model", "=", conversation._name), ("res_id", "=", conversation.id)],
            order="id desc",
            limit=1,
        )
        self.assertIn("Hendra Sitorus", closing.body)
        self.assertIn(
            f"/chat/rate/{conversation.id}?access_token={conversation.access_token}",
            closing.body,
        )
        conversation.outcome = "information_given"
        with freeze_time(wib(23, 9, 31)):
            conversation.action_close()
        self.assertEqual(conversation.state, "closed")
        self.assertEqual(conversation.closed_date, wib(23, 9, 31))
        self.assertEqual(self._line(conversation, CS6).state, "done")
        with self.assertRaisesRegex(UserError, "cannot go from Closed"):
            conversation.write({"state": "answered"})
        with self.assertRaisesRegex(UserError, "already closed"):
            conversation.action_send_closing()

    def test_cs6_answered_conversation_left_open_is_a_violation(self):
        """CS-6: an answered conversation not closed within one working day
        is "not closed properly" against the officer."""
        with freeze_time(wib(23, 9)):
            conversation = self._open()
            self._answer(conversation)
        with freeze_time(wib(24, 9, 1)):
            self.env["gema.sla.status"]._cron_process_due()
        line = self._line(conversation, CS6)
        self.assertEqual(line.state, "breached")
        self.assertEqual(line.violation_id.violation_type, "cs_not_closed")

    def _closed(self, months_ago):
        conversation = self._open(summary="Berapa harga servis AC?")
        self._answer(conversation)
        conversation._log_inbound("Terima kasih infonya")
        self._ready_to_close(conversation)
        self.follow_whatsapp_link(conversation.action_send_closing())
        conversation.outcome = "information_given"
        conversation.action_close()
        conversation.sudo().closed_date = datetime.now() - relativedelta(
            months=months_ago
        )
        conversation.sudo()._rate(4, "Cepat dan jelas")
        return conversation

    def test_cs7_retention_removes_the_content_and_keeps_the_statistics(self):
        """CS-7 / G-5: past the branch's retention period, a closed
        conversation loses its messages, summary, contact data and texts;
        its number, channel, type, officer, dates, response time, outcome
        and rating stay. Younger ones and branches that keep everything are
        untouched."""
        self.branch.gema_conversation_retention_months = 12
        old = self._closed(13)
        young = self._closed(11)
        minutes = old.first_response_minutes
        self.env["gema.conversation"]._cron_remove_old_content()
        self.assertTrue(old.content_removed_date)
        self.assertFalse(
            self.env["mail.message"].search(
                [("model", "=", old._name), ("res_id", "=", old.id)]
            )
        )
        self.assertFalse(
            self.env["gema.message"].search(
                [("res_model", "=", old._name), ("res_id", "=", old.id)]
            )
        )
        self.assertFalse(
            old.summary or old.customer_name or old.customer_phone or old.partner_id
        )
        self.assertFalse(old.rating_comment)
        self.assertEqual(
            (old.channel, old.request_type, old.user_id, old.outcome, old.rating),
            ("whatsapp", "information", self.officer, "information_given", 4),
        )
        # The rating row (Odoo's rating statistics) keeps the value only.
        row = old.sudo().rating_ids
        self.assertEqual(
            (row.rating, row.feedback, row.partner_id.id), (4, False, False)
        )
        self.assertEqual(young.sudo().rating_ids.feedback, "Cepat dan jelas")
        self.assertEqual(old.first_response_minutes, minutes)
        self.assertTrue(self._line(old, CS4))
        self.assertFalse(young.content_removed_date)
        self.assertEqual(young.summary, "Berapa harga servis AC?")
        self.assertTrue(young.message_ids)
        # 0 months: the branch keeps the content.
        self.branch.gema_conversation_retention_months = 0
        self.env["gema.conversation"]._cron_remove_old_content()
        self.assertFalse(young.content_removed_date)

    # CS-8: rating ------------------------------------------------------------

    def test_cs8_one_valid_rating_after_the_closing_message(self):
        """CS-8: the customer rates 1 to 5, once, after the closing
        message; anything else is refused."""
        conversation = self._open().sudo()
        with self.assertRaisesRegex(UserError, "once it is closed"):
            conversation._rate(5, "")
        self._answer(conversation)
        self._ready_to_close(conversation)
        self.follow_whatsapp_link(conversation.action_send_closing())
        for bad in (0, 6, -1):
            with self.assertRaisesRegex(UserError, "from 1 to 5"):
                conversation._rate(bad, "")
        conversation._rate(5, "  Ramah sekali  ")
        self.assertEqual(
            (conversation.rating, conversation.rating_comment), (5, "Ramah sekali")
        )
        with self.assertRaisesRegex(UserError, "already been rated"):
            conversation._rate(1, "")
        self.assertEqual(conversation.rating, 5)

    def test_cs8_analysis_averages_answered_and_rated_conversations_only(self):
        """CS-8: the analysis groups by officer, channel, type, week and SLA
        result; the average first response counts answered conversations
        only and the average rating rated ones only (an open, unrated
        conversation does not pull them down); only supervisors and
        managers read it."""
        with freeze_time(wib(23, 9)):
            first = self._open()
            second = self._open(channel="live_chat")
            self._open()  # not answered, not rated
        with freeze_time(wib(23, 9, 2)):
            self._answer(first)
        with freeze_time(wib(23, 9, 4)):
            self._answer(second)
        for conversation, rating in ((first, 5), (second, 3)):
            self._ready_to_close(conversation)
            self.follow_whatsapp_link(conversation.action_send_closing())
            conversation.sudo()._rate(rating, "")
        Report = self.env["gema.conversation.report"].with_user(self.supervisor)
        [(user, _week, result, minutes, rating, count, rated)] = Report._read_group(
            [("company_id", "=", self.branch.id)],
            ["user_id", "received_date:week", "gema_sla_result"],
            [
                "first_response_minutes:avg",
                "rating:avg",
                "__count",
                "rated_count:sum",
            ],
        )
        self.assertEqual(
            (user, result, minutes, rating, count, rated),
            (self.officer, "on_time", 3.0, 4.0, 3, 2),
        )
        by_channel = dict(
            Report._read_group(
                [("company_id", "=", self.branch.id)], ["channel"], ["rating:avg"]
            )
        )
        self.assertEqual(by_channel, {"whatsapp": 5.0, "live_chat": 3.0})
        with self.assertRaises(AccessError):
            self.env["gema.conversation.report"].with_user(self.officer).search([])

    # CS-9: roles ---------------------------------------------------------------

    def test_cs9_only_the_chat_desk_reads_conversations_of_its_branch(self):
        """CS-9 / G-5: CS officers, supervisors and managers work on the
        branch's conversations; technicians, logistics and service
        advisors cannot read them; another branch's officer does not see
        them; only the SOP administrator deletes."""
        conversation = self._open()
        for role in ("supervisor", "manager"):
            self.assertEqual(
                conversation.with_user(self.users[role]).summary,
                "Selamat pagi, mau tanya servis berkala.",
            )
        for role in ("technician", "logistics", "advisor"):
            with self.subTest(role=role), self.assertRaises(AccessError):
                conversation.with_user(self.users[role]).read(["summary"])
        other_branch = self.env["res.company"].create(
            {"name": "Test Branch Binjai", "parent_id": self.main_company.id}
        )
        stranger = self.env["res.users"].create(
            {
                "name": "Other CS",
                "login": "test_cs_binjai",
                "company_id": other_branch.id,
                "company_ids": [Command.set(other_branch.ids)],
                "groups_id": [
                    Command.set(self.env.ref("gema_sop.group_cs_officer").ids)
                ],
            }
        )
        self.assertFalse(
            self.env["gema.conversation"]
            .with_user(stranger)
            .search([("id", "=", conversation.id)])
        )
        with self.assertRaises(AccessError):
            conversation.unlink()
        conversation.with_user(self.users["sopadmin"]).unlink()
        self.assertFalse(conversation.exists())

    def test_cs5_bk1_as1_chat_hands_over_to_a_booking_or_a_ticket(self):
        """BK-1, AS-1: a booking request or a product complaint made in a
        chat becomes a booking of that channel or an after-sales ticket,
        prefilled with the customer and their words, and linked back."""
        conversation = self._open(
            channel="instagram", summary="Mau booking servis rem hari Senin pagi."
        )
        action = conversation.action_create_booking()
        form = Form(
            self.env[action["res_model"]]
            .with_user(self.officer)
            .with_context(**action["context"])
        )
        self.assertEqual(form.channel, "instagram")
        self.assertEqual(form.customer_name, "Hendra Sitorus")
        self.assertEqual(form.complaint, "Mau booking servis rem hari Senin pagi.")
        form.license_plate = "BK 1234 ABC"
        form.vehicle_type = "Toyota Avanza"
        form.requested_start = datetime(2026, 11, 30, 2, 0)
        booking = form.save()
        self.assertEqual(booking.conversation_id, conversation)
        self.assertEqual(booking.customer_phone, "+6281265550101")

        action = conversation.action_create_ticket()
        form = Form(
            self.env[action["res_model"]]
            .with_user(self.officer)
            .with_context(**action["context"])
        )
        self.assertEqual(form.partner_id, self.customer)
        self.assertEqual(form.chronology, "Mau booking servis rem hari Senin pagi.")
        form.product_name = "Kampas rem depan"
        ticket = form.save()
        self.assertEqual(ticket.conversation_id, conversation)
        self.assertEqual(ticket.channel, "app")
        conversation.invalidate_recordset()
        self.assertEqual(
            (conversation.booking_count, conversation.ticket_count), (1, 1)
        )
