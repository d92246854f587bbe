"""Customer consent (G-5, FU-3): the WhatsApp opt-in and the testimonial
permission, recorded per customer with date and channel; no automatic
WhatsApp message without the opt-in or an open 24-hour window.

The gateway is the local fake WhatsApp Cloud API of the messaging tests:
a held message never reaches it.
"""

from datetime import timedelta

from odoo import fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, tagged

from .booking_common import BookingCase
from .booking_page_common import BookingPageCase
from .common_messaging import GemaMessagingCase

NO_OPT_IN = (
    "has not agreed to receive WhatsApp messages",
    "belum menyetujui menerima pesan WhatsApp",
)
WITHDRAWN = ("withdrew their consent", "menarik persetujuannya")


@tagged("post_install", "-at_install")
class TestConsentGateway(GemaMessagingCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.stranger = cls.env["res.partner"].create(
            {"name": "Rina Sitorus", "mobile": "0813-1111-2222"}
        )

    def _automatic(self, partner, day="2026-11-24"):
        """An automatic message (with its purpose key), as a cron plans it."""
        Message = self.env["gema.message"].with_user(self.sender)
        return Message._gema_send(
            self.document,
            self.template,
            "whatsapp_api",
            partner=partner,
            once_key=Message._once_key(
                self.document, self.template, fields.Date.to_date(day)
            ),
        )

    def _notes(self):
        return self.document.message_ids.filtered(
            lambda m: "tidak dikirim" in (m.body or "")
            or "was not sent" in (m.body or "")
        )

    def test_g5_automatic_message_without_opt_in_is_held(self):
        """G-5: a customer who never agreed and has not written in 24 hours
        gets nothing: the message is held with the reason, the record gets
        a note (its "contacted" clock keeps running), the API is never
        called, and a second planning of the same purpose holds nothing
        more."""
        message = self._automatic(self.stranger)
        self.assertEqual(message.state, "no_consent")
        self.assertIn(NO_OPT_IN[0], message.last_error)
        self.assertEqual(len(self._notes()), 1)
        self.assertEqual(self._automatic(self.stranger), message)
        self._cron()
        self._cron()
        self.assertEqual(self.server.received, [])
        self.assertEqual(message.state, "no_consent")
        self.assertFalse(self._customer_posts(), "nothing was sent")
        self.assertEqual(len(self._notes()), 1, "noted once")

    def test_g5_open_window_or_opt_in_lets_it_go(self):
        """G-5: within 24 hours of the customer's own message, or with their
        opt-in, the automatic message is sent once."""
        self.stranger.gema_whatsapp_last_inbound = fields.Datetime.now() - timedelta(
            hours=3
        )
        in_window = self._automatic(self.stranger)
        self.assertEqual(in_window.state, "queued")
        self._cron()
        self.assertEqual(in_window.state, "sent")
        self.stranger.gema_whatsapp_last_inbound = fields.Datetime.now() - timedelta(
            hours=25
        )
        self.assertEqual(
            self._automatic(self.stranger, "2026-11-25").state, "no_consent"
        )
        self.stranger._gema_record_consent("whatsapp", "granted", "phone")
        opted_in = self._automatic(self.stranger, "2026-11-26")
        self._cron()
        self.assertEqual(opted_in.state, "sent")
        self.assertEqual(len(self.server.received), 2)

    def test_g5_consent_is_recorded_once_with_date_and_channel(self):
        """G-5: an answer is a line with its date, channel, recorder and
        record; the same answer again adds no line; the customer's current
        answer is the latest."""
        self.stranger.with_user(self.sender)._gema_record_consent(
            "whatsapp", "granted", "walk_in", source=self.document
        )
        self.stranger.with_user(self.sender)._gema_record_consent(
            "whatsapp", "granted", "phone", source=self.document
        )
        self.assertRecordValues(
            self.stranger.gema_consent_ids,
            [
                {
                    "kind": "whatsapp",
                    "answer": "granted",
                    "channel": "walk_in",
                    "user_id": self.sender.id,
                    "company_id": self.branch.id,
                    "res_model": "gema.sop.document",
                    "res_id": self.document.id,
                    "date": fields.Datetime.now(),
                }
            ],
        )
        self.assertRecordValues(
            self.stranger,
            [
                {
                    "gema_whatsapp_consent": "granted",
                    "gema_whatsapp_consent_channel": "walk_in",
                    "gema_whatsapp_consent_date": fields.Datetime.now(),
                    "gema_testimonial_consent": False,
                }
            ],
        )
        self.stranger._gema_record_consent("whatsapp", "withdrawn", "nonsense")
        self.assertEqual(len(self.stranger.gema_consent_ids), 2)
        self.assertEqual(self.stranger.gema_whatsapp_consent, "withdrawn")
        self.assertEqual(self.stranger.gema_whatsapp_consent_channel, "other")

    def test_g5_consent_withdrawn_after_queueing_holds_it_at_send(self):
        """G-5: a customer who withdraws while a message waits gets nothing:
        the sender holds it without calling the API."""
        message = self._queue()
        self.customer._gema_record_consent("whatsapp", "withdrawn", "phone")
        self._cron()
        self.assertEqual(self.server.received, [])
        self.assertEqual(message.state, "no_consent")
        self.assertEqual(message.attempts, 0, "no call was made")
        self.assertIn(WITHDRAWN[0], message.last_error)
        self.assertFalse(self._customer_posts())

    def test_g5_stop_word_withdraws_until_the_customer_writes_again(self):
        """G-5: a customer writing STOP withdraws their consent (channel
        WhatsApp); the open window of that very message sends nothing, a
        later message of theirs lets replies go again."""
        Webhook = self.env["gema.whatsapp.webhook"]
        now = fields.Datetime.now()

        def payload(text, moment):
            return {
                "entry": [
                    {
                        "changes": [
                            {
                                "value": {
                                    "metadata": {
                                        "phone_number_id": self.server.phone_number_id
                                    },
                                    "messages": [
                                        {
                                            "from": "6281234567890",
                                            "id": f"wamid.IN{int(moment.timestamp())}",
                                            "timestamp": str(int(moment.timestamp())),
                                            "type": "text",
                                            "text": {"body": text},
                                        }
                                    ],
                                }
                            }
                        ]
                    }
                ]
            }

        moment = now - timedelta(minutes=5)
        Webhook._receive(payload(" stop! ", moment.replace(microsecond=0)), self.branch)
        self.assertRecordValues(
            self.customer,
            [
                {
                    "gema_whatsapp_consent": "withdrawn",
                    "gema_whatsapp_consent_channel": "whatsapp",
                }
            ],
        )
        self.assertEqual(self.customer.gema_consent_ids[:1].user_id, self.env.user)
        held = self._automatic(self.customer)
        self.assertEqual(held.state, "no_consent")
        with self.assertRaisesBilingual(UserError, *WITHDRAWN) as run:
            run(
                lambda env: self._composer(
                    env(user=self.sender), channel="whatsapp_api"
                ).action_send()
            )
        later = now + timedelta(minutes=1)
        self.customer.gema_whatsapp_last_inbound = later
        self.assertFalse(self.customer._gema_whatsapp_consent_refusal())

    def test_g5_composer_refuses_and_held_message_retried_after_consent(self):
        """G-5: a staff member queueing a gateway message for a customer
        without consent is told why at once (nothing logged); a held
        message is sent again only once the customer agreed."""
        with self.assertRaisesBilingual(UserError, *NO_OPT_IN) as run:
            run(
                lambda env: self._composer(
                    env(user=self.sender),
                    channel="whatsapp_api",
                    partner_id=self.stranger,
                ).action_send()
            )
        self.assertFalse(self._log())
        held = self._automatic(self.stranger)
        with self.assertRaisesBilingual(UserError, *NO_OPT_IN) as run:
            run(lambda env: held.with_env(env(user=self.sender)).action_retry())
        self.assertEqual(held.state, "no_consent")
        self.stranger._gema_record_consent("whatsapp", "granted", "phone")
        held.with_user(self.sender).action_retry()
        self._cron()
        self.assertEqual(held.state, "sent")
        self.assertEqual(len(self.server.received), 1)


@tagged("post_install", "-at_install")
class TestConsentOnRecords(BookingCase):
    def test_g5_booking_tick_records_consent_with_the_booking_channel(self):
        """G-5: the advisor ticks *Agrees to WhatsApp Messages* on a phone
        booking: the customer's opt-in by phone, about that booking;
        unticking it records the withdrawal."""
        booking = self._request(channel="phone")
        partner = booking.partner_id
        self.assertFalse(booking.whatsapp_opt_in)
        with Form(booking.with_user(self.advisor)) as form:
            form.whatsapp_opt_in = True
        self.assertRecordValues(
            partner.gema_consent_ids,
            [
                {
                    "answer": "granted",
                    "channel": "phone",
                    "res_model": "gema.booking",
                    "res_id": booking.id,
                    "user_id": self.advisor.id,
                }
            ],
        )
        booking.with_user(self.advisor).whatsapp_opt_in = False
        self.assertEqual(partner.gema_whatsapp_consent, "withdrawn")
        self.assertEqual(len(partner.gema_consent_ids), 2)

    def test_g5_request_opt_in_only_when_given(self):
        """G-5: a request records the opt-in only when the customer gave it
        (``whatsapp_opt_in`` exactly True); anything else records nothing."""
        given = self._request(whatsapp_opt_in=True, channel="whatsapp")
        self.assertEqual(given.partner_id.gema_whatsapp_consent, "granted")
        self.assertEqual(given.partner_id.gema_whatsapp_consent_channel, "whatsapp")
        other = self._request(
            customer_name="Rina Sitorus",
            customer_phone="0813-1111-2222",
            whatsapp_opt_in="yes",
        )
        self.assertFalse(other.partner_id.gema_consent_ids)
        # The same customer's next booking, box unticked: still agreed.
        again = self._request(license_plate="BK 9 ZZ", whatsapp_opt_in=False)
        self.assertEqual(again.partner_id, given.partner_id)
        self.assertTrue(again.whatsapp_opt_in)
        self.assertEqual(len(given.partner_id.gema_consent_ids), 1)

    def test_security_consent_log_by_role(self):
        """Security, G-5: desk roles read a customer's consent log; a
        technician and logistics cannot read it, and nobody writes a line
        by hand (answers are recorded through the records)."""
        booking = self._request(whatsapp_opt_in=True)
        line = booking.partner_id.gema_consent_ids
        for login in ("advisor", "cs", "supervisor", "manager", "sopadmin"):
            user = self.users[login]
            self.assertEqual(
                line.with_user(user).read(["answer"])[0]["answer"], "granted"
            )
            with self.assertRaises(AccessError, msg=login):
                line.with_user(user).write({"answer": "withdrawn"})
            with self.assertRaises(AccessError, msg=login):
                self.env["gema.consent"].with_user(user).create(
                    {
                        "partner_id": booking.partner_id.id,
                        "kind": "whatsapp",
                        "answer": "granted",
                        "channel": "phone",
                        "company_id": self.branch.id,
                    }
                )
        for login in ("technician", "logistics"):
            with self.assertRaises(AccessError, msg=login):
                line.with_user(self.users[login]).read(["answer"])


@tagged("post_install", "-at_install")
class TestConsentPublicForm(BookingPageCase):
    def test_g5_bk3_public_form_opt_in_checkbox(self):
        """G-5, BK-3: the visitor's tick on the public form is their opt-in
        (channel website, about the booking); no tick records nothing; the
        tick is kept when the form comes back with an error."""
        _page, form = self._open_form()
        refused = self._submit(
            self._details(form, whatsapp_opt_in="1", license_plate="")
        )
        self.assertEqual(refused.status_code, 422)
        self.assertIn('id="gema_whatsapp_opt_in"', refused.text)
        self.assertRegex(refused.text, r'name="whatsapp_opt_in" value="1"\s+checked')
        response = self._submit(self._details(form, whatsapp_opt_in="1"))
        self.assertEqual(response.status_code, 303, response.text[:2000])
        booking = self._website_bookings()
        self.assertRecordValues(
            booking.partner_id.sudo().gema_consent_ids,
            [
                {
                    "kind": "whatsapp",
                    "answer": "granted",
                    "channel": "website",
                    "res_model": "gema.booking",
                    "res_id": booking.id,
                }
            ],
        )
        _page, form = self._open_form()
        response = self._submit(
            self._details(
                form,
                customer_name="Rina Sitorus",
                customer_phone="0813-1111-2222",
                license_plate="BK 5 RS",
            )
        )
        self.assertEqual(response.status_code, 303, response.text[:2000])
        other = self._website_bookings() - booking
        self.assertFalse(other.partner_id.sudo().gema_consent_ids)
