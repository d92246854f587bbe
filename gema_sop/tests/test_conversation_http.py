"""Conversations over real HTTP: incoming WhatsApp messages through the
signed webhook (SPEC CS-2, CS-4) and the customer's rating page by token
link (CS-8, G-5)."""

import hashlib
import hmac
import json
import re
from datetime import datetime, timedelta

from odoo.tests import HttpCase, tagged
from odoo.tools import mute_logger

from .common_messaging import GemaMessagingCase

SECRET = "app-secret-of-the-branch"
WEBHOOK = "/gema/whatsapp/webhook"
CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')
# G-3: the customer's phone asks for Indonesian.
INDONESIAN = {"Accept-Language": "id-ID"}


@tagged("post_install", "-at_install")
class TestConversationHttp(HttpCase, GemaMessagingCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.branch.gema_whatsapp_app_secret = SECRET
        # The messaging fixtures switch every shipped policy off; the chat
        # desk's first-response standard is the one under test here.
        cls.env.ref("gema_sop.sla_policy_cs4_first_response").active = True
        cls.Conversation = cls.env["gema.conversation"]

    def _post(self, messages, name="Budi Santoso"):
        body = json.dumps(
            {
                "object": "whatsapp_business_account",
                "entry": [
                    {
                        "id": "WABA",
                        "changes": [
                            {
                                "field": "messages",
                                "value": {
                                    "messaging_product": "whatsapp",
                                    "metadata": {
                                        "phone_number_id": self.server.phone_number_id
                                    },
                                    "contacts": [
                                        {
                                            "profile": {"name": name},
                                            "wa_id": messages[0]["from"],
                                        }
                                    ],
                                    "messages": messages,
                                },
                            }
                        ],
                    }
                ],
            }
        ).encode()
        digest = hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
        response = self.url_open(
            WEBHOOK,
            data=body,
            headers={
                "Content-Type": "application/json",
                "X-Hub-Signature-256": f"sha256={digest}",
            },
        )
        self.assertEqual(response.status_code, 200)

    def _message(self, wamid, text, sender="6281234567890", minutes_ago=1):
        moment = datetime.now() - timedelta(minutes=minutes_ago)
        return {
            "from": sender,
            "id": wamid,
            "timestamp": str(int(moment.timestamp())),
            "type": "text",
            "text": {"body": text},
        }

    def _of(self, partner):
        return self.Conversation.search(
            [("partner_id", "=", partner.id), ("company_id", "=", self.branch.id)],
            order="id",
        )

    def test_cs2_cs4_incoming_whatsapp_is_logged_on_the_open_conversation(self):
        """CS-2 / CS-4: a customer's WhatsApp message opens a conversation
        for their number at the branch, in full in the chatter, with its
        first-response clock running; their next message joins it and
        does not stop the clock; a message Meta delivers twice is logged
        once; after closing, a new message opens a new conversation."""
        self._post([self._message("wamid.A1", "Mobil saya mogok, bisa derek?")])
        conversation = self._of(self.customer)
        self.assertEqual(len(conversation), 1)
        self.assertEqual(
            (conversation.channel, conversation.state, conversation.priority),
            ("whatsapp", "new", "2"),
        )
        self.assertEqual(conversation.summary, "Mobil saya mogok, bisa derek?")
        self.assertEqual(conversation.customer_phone, "+6281234567890")
        self.assertFalse(conversation.user_id, "Unassigned: the desk picks it up")
        inbound = self.env.ref("gema_sop.mt_customer_inbound")
        line = conversation.gema_sla_status_ids
        self.assertEqual((line.policy_id.code, line.state), ("CS-4", "running"))

        self._post([self._message("wamid.A2", "Halo? Saya di tol Belmera")])
        self._post([self._message("wamid.A2", "Halo? Saya di tol Belmera")])
        self.assertEqual(self._of(self.customer), conversation)
        logged = conversation.message_ids.filtered(lambda m: m.subtype_id == inbound)
        self.assertEqual(len(logged), 2)
        self.assertEqual(logged.author_id, self.customer)
        self.assertIn("tol Belmera", logged[0].body)
        self.assertEqual(line.state, "running")
        self.assertEqual(conversation.state, "new")

        conversation.write(
            {
                "state": "closed",
                "outcome": "solved",
                "closed_date": datetime.now(),
            }
        )
        self._post([self._message("wamid.A3", "Terima kasih, sudah beres")])
        self.assertEqual(len(self._of(self.customer)), 2)

    def test_cs2_unknown_number_becomes_a_customer_and_media_is_noted(self):
        """CS-2: a new number becomes a customer named as WhatsApp shows
        them; a photo is logged with its caption (the file, not served
        here, is noted as missing: test_whatsapp_thread.py)."""
        photo = {
            "from": "6285261119876",
            "id": "wamid.P1",
            "timestamp": str(int(datetime.now().timestamp())),
            "type": "image",
            "image": {"id": "media-1", "caption": "Lampu rem menyala terus"},
        }
        self._post([photo], name="Yohanes Tarigan")
        partner = self.env["res.partner"].search(
            [("gema_whatsapp_e164", "=", "+6285261119876")]
        )
        self.assertEqual(partner.name, "Yohanes Tarigan")
        conversation = self._of(partner)
        self.assertEqual(conversation.summary, "Lampu rem menyala terus")

    def _closing_sent(self):
        conversation = self.Conversation.create(
            {
                "partner_id": self.customer.id,
                "company_id": self.branch.id,
                "summary": "Berapa harga servis berkala?",
            }
        )
        conversation.write({"solved_confirmed": True, "anything_else_asked": True})
        conversation.action_send_closing()
        # The branch's gateway sends it: the closing counts once it left.
        self.env["gema.message"]._cron_send_queued()
        self.env.invalidate_all()  # the sender wrote in a cursor of its own
        self.assertTrue(conversation.closing_sent_date)
        return conversation

    def _page(self, conversation, token):
        return self.url_open(
            f"/chat/rate/{conversation.id}?access_token={token}", headers=INDONESIAN
        )

    def _rate(self, conversation, token, rating, comment="", page_of=None):
        """Post the form of the page of ``page_of`` (default: the same
        conversation) with ``token`` for ``conversation``."""
        page = self._page(page_of or conversation, token)
        data = {
            "csrf_token": CSRF_RE.search(page.text).group(1),
            "access_token": token,
            "rating": rating,
            "comment": comment,
        }
        return self.url_open(
            f"/chat/rate/{conversation.id}", data=data, headers=INDONESIAN
        )

    def test_cs8_rating_page_by_token_one_valid_rating(self):
        """CS-8 / G-5 / G-3: the token link shows the rating form in the
        customer's language and nothing of the chat; a rating outside 1-5
        is refused with a message; a valid one is stored once; the page
        then thanks the customer."""
        conversation = self._closing_sent()
        token = conversation.access_token
        page = self._page(conversation, token)
        self.assertEqual(page.status_code, 200)
        self.assertIn("Bagaimana layanan kami?", page.text)
        self.assertIn('name="rating"', page.text)
        self.assertNotIn("Berapa harga", page.text)
        self.assertNotIn("6281234567890", page.text)
        csrf = CSRF_RE.search(page.text).group(1)

        response = self._rate(conversation, token, "9")
        self.assertIn("Mohon pilih penilaian dari 1 sampai 5.", response.text)
        self.assertFalse(conversation.rating)

        response = self._rate(conversation, token, "4", "Cepat dan ramah")
        self.assertIn("Terima kasih atas penilaian Bapak/Ibu.", response.text)
        self.assertEqual(
            (conversation.rating, conversation.rating_comment), (4, "Cepat dan ramah")
        )
        # The form is gone; a replayed post changes nothing.
        self.assertNotIn('name="rating"', response.text)
        response = self.url_open(
            f"/chat/rate/{conversation.id}",
            data={"csrf_token": csrf, "access_token": token, "rating": "1"},
            headers=INDONESIAN,
        )
        self.assertIn("Terima kasih atas penilaian Bapak/Ibu.", response.text)
        self.assertEqual(conversation.rating, 4)

    def test_cs8_rating_page_refuses_wrong_or_foreign_tokens(self):
        """CS-8 / G-5: no token, a wrong token or another conversation's
        token gives 404 and records nothing; before closing the page only
        says it can be rated later."""
        conversation = self._closing_sent()
        other = self._closing_sent()
        with mute_logger("werkzeug"):
            for url in (
                f"/chat/rate/{conversation.id}",
                f"/chat/rate/{conversation.id}?access_token=guess",
                f"/chat/rate/{conversation.id}?access_token={other.access_token}",
            ):
                with self.subTest(url=url):
                    self.assertEqual(self.url_open(url).status_code, 404)
            response = self._rate(conversation, other.access_token, "1", page_of=other)
        self.assertEqual(response.status_code, 404)
        self.assertFalse(conversation.rating)
        fresh = self.Conversation.create(
            {"partner_id": self.customer.id, "company_id": self.branch.id}
        )
        fresh._portal_ensure_token()
        page = self._page(fresh, fresh.access_token)
        self.assertIn("setelah percakapan ditutup", page.text)
        self.assertNotIn('name="rating"', page.text)
