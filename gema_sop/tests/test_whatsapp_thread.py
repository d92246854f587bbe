"""WhatsApp as a live thread (CS-2, CS-4): what the customer sends reaches
the conversation's chatter (files as attachments) and the officer at once,
stored first so that nothing is lost; the officer answers in the chatter.

Real signed HTTP requests to the running test server; the Cloud API (its
messages and media endpoints) is the local fake server of the messaging
tests. The bus is Odoo's own table (``bus.bus``), read after the request.
"""

import hashlib
import hmac as std_hmac
import json
import threading
from datetime import timedelta

from odoo import fields
from odoo.addons.bus.models.bus import channel_with_db, dispatch, hashable
from odoo.addons.bus.tests.common import WebsocketCase
from odoo.exceptions import AccessError, UserError
from odoo.sql_db import db_connect
from odoo.tests import Form, freeze_time, tagged
from odoo.tools import SQL, mute_logger
from odoo.tools.misc import hmac

from .smtp_fake_server import start_smtp_server
from .webhook_common import SECRET, URL, WhatsappWebhookCase

PHOTO = b"\xff\xd8\xff\xe0 a photo of the brake light \xff\xd9"
VOICE = b"OggS a voice note"
REPLY = "Sudah selesai, Pak. Silakan diambil sebelum pukul 17.00."
INBOX_LOG = "odoo.addons.gema_sop.models.gema_whatsapp_inbox"


def _open_conversation(cls):
    """The customer's open WhatsApp conversation, with its CS officer."""
    cls.officer = cls.users["cs"]
    cls.conversation = cls.env["gema.conversation"].create(
        {
            "channel": "whatsapp",
            "partner_id": cls.customer.id,
            "company_id": cls.branch.id,
            "user_id": cls.officer.id,
            "summary": "Mobil saya sudah selesai?",
        }
    )


