"""Shared set-up of the messaging tests (gateway, customer, template)."""

from odoo.tests import Form

from .common import GemaSopCase
from .whatsapp_fake_server import FakeWhatsAppServer

BODY_HTML = (
    "<p>Halo Bapak/Ibu <t t-out='object.user_id.name'/>,</p>"
    "<p>dokumen <t t-out='object.number'/> sudah siap. Terima kasih.</p>"
)


class GemaMessagingCase(GemaSopCase):
    """An SOP document of a branch whose WhatsApp gateway is a local fake
    API server, a customer with a mobile number and a template with its
    approved WhatsApp template."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        if not getattr(cls, "registry_test_mode", False):
            # The sender commits each claim and outcome in a cursor of its
            # own: in tests, on this test's transaction (HttpCase does it).
            cls.registry.enter_test_mode(cls.cr)
            cls.addClassCleanup(cls.registry.leave_test_mode)
        cls.activate_indonesian()
        cls.server = FakeWhatsAppServer().start()
        cls.addClassCleanup(cls.server.stop)
        cls.branch.write(
            {
                "gema_whatsapp_gateway_enabled": True,
                "gema_whatsapp_api_url": cls.server.api_url,
                "gema_whatsapp_phone_number_id": cls.server.phone_number_id,
                "gema_whatsapp_access_token": cls.server.token,
            }
        )
        # The shipped policies watch documents too; keep to the tests' own.
        cls.env["gema.sla.policy"].search([]).active = False
        cls.customer = cls.env["res.partner"].create(
            {
                "name": "Budi Santoso",
                "mobile": "0812-3456-7890",
                "email": "budi@example.com",
            }
        )
        # G-5: the customer agreed to WhatsApp messages (test_consent.py
        # covers those who did not).
        cls.customer._gema_record_consent("whatsapp", "granted", "walk_in")
        cls.template = cls.env["mail.template"].create(
            {
                "name": "Document ready",
                "model_id": cls.env["ir.model"]._get_id("gema.sop.document"),
                "subject": "Dokumen {{ object.number }}",
                "body_html": BODY_HTML,
                "auto_delete": False,
                "gema_whatsapp_template_name": "gema_document_ready",
                "gema_whatsapp_variables": "{{ object.number }}\n\n{{ object.name }}\n",
            }
        )
        cls.sender = cls.users["sopadmin"]
        cls.document = (
            cls.env["gema.sop.document"]
            .with_user(cls.sender)
            .create(
                {
                    "number": "GM/MSG/1",
                    "name": "Booking online",
                    "sop": "BK",
                    "company_id": cls.branch.id,
                    "user_id": cls.sender.id,
                }
            )
        )
        cls.text = (
            f"Halo Bapak/Ibu {cls.sender.name},\n"
            "dokumen GM/MSG/1 sudah siap. Terima kasih."
        )

    def setUp(self):
        super().setUp()
        self.server.reset()

    # Helpers ---------------------------------------------------------------

    def _composer(self, env=None, **values):
        env = env or self.env(user=self.sender)
        form = Form(
            env["gema.message.composer"].with_context(
                default_res_model="gema.sop.document",
                default_res_id=self.document.id,
            )
        )
        form.template_id = self.template
        form.partner_id = self.customer
        for name, value in values.items():
            setattr(form, name, value)
        return form.save()

    def _log(self, document=None):
        return self.env["gema.message"].search(
            [
                ("res_model", "=", "gema.sop.document"),
                ("res_id", "=", (document or self.document).id),
            ]
        )

    def _channel_label(self, message):
        """The channel as the chatter writes it: in the sender's language."""
        env = self.env(context=dict(self.env.context, lang=message.user_id.lang))
        labels = dict(message._fields["channel"]._description_selection(env))
        return labels[message.channel]

    def _customer_posts(self, document=None):
        return (document or self.document).message_ids.filtered(
            lambda m: m.subtype_id == self.env.ref("gema_sop.mt_customer_message")
        )

    def _queue(self, **values):
        """Queue one gateway message through the composer."""
        self._composer(channel="whatsapp_api", **values).action_send()
        message = self._log()
        self.assertEqual(message.state, "queued")
        return message

    def _queue_another(self):
        """Queue one more gateway message on the document."""
        before = self._log()
        self._composer(channel="whatsapp_api").action_send()
        return self._log() - before

    def _cron(self):
        """Run the sender; what it committed in its own cursors is read
        again by this test's environment."""
        done = self.env["gema.message"]._cron_send_queued()
        self.env.invalidate_all()
        return done
