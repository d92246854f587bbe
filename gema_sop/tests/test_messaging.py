"""Customer messaging: templates, channels, the log, the WhatsApp gateway.

SOP records here are SOP documents (the SLA-aware model of the shared
core), with templates made for them in the tests. The gateway tests talk
to a real HTTP server on 127.0.0.1 that checks every request like the
WhatsApp Cloud API and answers like it (``whatsapp_fake_server``); Odoo's
test cases let requests to 127.0.0.1 through and block any other address.
"""

import time
from datetime import date, timedelta
from urllib.parse import quote

import freezegun
import psycopg2.errors

from odoo import fields, sql_db
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, freeze_time, tagged
from odoo.tools import SQL, mute_logger

from ..models.gema_message_gateway import SENDING_LOCK
from ..tools.whatsapp import reference
from .common import SUITE_NOW
from .common_messaging import GemaMessagingCase
from .smtp_fake_server import start_smtp_server
from .whatsapp_fake_server import RESET, error_answer


@tagged("post_install", "-at_install")
class TestMessaging(GemaMessagingCase):
    # Click-to-chat, log, chatter --------------------------------------------

    def test_click_to_chat_link_is_logged_only_once_confirmed(self):
        """BK-10, G-3: the composer gives way to the link dialog; the link
        opens WhatsApp with the polite template text for this customer; the
        message is logged exactly once, with who and when, only after the
        staff member who opened it marks it sent."""
        composer = self._composer()
        self.assertEqual(composer.body, self.text)
        action = composer.action_send()
        message = self._log()
        self.assertEqual(
            action,
            {
                "type": "ir.actions.act_window",
                "name": "Send by WhatsApp",
                "res_model": "gema.message",
                "res_id": message.id,
                "views": [
                    (self.env.ref("gema_sop.gema_message_view_form_link").id, "form")
                ],
                "target": "new",
            },
        )
        self.assertRecordValues(
            message,
            [
                {
                    "channel": "whatsapp_link",
                    "state": "draft",
                    "phone": "+6281234567890",
                    "partner_id": self.customer.id,
                    "template_id": self.template.id,
                    "user_id": self.sender.id,
                    "company_id": self.branch.id,
                    "body": self.text,
                    "whatsapp_open_url": f"/gema/message/{message.id}/whatsapp",
                    "sent_date": False,
                }
            ],
        )
        self.assertFalse(self._customer_posts(), "nothing logged before it is sent")
        mine = message.with_user(self.sender)

        def mark_sent_unopened(env):
            message.with_env(env(user=self.sender)).action_mark_sent()

        with self.assertRaisesBilingual(
            UserError, "Open WhatsApp with the link first", "Buka WhatsApp"
        ) as run:
            run(mark_sent_unopened)
        url = mine._open_whatsapp()
        self.assertEqual(
            url, "https://wa.me/6281234567890?text=" + quote(self.text, safe="")
        )
        self.assertIn("%2C%0Adokumen%20GM%2FMSG%2F1", url)
        self.assertEqual(message.state, "opened")
        self.assertTrue(message.link_opened_date)
        self.assertFalse(self._customer_posts())
        # Only who opened it may say it was sent.
        with self.assertRaisesRegex(UserError, "Open WhatsApp with the link first"):
            message.with_user(self.users["advisor"]).action_mark_sent()
        self.assertEqual(
            mine.action_mark_sent(), {"type": "ir.actions.act_window_close"}
        )
        self.assertRecordValues(message, [{"state": "sent", "user_id": self.sender.id}])
        self.assertTrue(message.sent_date)
        posts = self._customer_posts()
        self.assertEqual(len(posts), 1)
        self.assertEqual(message.mail_message_id, posts)
        self.assertEqual(posts.message_type, "comment")
        self.assertEqual(posts.author_id, self.sender.partner_id)
        self.assertFalse(posts.partner_ids)
        self.assertFalse(posts.notification_ids)
        self.assertIn(self._channel_label(message), posts.body)
        self.assertIn("Document ready", posts.body)
        self.assertIn("sudah siap. Terima kasih.", posts.body)
        # G-5: the chatter (seen by technicians too) does not repeat the number.
        self.assertNotIn("6281234567890", posts.body)
        self.assertFalse(self.server.received)
        # Once sent, the link neither opens nor logs again.
        with self.assertRaisesRegex(UserError, "not waiting to be sent"):
            mine._open_whatsapp()
        with self.assertRaisesRegex(UserError, "can be marked as sent"):
            mine.action_mark_sent()
        self.assertEqual(len(self._customer_posts()), 1)

    def test_link_not_sent_logs_nothing_and_is_reused(self):
        """BK-10, robustness: a link prepared twice is one message; closed
        without sending ("Not Sent") it logs nothing and stops no clock."""
        first = self._composer().action_send()
        again = self._composer(body="Halo Pak Budi").action_send()
        self.assertEqual(first["res_id"], again["res_id"])
        message = self._log()
        self.assertEqual(len(message), 1)
        self.assertEqual(message.body, "Halo Pak Budi")
        message.with_user(self.sender)._open_whatsapp()
        self.assertEqual(
            message.with_user(self.sender).action_cancel(),
            {"type": "ir.actions.act_window_close"},
        )
        self.assertEqual(message.state, "cancelled")
        self.assertFalse(self._customer_posts())
        with self.assertRaisesRegex(UserError, "not waiting to be sent"):
            message.with_user(self.sender)._open_whatsapp()
        # Asked again later: a new link, the cancelled one stays as it was.
        self.assertNotEqual(self._composer().action_send()["res_id"], message.id)

    def test_message_actions_by_role(self):
        """Security: the technician and logistics (no access to the log),
        a portal user and another branch's advisor can neither open a link,
        mark a message sent, send it again nor cancel it; the branch's CS
        officer and service advisor can."""
        self._composer().action_send()
        link = self._log()
        queued = self._queue_another()
        # sudo: the test plays a call whose answer was lost.
        queued.sudo().write({"state": "check", "attempts": 1})
        portal = self.env["res.users"].create(
            {
                "name": "Portal customer",
                "login": "messages_portal",
                "groups_id": [(6, 0, self.env.ref("base.group_portal").ids)],
            }
        )
        other_branch = self.env["res.company"].create(
            {"name": "Messages Test Branch Binjai", "parent_id": self.main_company.id}
        )
        stranger = self.env["res.users"].create(
            {
                "name": "Advisor Binjai",
                "login": "messages_advisor_binjai",
                "company_id": other_branch.id,
                "company_ids": [(6, 0, other_branch.ids)],
                "groups_id": [
                    (6, 0, self.env.ref("gema_sop.group_service_advisor").ids)
                ],
            }
        )
        users = [self.users["technician"], self.users["logistics"], portal, stranger]
        calls = [
            (link, "_open_whatsapp"),
            (link, "action_mark_sent"),
            (link, "action_cancel"),
            (queued, "action_mark_sent"),
            (queued, "action_retry"),
            (queued, "action_cancel"),
        ]
        for user in users:
            for message, method in calls:
                with (
                    self.subTest(user=user.login, method=method),
                    self.assertRaises(AccessError),
                ):
                    getattr(message.with_user(user), method)()
        self.assertEqual((link | queued).mapped("state"), ["draft", "check"])
        queued.with_user(self.users["cs"]).action_retry()
        self.assertEqual(queued.state, "queued")
        advisor = link.with_user(self.users["advisor"])
        advisor._open_whatsapp()
        advisor.action_mark_sent()
        self.assertEqual(link.state, "sent")

    def test_delivery_state_cannot_be_forged(self):
        """Security (ST-8): only the channel sets how far a message got; a
        user writing the state or the dates by RPC is refused, in English
        and Indonesian."""
        self._composer().action_send()
        message = self._log()
        for vals in (
            {"state": "sent"},
            {"sent_date": fields.Datetime.now()},
            {"whatsapp_message_id": "wamid.FORGED"},
            {"link_opened_date": fields.Datetime.now()},
        ):
            with self.assertRaisesBilingual(
                UserError, "set by its channel", "ditetapkan oleh salurannya"
            ) as run:
                run(
                    lambda env, vals=vals: message.with_env(
                        env(user=self.sender)
                    ).write(vals)
                )
        with self.assertRaisesRegex(UserError, "set by its channel"):
            self.env["gema.message"].with_user(self.sender).create(
                {
                    "res_model": "gema.sop.document",
                    "res_id": self.document.id,
                    "channel": "whatsapp_link",
                    "body": "Sudah terkirim",
                    "state": "sent",
                }
            )
        self.assertEqual(message.state, "draft")
        self.assertFalse(self._customer_posts())

    def test_mixin_button_opens_the_composer(self):
        """G-3: the mixin's button opens the composer on the record, with
        the record's customer (none here: SOP documents have no customer)."""
        mixin = type(self.env["gema.message.mixin"])
        action = mixin.action_gema_send_message(self.document)
        self.assertEqual(action["res_model"], "gema.message.composer")
        self.assertEqual(action["target"], "new")
        composer = Form(
            self.env["gema.message.composer"].with_context(**action["context"])
        )
        self.assertEqual(composer.res_id, self.document.id)
        self.assertEqual(composer.company_id, self.branch)
        self.assertTrue(composer.gateway_enabled)
        self.assertFalse(composer.partner_id)
        self.assertFalse(mixin._customer_partner(self.document))

    def test_personalised_text_is_sent(self):
        """CS-4: the template text can still be personalised."""
        composer = self._composer(body="Halo Pak Budi, dokumen Anda siap.")
        url = self.follow_whatsapp_link(composer.action_send())
        self.assertTrue(url.endswith("Halo%20Pak%20Budi%2C%20dokumen%20Anda%20siap."))
        self.assertEqual(self._log().body, "Halo Pak Budi, dokumen Anda siap.")

    def test_phone_is_normalised_and_invalid_number_refused(self):
        """G-5: 0812-3456-7890 becomes +6281234567890; an unusable number is
        refused in English and in Indonesian, and nothing is logged."""
        composer = self._composer(phone="0812-3456-7890")
        self.assertEqual(composer.phone, "+6281234567890")
        composer.action_send()
        self.assertEqual(self._log().phone, "+6281234567890")

        def send_to_invalid(env):
            composer = env["gema.message.composer"].create(
                {
                    "res_model": "gema.sop.document",
                    "res_id": self.document.id,
                    "template_id": self.template.id,
                    "partner_id": self.customer.id,
                    "phone": "12345",
                }
            )
            composer.action_send()

        with self.assertRaisesBilingual(
            ValidationError, "is not valid", "tidak valid"
        ) as run:
            run(send_to_invalid)
        self.assertEqual(len(self._log()), 1)

    def test_missing_phone_is_refused(self):
        """G-5: no number, no WhatsApp message; a clear message says why."""
        self.customer.mobile = False
        composer = self.env["gema.message.composer"].create(
            {
                "res_model": "gema.sop.document",
                "res_id": self.document.id,
                "template_id": self.template.id,
                "partner_id": self.customer.id,
            }
        )
        self.assertFalse(composer.phone)
        with self.assertRaisesRegex(UserError, "has no WhatsApp number"):
            composer.action_send()
        with self.assertRaisesRegex(UserError, "has no WhatsApp number"):
            self.env["gema.message"]._gema_send(
                self.document, self.template, "whatsapp_link", partner=self.customer
            )
        self.assertFalse(self._log())

    def test_template_of_another_model_is_refused(self):
        other = self.template.copy(
            {"model_id": self.env["ir.model"]._get_id("res.partner")}
        )
        with self.assertRaisesRegex(UserError, "not made for this kind of record"):
            self.env["gema.message"]._gema_send(
                self.document, other, "whatsapp_link", partner=self.customer
            )

    def test_sent_message_cannot_be_changed(self):
        """ST-8: the log is the evidence of what the customer received."""
        self.follow_whatsapp_link(self._composer().action_send())
        message = self._log().with_user(self.users["advisor"])
        with self.assertRaisesRegex(UserError, "cannot be changed"):
            message.body = "Something else"
        with self.assertRaises(AccessError):
            message.unlink()

    # Email --------------------------------------------------------------------

    def test_email_channel_sends_mail_and_logs_once(self):
        """BK-10: an email is sent with Odoo's mail, and logged once."""
        smtp = start_smtp_server(self)
        self._composer(channel="email").action_send()
        message = self._log()
        self.assertEqual(len(message), 1)
        self.assertRecordValues(
            message, [{"channel": "email", "state": "sent", "body": self.text}]
        )
        posts = self._customer_posts()
        self.assertEqual(len(posts), 1)
        self.assertEqual(message.mail_message_id, posts)
        self.assertEqual(posts.subject, "Dokumen GM/MSG/1")
        self.assertEqual(posts.partner_ids, self.customer)
        mails = self.env["mail.mail"].search([("mail_message_id", "=", posts.id)])
        self.assertEqual(len(mails), 1)
        self.assertEqual(mails.recipient_ids, self.customer)
        self.assertEqual(len(smtp.received), 1)
        self.assertFalse(self.server.received)

    def test_email_is_sent_when_its_mail_left(self):
        """BK-10 (trust rule): an email waiting in Odoo's mail queue is
        *Queued*, not *Sent*; a mail the server refused makes it
        *Failed*."""
        smtp = start_smtp_server(self)
        smtp.refuse = True
        self._composer(channel="email").with_context(
            mail_notify_force_send=False
        ).action_send()
        message = self._log()
        self.assertRecordValues(message, [{"state": "queued", "sent_date": False}])
        self.env["mail.mail"].search(
            [("mail_message_id", "=", message.mail_message_id.id)]
        ).send()
        self.assertEqual(message.state, "failed")
        self.assertFalse(smtp.received)

    def test_email_needs_an_address(self):
        self.customer.email = False
        with self.assertRaisesRegex(UserError, "has no email address"):
            self._composer(channel="email").action_send()

    # WhatsApp gateway -----------------------------------------------------------

    def test_gateway_inside_24h_window_sends_free_text(self):
        """BK-6, G-3: within 24 hours of the customer's last message the
        text is sent as it is; the cron sends it once, a second run nothing."""
        self.customer.gema_whatsapp_last_inbound = fields.Datetime.now() - timedelta(
            hours=2
        )
        message = self._queue()
        self.assertFalse(self.server.received, "queued, not sent by the user")
        self.assertFalse(self._customer_posts())
        self.assertTrue(
            self.env["ir.cron.trigger"].search(
                [
                    (
                        "cron_id",
                        "=",
                        self.env.ref("gema_sop.ir_cron_gema_message_send").id,
                    )
                ]
            )
        )
        self._cron()
        self._cron()
        self.assertEqual(self.server.problems, [])
        self.assertEqual(len(self.server.received), 1)
        payload = self.server.received[0]["payload"]
        self.assertEqual(
            payload,
            {
                "messaging_product": "whatsapp",
                "to": "6281234567890",
                "type": "text",
                "text": {"body": self.text},
                # WhatsApp repeats it in the statuses of this message.
                "biz_opaque_callback_data": f"gema.message:{message.id}",
            },
        )
        self.assertRecordValues(
            message,
            [
                {
                    "state": "sent",
                    "whatsapp_kind": "text",
                    "whatsapp_message_id": "wamid.TEST0001",
                    "used_template_fallback": False,
                    "attempts": 1,
                    "next_try": False,
                }
            ],
        )
        posts = self._customer_posts()
        self.assertEqual(len(posts), 1)
        self.assertEqual(message.mail_message_id, posts)
        self.assertIn(self._channel_label(message), posts.body)
        self.assertEqual(posts.author_id, self.sender.partner_id)

    def test_gateway_outside_24h_window_sends_approved_template(self):
        """G-3: outside the window WhatsApp accepts only the approved
        template; its parameters are rendered for the record, in order."""
        self.customer.gema_whatsapp_last_inbound = fields.Datetime.now() - timedelta(
            hours=30
        )
        message = self._queue()
        self._cron()
        self.assertEqual(self.server.problems, [])
        self.assertEqual(
            [r["payload"] for r in self.server.received],
            [
                {
                    "messaging_product": "whatsapp",
                    "to": "6281234567890",
                    "type": "template",
                    "template": {
                        "name": "gema_document_ready",
                        "language": {"code": "id"},
                        "components": [
                            {
                                "type": "body",
                                "parameters": [
                                    {"type": "text", "text": "GM/MSG/1"},
                                    {"type": "text", "text": "Booking online"},
                                ],
                            }
                        ],
                    },
                    "biz_opaque_callback_data": f"gema.message:{message.id}",
                }
            ],
        )
        self.assertRecordValues(
            message,
            [
                {
                    "state": "sent",
                    "whatsapp_kind": "template",
                    "used_template_fallback": False,
                }
            ],
        )

    def test_reengagement_error_falls_back_to_template_once(self):
        """G-3: WhatsApp refuses free text with 131047 when the window has
        closed unnoticed; the approved template is sent instead, once."""
        self.customer.gema_whatsapp_last_inbound = fields.Datetime.now() - timedelta(
            hours=1
        )
        self.server.answer_with(
            error_answer(400, 131047, "Re-engagement message"), None
        )
        message = self._queue()
        self._cron()
        self._cron()
        self.assertEqual(self.server.problems, [])
        self.assertEqual(
            [r["payload"]["type"] for r in self.server.received], ["text", "template"]
        )
        self.assertRecordValues(
            message,
            [
                {
                    "state": "sent",
                    "whatsapp_kind": "template",
                    "used_template_fallback": True,
                    "whatsapp_message_id": "wamid.TEST0002",
                    "last_error": False,
                }
            ],
        )
        self.assertEqual(len(self._customer_posts()), 1)

    def test_reengagement_without_approved_template_fails_clearly(self):
        self.template.gema_whatsapp_template_name = False
        self.server.answer_with(error_answer(400, 131047, "Re-engagement message"))
        message = self._queue()
        self._cron()
        self.assertEqual(message.state, "failed")
        self.assertIn("approved template", message.last_error)
        self.assertEqual(len(self.server.received), 1)

    def test_server_error_is_retried_without_sending_twice(self):
        """G-3: a 500 is retried later with backoff; the message reaches the
        customer once, and later runs of the cron send nothing more."""
        self.server.answer_with(error_answer(500, 1, "Service temporarily unavailable"))
        message = self._queue()
        start = fields.Datetime.now()
        with freeze_time(start):
            self._cron()
        self.assertRecordValues(message, [{"state": "queued", "attempts": 1}])
        self.assertEqual(message.next_try, start + timedelta(minutes=1))
        self.assertIn("Service temporarily unavailable", message.last_error)
        with freeze_time(start + timedelta(seconds=30)):
            self._cron()  # not due yet
        self.assertEqual(len(self.server.received), 1)
        with freeze_time(start + timedelta(minutes=2)):
            self._cron()
            self._cron()
        with freeze_time(start + timedelta(hours=3)):
            self._cron()
        self.assertEqual(self.server.problems, [])
        self.assertEqual(len(self.server.received), 2)
        self.assertRecordValues(
            message,
            [{"state": "sent", "attempts": 2, "last_error": False, "next_try": False}],
        )
        self.assertEqual(len(self._customer_posts()), 1)

    def test_rate_limit_and_network_errors_are_transient(self):
        self.server.answer_with(
            error_answer(429, 130429, "Rate limit hit"),
            error_answer(400, 131016, "Service unavailable"),
        )
        message = self._queue()
        start = fields.Datetime.now()
        for minutes in (0, 2, 10):
            with freeze_time(start + timedelta(minutes=minutes)):
                self._cron()
        self.assertRecordValues(message, [{"state": "sent", "attempts": 3}])
        # An unreachable gateway is retried too.
        self.branch.gema_whatsapp_api_url = "http://127.0.0.1:9/v21.0"
        other = self._queue_another()
        self._cron()
        self.assertRecordValues(other, [{"state": "queued", "attempts": 1}])
        self.assertIn("unreachable", other.last_error)

    def test_permanent_error_fails_without_retry(self):
        """G-3: a refused request (4xx) fails at once with the API's
        message, is never retried, and is noted (not as contact) on the
        record."""
        self.server.answer_with(
            error_answer(400, 100, "Invalid parameter", error_type="OAuthException")
        )
        message = self._queue()
        self._cron()
        with freeze_time(fields.Datetime.now() + timedelta(hours=2)):
            self._cron()
        self.assertEqual(len(self.server.received), 1)
        self.assertRecordValues(
            message, [{"state": "failed", "attempts": 1, "next_try": False}]
        )
        self.assertIn("Invalid parameter", message.last_error)
        self.assertFalse(self._customer_posts())
        notes = self.document.message_ids.filtered(
            lambda m: "could not be sent" in (m.body or "")
        )
        self.assertEqual(len(notes), 1)

    def test_transient_errors_stop_after_max_attempts(self):
        self.server.answer_with(*[error_answer(503, 2, "Temporarily unavailable")] * 6)
        message = self._queue()
        start = fields.Datetime.now()
        for hour in range(8):
            with freeze_time(start + timedelta(hours=hour)):
                self._cron()
        self.assertEqual(len(self.server.received), 5)
        self.assertRecordValues(message, [{"state": "failed", "attempts": 5}])

    def test_one_failure_does_not_undo_other_messages(self):
        """One refused message among several: the others are sent once."""
        self.server.answer_with(None, error_answer(400, 100, "Invalid parameter"), None)
        messages = self._queue() | self._queue_another() | self._queue_another()
        self._cron()
        self._cron()
        self.assertEqual(len(self.server.received), 3)
        self.assertEqual(messages.mapped("state"), ["sent", "failed", "sent"])
        self.assertEqual(len(self._customer_posts()), 2)

    def test_retry_after_failure_and_cancel(self):
        self.server.answer_with(error_answer(400, 100, "Invalid parameter"))
        message = self._queue()
        self._cron()
        self.assertEqual(message.state, "failed")
        message.with_user(self.users["cs"]).action_retry()
        self._cron()
        self.assertEqual(message.state, "sent")
        with self.assertRaises(UserError):
            message.action_cancel()
        queued = self._queue_another()
        queued.with_user(self.users["cs"]).action_cancel()
        self._cron()
        self.assertEqual(queued.state, "cancelled")
        self.assertEqual(len(self.server.received), 2)

    def test_gateway_disabled_is_refused(self):
        self.branch.gema_whatsapp_gateway_enabled = False
        with self.assertRaisesRegex(UserError, "not enabled"):
            self._composer(channel="whatsapp_api").action_send()
        self.assertFalse(self._log())

    def test_no_answer_is_to_check_and_never_resent(self):
        """G-3, robustness: a call whose connection dropped before the
        answer, or answered without a message id, may have reached the
        customer: the message goes To Check with the reason, is never sent
        again by the cron and stops no clock; a person settles it either
        way. (Answers too late are in test_gateway_faults: Odoo's test
        cases wait at least 10 s for any request.)"""
        self.server.answer_with((200, {"messaging_product": "whatsapp"}), RESET)
        stalled = self._queue()
        dropped = self._queue_another()
        self._cron()
        self.assertEqual((stalled | dropped).mapped("state"), ["check", "check"])
        self.assertIn("without a message id", stalled.last_error)
        self.assertIn("Check the chat", dropped.last_error)
        self.assertFalse(self.server.accepted[reference(dropped.id)])
        with freeze_time(fields.Datetime.now() + timedelta(hours=3)):
            self._cron()
        self.assertEqual(len(self.server.received), 2)
        self.assertFalse(self._customer_posts())
        notes = self.document.message_ids.filtered(
            lambda m: "may or may not have reached" in (m.body or "")
        )
        self.assertEqual(len(notes), 2)
        # Checked: the first is in the customer's chat, the second is not.
        cs = self.users["cs"]
        stalled.with_user(cs).action_mark_sent()
        self.assertEqual(stalled.state, "sent")
        # In the sender's language (the chatter is read by the branch).
        self.assertIn("dikonfirmasi oleh test_cs", stalled.mail_message_id.body)
        dropped.with_user(cs).action_retry()
        self._cron()
        self.assertEqual(dropped.state, "sent")
        self.assertEqual(self.server.accepted[reference(dropped.id)], 1)
        self.assertEqual(len(self._customer_posts()), 2)
        with self.assertRaisesRegex(UserError, "can be marked as sent"):
            dropped.with_user(cs).action_mark_sent()

    def test_message_left_sending_by_a_dead_sender_is_to_check(self):
        """Robustness: a message claimed (Sending) whose sender still holds
        its lock is left to that sender; once the sender is gone (its
        PostgreSQL session, and so its lock, with it), the message is To
        Check, not sent again."""
        message = self._queue()
        # sudo: the test plays a sender that claimed it.
        message.sudo().write({"state": "sending", "attempts": 1})
        self.env.flush_all()
        with sql_db.db_connect(self.env.cr.dbname).cursor() as other_sender:
            other_sender.execute(
                SQL("SELECT pg_advisory_lock(%s, %s)", SENDING_LOCK, message.id)
            )
            self._cron()
            self.assertEqual(message.state, "sending", "its sender is alive")
            other_sender.execute(
                SQL("SELECT pg_advisory_unlock(%s, %s)", SENDING_LOCK, message.id)
            )
        self._cron()
        self.assertEqual(message.state, "check")
        self.assertIn("sender stopped", message.last_error)
        self.assertFalse(self.server.received)
        self.assertFalse(self._customer_posts())

    def test_run_stops_within_its_time_budget_with_a_slow_api(self):
        """Robustness: with an API slower than budget / batch size, a run
        stops claiming when one more call could overrun its time budget,
        reports what remains to ir.cron, and the next runs send the rest,
        each message once."""
        # The time budget runs on the process's clock: let it tick (the class
        # is frozen at SUITE_NOW).
        self.startPatcher(freezegun.freeze_time(SUITE_NOW, tick=True))
        ICP = self.env["ir.config_parameter"]
        # Margins wide enough for a loaded machine: an answer takes 0.25 s,
        # far within the 1 s timeout, and longer than 4 s / 20 messages.
        ICP.set_param("gema_sop.whatsapp_send_budget", "4")
        ICP.set_param("gema_sop.whatsapp_timeout", "1")
        self.server.latency = 0.25  # > 4 s / 20 messages
        messages = self._queue()
        for _n in range(11):
            messages |= self._queue_another()
        runs = []
        while self._log().filtered(lambda m: m.state == "queued"):
            self.assertLess(len(runs), 10, "the queue does not drain")
            started = time.monotonic()
            runs.append((self._cron(), time.monotonic() - started))
        self.assertGreater(len(runs), 1)
        for done, seconds in runs:
            self.assertGreaterEqual(done, 1)
            self.assertLess(done, 12)
            self.assertLess(seconds, 4 + 1)
        self.assertEqual(set(messages.mapped("state")), {"sent"})
        self.assertEqual(
            [self.server.accepted[reference(m.id)] for m in messages], [1] * 12
        )
        self.assertEqual(len(self._customer_posts()), 12)

    def test_ir_cron_run_stops_in_budget_and_triggers_the_next(self):
        """Robustness: run by ir.cron (rounds of _notify_progress, each
        committed), a run whose budget is spent triggers the next run
        instead of going on towards the worker's time limit."""
        # The time budget runs on the process's clock: let it tick (the class
        # is frozen at SUITE_NOW).
        self.startPatcher(freezegun.freeze_time(SUITE_NOW, tick=True))
        ICP = self.env["ir.config_parameter"]
        ICP.set_param("gema_sop.whatsapp_send_budget", "1.2")
        ICP.set_param("gema_sop.whatsapp_timeout", "0.3")
        self.server.latency = 0.2
        for _n in range(8):
            self._queue_another()
        cron = self.env.ref("gema_sop.ir_cron_gema_message_send")
        self.env["ir.cron.trigger"].search([("cron_id", "=", cron.id)]).unlink()
        self.env.flush_all()
        [job] = self.env.execute_query_dict(
            SQL("SELECT *, 0 AS timed_out_counter FROM ir_cron WHERE id = %s", cron.id)
        )
        started = time.monotonic()
        self.env["ir.cron"]._run_job(job)
        self.assertLess(time.monotonic() - started, 1.2 + 0.4)
        self.env.invalidate_all()
        states = self._log().mapped("state")
        self.assertIn("sent", states)
        self.assertIn("queued", states)
        self.assertTrue(
            self.env["ir.cron.trigger"].search([("cron_id", "=", cron.id)]),
            "the next run is due at once",
        )

    def test_automatic_message_is_queued_once_per_purpose(self):
        """BK-6, G-3: an automatic message with its purpose key (record,
        template, due day) is queued once, whoever asks; the database
        refuses a second live one; a failed one leaves room for another."""
        Message = self.env["gema.message"]
        key = Message._once_key(self.document, self.template, date(2026, 12, 3))
        self.assertEqual(
            key, f"gema.sop.document,{self.document.id},{self.template.id},2026-12-03"
        )

        def plan():
            return Message._gema_send(
                self.document,
                self.template,
                "whatsapp_api",
                partner=self.customer,
                once_key=key,
            )

        first = plan()
        self.assertEqual(plan(), first)
        self.assertEqual(len(self._log()), 1)
        with (
            mute_logger("odoo.sql_db"),
            self.assertRaises(psycopg2.errors.UniqueViolation),
            self.cr.savepoint(),
        ):
            first.sudo().copy({"dedupe_key": key})
        self.server.answer_with(error_answer(400, 100, "Invalid parameter"))
        self._cron()
        self.assertEqual(first.state, "failed")
        second = plan()
        self.assertNotEqual(second, first)
        self.assertEqual(second.state, "queued")

    def test_send_from_code(self):
        """Scheduled actions send with ``_gema_send`` (the mixin's
        ``_send_message`` calls it for the record's customer)."""
        message = self.env["gema.message"]._gema_send(
            self.document, self.template, "whatsapp_api", partner=self.customer
        )
        self.assertRecordValues(
            message, [{"state": "queued", "phone": "+6281234567890", "body": self.text}]
        )
        self._cron()
        self.assertEqual(message.state, "sent")

    # SLA --------------------------------------------------------------------------

    def test_logged_message_stops_the_contacted_clock(self):
        """ST-6, BK-2: a customer message logged on the record stops its
        "customer contacted" time standard; a queued gateway message does
        only once it is sent, and a WhatsApp link only once confirmed."""
        policy = self.env["gema.sla.policy"].create(
            {
                "name": "Contact within 2 hours",
                "sop": "ST",
                "model_id": self.env["ir.model"]._get_id("gema.sop.document"),
                "start_event": "create",
                "stop_event": "message",
                "deadline_type": "duration",
                "duration": 2,
                "duration_unit": "hours",
            }
        )
        documents = self.env["gema.sop.document"].create(
            [
                {
                    "number": f"GM/SLA/{n}",
                    "name": "SLA",
                    "sop": "ST",
                    "company_id": self.branch.id,
                }
                for n in (1, 2)
            ]
        )

        def line(document):
            return self.env["gema.sla.status"].search(
                [
                    ("policy_id", "=", policy.id),
                    ("res_model", "=", "gema.sop.document"),
                    ("res_id", "=", document.id),
                ]
            )

        self.assertEqual(line(documents[0]).state, "running")
        link = self.env["gema.message"]._gema_send(
            documents[0], self.template, "whatsapp_link", partner=self.customer
        )
        self.assertEqual(line(documents[0]).state, "running", "not sent yet")
        self.follow_whatsapp_link(link._link_dialog())
        self.assertEqual(line(documents[0]).state, "done")

        self.env["gema.message"]._gema_send(
            documents[1], self.template, "whatsapp_api", partner=self.customer
        )
        self.assertEqual(line(documents[1]).state, "running")
        self._cron()
        self.assertEqual(line(documents[1]).state, "done")

    # Roles ------------------------------------------------------------------------

    def test_roles(self):
        """G-5: technicians never see the message log (phone numbers); a
        service advisor sees the messages of their branch only."""
        self._composer().action_send()
        with self.assertRaises(AccessError):
            self.env["gema.message"].with_user(self.users["technician"]).search([])
        with self.assertRaises(AccessError):
            self._log().with_user(self.users["technician"]).read(["phone"])
        self.assertEqual(
            self.env["gema.message"].with_user(self.users["advisor"]).search([]),
            self._log(),
        )
        self.assertEqual(
            self.env["gema.message"].with_user(self.users["cs"]).search([]),
            self._log(),
        )
        other_branch = self.env["res.company"].create(
            {"name": "Test Branch Binjai", "parent_id": self.main_company.id}
        )
        other_advisor = self.env["res.users"].create(
            {
                "name": "Advisor Binjai",
                "login": "test_advisor_binjai",
                "company_id": other_branch.id,
                "company_ids": [(6, 0, other_branch.ids)],
                "groups_id": [
                    (6, 0, self.env.ref("gema_sop.group_service_advisor").ids)
                ],
            }
        )
        self.assertFalse(self.env["gema.message"].with_user(other_advisor).search([]))
