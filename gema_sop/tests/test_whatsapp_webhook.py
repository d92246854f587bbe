"""The WhatsApp webhook: the customer service window and late failures (G-3).

Real HTTP requests to the running test server, signed like Meta signs them
(HMAC-SHA256 of the raw body with the app secret); the gateway behind the
messages is the local fake API of the messaging tests.
"""

from datetime import datetime, timedelta

from odoo import fields
from odoo.tests import tagged
from odoo.tools import mute_logger

from .webhook_common import URL, WhatsappWebhookCase


@tagged("post_install", "-at_install")
class TestWhatsappWebhook(WhatsappWebhookCase):
    def test_subscription_handshake_needs_the_verify_token(self):
        response = self.url_open(
            f"{URL}?hub.mode=subscribe&hub.verify_token=verify-me&hub.challenge=1158201444"
        )
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.text, "1158201444")
        with mute_logger("werkzeug"):
            wrong = self.url_open(
                f"{URL}?hub.mode=subscribe&hub.verify_token=guess&hub.challenge=1"
            )
        self.assertEqual(wrong.status_code, 403)

    def test_g3_customer_message_opens_the_window_then_free_text_is_sent(self):
        """G-3: the customer wrote an hour ago, so the queued message goes
        out as free text, not as the approved template."""
        self.assertFalse(self.customer.gema_whatsapp_last_inbound)
        wrote = datetime.now().replace(microsecond=0) - timedelta(hours=1)
        response = self._post(self._payload(messages=[self._inbound(wrote)]))
        self.assertEqual(response.status_code, 200)
        self.assertEqual(self.customer.gema_whatsapp_last_inbound, wrote)
        # An older message delivered late does not move the window back.
        self._post(self._payload(messages=[self._inbound(wrote - timedelta(hours=5))]))
        self.customer.invalidate_recordset()
        self.assertEqual(self.customer.gema_whatsapp_last_inbound, wrote)
        message = self._queue()
        self._cron()
        self.assertEqual(message.whatsapp_kind, "text")
        self.assertEqual(self.server.received[0]["payload"]["type"], "text")

    @mute_logger("werkzeug")
    def test_unsigned_foreign_or_malformed_calls_change_nothing(self):
        """A forged call (no or wrong signature) is refused; a signed call
        about another WhatsApp number is ignored; broken JSON is a 400."""
        payload = self._payload(messages=[self._inbound(datetime.now())])
        self.assertEqual(self._post(payload, secret=None).status_code, 403)
        self.assertEqual(self._post(payload, secret="forged").status_code, 403)
        other = self._payload(
            messages=[self._inbound(datetime.now())], phone_number_id="999"
        )
        self.assertEqual(self._post(other).status_code, 200)
        self.assertEqual(self._post(None, raw=b"{not json").status_code, 400)
        self.customer.invalidate_recordset()
        self.assertFalse(self.customer.gema_whatsapp_last_inbound)

    def _sent_text(self):
        """A free text the API accepted (the window looked open)."""
        self.customer.gema_whatsapp_last_inbound = fields.Datetime.now() - timedelta(
            hours=23, minutes=59
        )
        message = self._queue()
        self._cron()
        self.assertEqual(message.state, "sent")
        self.customer.gema_whatsapp_last_inbound = False
        return message

    def _failed(self, message, code, title):
        return {
            "id": message.whatsapp_message_id,
            "status": "failed",
            "timestamp": str(int(datetime.now().timestamp())),
            "recipient_id": "6281234567890",
            "errors": [{"code": code, "title": title, "message": title}],
        }

    def test_g3_late_reengagement_failure_sends_the_template_once(self):
        """G-3: the window closed before delivery (131047 reported later):
        the approved template goes out, once; the chatter keeps one entry."""
        message = self._sent_text()
        status = self._failed(message, 131047, "Re-engagement message")
        self.assertEqual(self._post(self._payload(statuses=[status])).status_code, 200)
        message.invalidate_recordset()
        self.assertEqual(message.state, "queued")
        self._cron()
        # The same status again (Meta retries) does not send a third time.
        self._post(self._payload(statuses=[status]))
        self._cron()
        kinds = [received["payload"]["type"] for received in self.server.received]
        self.assertEqual(kinds, ["text", "template"])
        message.invalidate_recordset()
        self.assertRecordValues(
            message,
            [
                {
                    "state": "sent",
                    "whatsapp_kind": "template",
                    "used_template_fallback": True,
                }
            ],
        )
        self.assertEqual(len(self._customer_posts()), 1)

    def test_g3_late_other_failure_marks_the_message_failed(self):
        message = self._sent_text()
        status = self._failed(message, 131026, "Message undeliverable")
        self._post(self._payload(statuses=[status]))
        message.invalidate_recordset()
        self.assertEqual(message.state, "failed")
        self.assertIn("Message undeliverable", message.last_error)
        self.assertEqual(len(self.server.received), 1)
        self.assertIn(
            "Message undeliverable",
            self.document.message_ids[0].body,
            "the record tells the team the customer did not get it",
        )

    def _status(self, message, status, moment, wamid=None, callback=True):
        value = {
            "id": wamid or message.whatsapp_message_id,
            "status": status,
            "timestamp": str(int(moment.timestamp())),
            "recipient_id": "6281234567890",
        }
        if callback:
            value["biz_opaque_callback_data"] = f"gema.message:{message.id}"
        return value

    def test_g3_delivery_statuses_move_forward_once(self):
        """G-3, BK-10: WhatsApp's statuses say how far the message got
        (delivered, read), each applied once and never backwards, whatever
        Meta repeats or sends out of order."""
        message = self._sent_text()
        now = datetime.now().replace(microsecond=0)
        delivered = self._status(message, "delivered", now)
        read = self._status(message, "read", now + timedelta(minutes=3))
        self._post(self._payload(statuses=[delivered]))
        message.invalidate_recordset()
        self.assertRecordValues(
            message, [{"state": "delivered", "delivered_date": now, "read_date": False}]
        )
        self._post(self._payload(statuses=[read, delivered]))
        self._post(self._payload(statuses=[self._status(message, "sent", now)]))
        message.invalidate_recordset()
        self.assertRecordValues(
            message,
            [
                {
                    "state": "read",
                    "delivered_date": now,
                    "read_date": now + timedelta(minutes=3),
                }
            ],
        )
        self.assertEqual(len(self._customer_posts()), 1)
        # Another message's id with this one's reference changes nothing.
        self._post(
            self._payload(
                statuses=[self._status(message, "failed", now, wamid="wamid.OTHER")]
            )
        )
        message.invalidate_recordset()
        self.assertEqual(message.state, "read")

    def test_g3_message_to_check_is_settled_by_its_status(self):
        """G-3, robustness: the answer to a call was lost (To Check), but
        WhatsApp reports the message by the reference the gateway sent with
        it: it is sent, logged once, and stops the record's clock once;
        repeated statuses change nothing more."""
        message = self._queue()
        # sudo: the test plays a call whose answer was lost.
        message.sudo().write({"state": "check", "attempts": 1, "last_error": "?"})
        sent_at = datetime.now().replace(microsecond=0)
        status = self._status(message, "sent", sent_at, wamid="wamid.LATE1")
        for _twice in range(2):
            self.assertEqual(
                self._post(self._payload(statuses=[status])).status_code, 200
            )
        message.invalidate_recordset()
        self.assertRecordValues(
            message,
            [
                {
                    "state": "sent",
                    "whatsapp_message_id": "wamid.LATE1",
                    "sent_date": sent_at,
                    "last_error": False,
                }
            ],
        )
        self.assertEqual(len(self._customer_posts()), 1)
        self.assertFalse(self.server.received)

    def test_status_of_another_branch_changes_nothing(self):
        """Security: a status signed by another branch's app secret, for its
        own number, cannot move (or settle) this branch's messages, even
        naming their WhatsApp id and reference."""
        self.env["res.company"].create(
            {
                "name": "Webhook Test Branch Binjai",
                "parent_id": self.main_company.id,
                "gema_whatsapp_phone_number_id": "555000555",
                "gema_whatsapp_app_secret": "secret-of-binjai",
            }
        )
        message = self._sent_text()
        checked = self._queue_another()
        # sudo: the test plays a call whose answer was lost.
        checked.sudo().write({"state": "check", "attempts": 1})
        now = datetime.now()
        payload = self._payload(
            statuses=[
                self._status(message, "read", now),
                self._status(checked, "sent", now, wamid="wamid.FORGED"),
            ],
            phone_number_id="555000555",
        )
        self.assertEqual(
            self._post(payload, secret="secret-of-binjai").status_code, 200
        )
        (message | checked).invalidate_recordset()
        self.assertEqual((message | checked).mapped("state"), ["sent", "check"])

    def test_customer_found_by_number_however_typed(self):
        """The webhook and the SOP records find a customer by the E.164 form
        of their mobile, else phone; an unusable number gives none."""
        Partner = self.env["res.partner"]
        partners = Partner.create(
            [
                {"name": "A", "mobile": "+62 812-1111-2222"},
                {"name": "B", "mobile": "not a number", "phone": "0813 3333 4444"},
                {"name": "C", "mobile": "12"},
            ]
        )
        self.assertEqual(
            partners.mapped("gema_whatsapp_e164"),
            ["+6281211112222", "+6281333334444", False],
        )
        self.assertEqual(
            Partner.search([("gema_whatsapp_e164", "=", "+6281333334444")]),
            partners[1],
        )