@tagged("post_install", "-at_install")
class TestWhatsappThread(WhatsappWebhookCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        _open_conversation(cls)
        # A chat is answered in Odoo: the officer is told in the inbox even
        # when they chose email notifications.
        cls.officer.notification_type = "email"
        cls.Inbox = cls.env["gema.whatsapp.inbox"]

    def _now(self):
        return fields.Datetime.now().replace(microsecond=0)

    def _posts(self):
        self.conversation.invalidate_recordset()
        return self.conversation.message_ids.filtered(
            lambda m: m.subtype_id == self.env.ref("gema_sop.mt_customer_inbound")
        ).sorted("id")

    def _photo(self, moment, wamid="wamid.P1"):
        return self._inbound(
            moment,
            wamid=wamid,
            kind="image",
            id="MEDIA-IMG",
            caption="Lampu rem mati",
            mime_type="image/jpeg",
        )

    def _cron_later(self, minutes=2):
        with freeze_time(fields.Datetime.now() + timedelta(minutes=minutes)):
            self.Inbox._cron_apply_pending()
        self.env.invalidate_all()

    # Inbound: text and files -------------------------------------------------

    def test_cs2_text_photo_and_voice_note_appear_in_the_thread(self):
        """CS-2: a text, a photo with its caption and a voice note are
        logged on the customer's conversation, the files fetched from the
        Cloud API (with the branch's token) and kept as attachments of
        their chatter messages; Meta sending it all again changes nothing
        and fetches nothing."""
        self.server.add_media("MEDIA-IMG", PHOTO, "image/jpeg")
        self.server.add_media("MEDIA-OGG", VOICE, "audio/ogg; codecs=opus")
        now = self._now()
        payload = self._payload(
            messages=[
                self._inbound(now, wamid="wamid.T1"),
                self._photo(now),
                self._inbound(
                    now,
                    wamid="wamid.V1",
                    kind="audio",
                    id="MEDIA-OGG",
                    mime_type="audio/ogg; codecs=opus",
                    voice=True,
                ),
            ]
        )
        self.assertEqual(self._post(payload).status_code, 200)
        text, photo, voice = self._posts()
        self.assertIn("Halo, mobil saya sudah selesai?", text.body)
        self.assertFalse(text.attachment_ids)
        self.assertEqual(photo.body, "<p>Lampu rem mati</p>")
        self.assertRecordValues(
            photo.attachment_ids | voice.attachment_ids,
            [
                {
                    "name": "whatsapp-image-MEDIA-IMG.jpg",
                    "mimetype": "image/jpeg",
                    "res_model": "gema.conversation",
                    "res_id": self.conversation.id,
                },
                {
                    "name": "whatsapp-audio-MEDIA-OGG.ogg",
                    "mimetype": "audio/ogg",
                    "res_model": "gema.conversation",
                    "res_id": self.conversation.id,
                },
            ],
        )
        self.assertEqual(photo.attachment_ids.raw, PHOTO)
        self.assertEqual(voice.attachment_ids.raw, VOICE)
        self.assertEqual(
            self.server.media_requests,
            [
                "/v21.0/MEDIA-IMG",
                "/media-files/MEDIA-IMG",
                "/v21.0/MEDIA-OGG",
                "/media-files/MEDIA-OGG",
            ],
        )
        self.assertEqual(self.server.problems, [])
        delivery = self.Inbox.search([], limit=1)
        self.assertEqual(delivery.state, "done")
        self.assertEqual(json.loads(delivery.body), payload)
        # Meta delivers the same webhook again.
        self.assertEqual(self._post(payload).status_code, 200)
        self.assertEqual(len(self._posts()), 3)
        self.assertEqual(len(self.server.media_requests), 4)

    def test_cs2_file_not_fetched_is_noted_and_fetched_again(self):
        """CS-2: the Cloud API down when a photo arrives: the message is
        logged with its caption and a note of what is missing (in the
        branch's language); the
        scheduled action fetches the photo later onto that message."""
        self.server.add_media("MEDIA-IMG", PHOTO, "image/jpeg")
        self.server.media_down = True
        self.assertEqual(
            self._post(self._payload(messages=[self._photo(self._now())])).status_code,
            200,
        )
        [photo] = self._posts()
        self.assertIn("Lampu rem mati", photo.body)
        # In the branch's language (Indonesian here), for its staff.
        self.assertIn("Foto tidak dapat diambil dari WhatsApp", photo.body)
        self.assertFalse(photo.attachment_ids)
        delivery = self.Inbox.search([], limit=1)
        self.assertRecordValues(delivery, [{"state": "media", "attempts": 1}])
        # Still down at the next run: tried again later.
        self._cron_later()
        self.assertRecordValues(delivery, [{"state": "media", "attempts": 2}])
        self.server.media_down = False
        self._cron_later(minutes=10)
        self.assertEqual(self._posts(), photo)
        self.assertEqual(photo.body, "<p>Lampu rem mati</p>")
        self.assertEqual(photo.attachment_ids.raw, PHOTO)
        self.assertEqual(delivery.state, "done")

    @mute_logger(INBOX_LOG)
    def test_cs2_delivery_survives_a_failure_and_is_applied_by_the_cron(self):
        """CS-2: applying a delivery fails (here: another transaction
        claimed the sender's number at that moment, a real concurrent
        update in PostgreSQL): Meta still gets its 200, the delivery is
        kept with the error, and the scheduled action files the message."""
        digest = hmac(self.env(su=True), "gema_claim", "phone:+6281234567890")
        claim = SQL(
            "INSERT INTO gema_claim (key, claimed_date) VALUES (%s, now()) "
            "ON CONFLICT (key) DO UPDATE SET claimed_date = EXCLUDED.claimed_date",
            digest,
        )
        with db_connect(self.env.cr.dbname).cursor() as other:
            other.execute(claim)
        try:
            response = self._post(self._payload(messages=[self._inbound(self._now())]))
        finally:
            with db_connect(self.env.cr.dbname).cursor() as other:
                other.execute(SQL("DELETE FROM gema_claim WHERE key = %s", digest))
        self.assertEqual(response.status_code, 200)
        delivery = self.Inbox.search([], limit=1)
        self.assertRecordValues(delivery, [{"state": "pending", "attempts": 1}])
        self.assertIn("could not serialize", delivery.last_error)
        self.assertFalse(self._posts(), "nothing half-applied")
        self.assertFalse(self.customer.gema_whatsapp_last_inbound)
        self._cron_later()
        self.assertEqual(delivery.state, "done")
        self.assertIn("Halo, mobil saya sudah selesai?", self._posts().body)
        self.assertTrue(self.customer.gema_whatsapp_last_inbound)

    def test_cs4_officer_is_notified_on_the_bus_at_once(self):
        """CS-4: the customer's message reaches the conversation's officer
        at once: an inbox notification (needaction) and its bus message,
        which the web client shows in the inbox and the open chatter."""
        last_bus = self.env["bus.bus"].sudo().search([], order="id desc", limit=1).id
        self._post(self._payload(messages=[self._inbound(self._now())]))
        [post] = self._posts()
        self.assertEqual(
            post.notification_ids.mapped(
                lambda n: (n.res_partner_id, n.notification_type)
            ),
            [(self.officer.partner_id, "inbox")],
        )
        sent = [
            (json.loads(row.channel), json.loads(row.message))
            for row in self.env["bus.bus"].sudo().search([("id", ">", last_bus)])
        ]
        inbox = [
            channel
            for channel, message in sent
            if message["type"] == "mail.message/inbox"
            and post.id in [m["id"] for m in message["payload"]["mail.message"]]
        ]
        self.assertEqual(
            inbox, [[self.env.cr.dbname, "res.partner", self.officer.partner_id.id]]
        )

    def test_deliveries_are_read_by_sop_administrators_only(self):
        """Security (G-5): the stored deliveries hold what customers wrote;
        SOP administrators read them (to see a failed one), nobody changes
        or deletes them by hand, other roles do not see them."""
        delivery = self.Inbox.browse(
            self.Inbox._store(b'{"entry": []}', "sha256=0", self.branch)
        )
        for role in ("technician", "advisor", "cs", "supervisor", "manager"):
            with self.subTest(role=role), self.assertRaises(AccessError):
                delivery.with_user(self.users[role]).read(["body"])
        admin = delivery.with_user(self.users["sopadmin"])
        self.assertEqual(admin.read(["state"])[0]["state"], "pending")
        with self.assertRaises(AccessError):
            admin.write({"state": "done"})
        with self.assertRaises(AccessError):
            admin.unlink()

    # The officer's answer ----------------------------------------------------

    def _reply_in_chatter(self):
        """What the chatter's Send message does, as the officer."""
        self.authenticate(self.officer.login, "test_csx")
        return self.make_jsonrpc_request(
            "/mail/message/post",
            {
                "thread_model": "gema.conversation",
                "thread_id": self.conversation.id,
                "post_data": {
                    "body": REPLY,
                    "message_type": "comment",
                    "subtype_xmlid": "mail.mt_comment",
                    "partner_ids": self.customer.ids,
                },
            },
        )

    def test_cs4_reply_in_the_chatter_goes_out_as_free_text(self):
        """CS-4, G-3: inside the 24-hour window the officer's answer in the
        chatter goes to the customer through the gateway, once, as free
        text (not by email); it stops the first-response clock and answers
        the conversation when it left, not when it was typed."""
        cs4 = self.env.ref("gema_sop.sla_policy_cs4_first_response")
        cs4.active = True
        self.conversation.unlink()
        # The customer writes: a new conversation, its CS-4 clock running.
        self._post(self._payload(messages=[self._inbound(self._now())]))
        self.conversation = self.env["gema.conversation"].search(
            [("partner_id", "=", self.customer.id)]
        )
        self.conversation.user_id = self.officer
        line = self.env["gema.sla.status"].search(
            [
                ("res_model", "=", "gema.conversation"),
                ("res_id", "=", self.conversation.id),
                ("policy_id", "=", cs4.id),
            ]
        )
        self._reply_in_chatter()
        self.assertEqual(line.state, "running")
        reply = self.env["gema.message"].search(
            [
                ("res_model", "=", "gema.conversation"),
                ("res_id", "=", self.conversation.id),
            ]
        )
        self.assertRecordValues(
            reply,
            [
                {
                    "state": "queued",
                    "channel": "whatsapp_api",
                    "user_id": self.officer.id,
                }
            ],
        )
        self.assertFalse(self.conversation.first_response_date, "not sent yet")
        self._cron()
        self._cron()
        self.assertEqual(
            [r["payload"] for r in self.server.received],
            [
                {
                    "messaging_product": "whatsapp",
                    "to": "6281234567890",
                    "type": "text",
                    "text": {"body": REPLY},
                    "biz_opaque_callback_data": f"gema.message:{reply.id}",
                }
            ],
        )
        self.assertRecordValues(reply, [{"state": "sent", "whatsapp_kind": "text"}])
        chatter = self.conversation.message_ids.filtered(
            lambda m: m.author_id == self.officer.partner_id
        )
        self.assertEqual(reply.mail_message_id, chatter, "one entry: the reply")
        self.assertFalse(
            self.env["mail.mail"].search([("recipient_ids", "in", self.customer.ids)])
        )
        self.assertRecordValues(
            self.conversation,
            [
                {
                    "state": "answered",
                    "first_response_date": self._now(),
                    "first_response_result": "on_time",
                }
            ],
        )
        self.assertEqual(line.state, "done")

    def test_cs4_email_answer_counts_when_its_mail_left(self):
        """CS-4 (trust rule): an answer by email waiting in Odoo's mail
        queue does not stop the first-response clock; the mail leaving
        does, on time, and answers the conversation."""
        smtp = start_smtp_server(self)
        cs4 = self.env.ref("gema_sop.sla_policy_cs4_first_response")
        cs4.active = True
        conversation = self.env["gema.conversation"].create(
            {
                "channel": "whatsapp",
                "partner_id": self.customer.id,
                "company_id": self.branch.id,
                "user_id": self.officer.id,
                "summary": "Berapa harga servis berkala?",
            }
        )
        line = self.env["gema.sla.status"].search(
            [
                ("res_model", "=", conversation._name),
                ("res_id", "=", conversation.id),
                ("policy_id", "=", cs4.id),
            ]
        )
        message = (
            conversation.with_user(self.officer)
            .with_context(mail_notify_force_send=False)
            ._send_message("gema_sop.mail_template_conversation_greeting", "email")
        )
        self.assertEqual(message.state, "queued")
        self.assertRecordValues(
            conversation, [{"state": "new", "first_response_date": False}]
        )
        self.assertEqual(line.state, "running")
        self.env["mail.mail"].search(
            [("mail_message_id", "=", message.mail_message_id.id)]
        ).send()
        self.assertEqual(len(smtp.received), 1)
        self.assertEqual(message.state, "sent")
        self.assertRecordValues(
            conversation,
            [
                {
                    "state": "answered",
                    "first_response_date": self._now(),
                    "first_response_result": "on_time",
                }
            ],
        )
        self.assertEqual(line.state, "done")

    def test_cs4_chatter_answer_refused_without_gateway_or_with_a_file(self):
        """CS-4, bad paths: without the branch's gateway a chatter answer
        could not reach the customer, and the gateway sends no files: both
        are refused, saying what to do; nothing is queued."""
        self.customer.gema_whatsapp_last_inbound = fields.Datetime.now()
        self.branch.gema_whatsapp_gateway_enabled = False

        def answer(env, **values):
            self.conversation.with_env(env(user=self.officer)).message_post(
                body=REPLY,
                message_type="comment",
                subtype_xmlid="mail.mt_comment",
                **values,
            )

        with self.assertRaisesBilingual(
            UserError,
            "Automatic WhatsApp sending is not enabled",
            "Pengiriman WhatsApp otomatis belum diaktifkan",
        ) as run:
            run(answer)
        self.branch.gema_whatsapp_gateway_enabled = True
        with self.assertRaisesBilingual(
            UserError, "carries text only", "hanya berisi teks"
        ) as run:
            run(lambda env: answer(env, attachments=[("rem.jpg", PHOTO)]))
        self.assertFalse(
            self.env["gema.message"].search(
                [
                    ("res_model", "=", "gema.conversation"),
                    ("res_id", "=", self.conversation.id),
                ]
            )
        )

    def test_cs4_outside_the_window_only_approved_templates(self):
        """CS-4, G-3: the customer wrote more than 24 hours ago: a free
        answer in the chatter is refused, saying why; the composer says it
        too, offers the approved templates only and sends one."""
        self.customer.gema_whatsapp_last_inbound = fields.Datetime.now() - timedelta(
            hours=25
        )
        conversation = self.conversation.with_user(self.officer)
        with self.assertRaisesBilingual(
            UserError, "more than 24 hours ago", "lebih dari 24 jam yang lalu"
        ) as run:
            run(
                lambda env: conversation.with_env(env(user=self.officer)).message_post(
                    body=REPLY, message_type="comment", subtype_xmlid="mail.mt_comment"
                )
            )
        # A note stays possible.
        conversation.message_post(body="Pelanggan belum membalas.")
        approved = self.env.ref("gema_sop.mail_template_conversation_information")
        approved.gema_whatsapp_template_name = "gema_information"
        composer = Form(
            self.env["gema.message.composer"]
            .with_user(self.officer)
            .with_context(
                default_res_model="gema.conversation",
                default_res_id=self.conversation.id,
            )
        )
        composer.channel = "whatsapp_api"
        self.assertIn("more than 24 hours ago", composer.free_text_refusal)
        wizard = composer.save()
        self.assertEqual(wizard.allowed_template_ids, approved)
        with self.assertRaisesRegex(UserError, "more than 24 hours ago"):
            wizard.action_send()
        wizard.template_id = approved
        wizard.action_send()
        self._cron()
        self.assertEqual(
            [r["payload"]["type"] for r in self.server.received], ["template"]
        )
        self.assertEqual(
            self.server.received[0]["payload"]["template"]["name"], "gema_information"
        )


@tagged("post_install", "-at_install")
class TestWhatsappLiveChatter(WebsocketCase, WhatsappWebhookCase):
    """The web client's side, with Odoo's real websocket (which Odoo allows
    in tests through its own ``WebsocketCase``)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        _open_conversation(cls)

    def _now(self):
        return fields.Datetime.now().replace(microsecond=0)

    def test_cs2_message_shows_in_the_open_chatter_without_reload(self):
        """CS-2, CS-4 in Chromium: the officer has the conversation open;
        the customer writes (a real signed webhook call from the page): the
        message appears in the chatter, without reloading the page."""
        body = json.dumps(
            self._payload(
                messages=[
                    self._inbound(
                        self._now(), wamid="wamid.LIVE1", body="Pesan langsung"
                    )
                ]
            )
        )
        digest = std_hmac.new(SECRET.encode(), body.encode(), hashlib.sha256)
        code = f"""
        (async () => {{
            const waitFor = async (check, what) => {{
                for (let i = 0; i < 300; i++) {{
                    if (check()) {{ return; }}
                    await new Promise((resolve) => setTimeout(resolve, 100));
                }}
                throw new Error("not seen: " + what);
            }};
            const shown = () => [...document.querySelectorAll(".o-mail-Message")]
                .some((m) => m.textContent.includes("Pesan langsung"));
            try {{
                await waitFor(
                    () => document.querySelector(".o-mail-Chatter"), "chatter"
                );
                // The bus is connected once the web client subscribed.
                await new Promise((resolve) => setTimeout(resolve, 2000));
                if (shown()) {{ throw new Error("shown before it was sent"); }}
                const response = await fetch({json.dumps(URL)}, {{
                    method: "POST",
                    // As Meta calls: without the officer's session.
                    credentials: "omit",
                    headers: {{
                        "Content-Type": "application/json",
                        "X-Hub-Signature-256": "sha256={digest.hexdigest()}",
                    }},
                    body: {json.dumps(body)},
                }});
                if (!response.ok) {{ throw new Error("webhook " + response.status); }}
                await waitFor(shown, "the customer's message in the chatter");
                console.log("test successful");
            }} catch (error) {{
                console.error(error.message);
            }}
        }})();
        """
        # The bus tells the websockets by PostgreSQL's NOTIFY after commit,
        # which test cursors never do (Odoo's WebsocketCase says so): tell
        # the officer's websockets, as the NOTIFY would, while the page runs.
        channel = hashable(
            channel_with_db(self.registry.db_name, self.officer.partner_id)
        )
        stop = threading.Event()

        def notify():
            while not stop.wait(0.2):
                for websocket in list(dispatch._channels_to_ws.get(channel, ())):
                    websocket.trigger_notification_dispatching()

        notifier = threading.Thread(target=notify, daemon=True)
        notifier.start()
        try:
            self.browser_js(
                f"/odoo/gema.conversation/{self.conversation.id}",
                code,
                login=self.officer.login,
                timeout=120,
            )
        finally:
            stop.set()
            notifier.join(5)
        self.assertIn("Pesan langsung", self.conversation.message_ids[:1].body)
