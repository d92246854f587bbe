from odoo import api, fields, models

from ..tools import normalize_phone


class ResPartner(models.Model):
    """The customer's WhatsApp customer service window.

    WhatsApp accepts free-form text from a business only within 24 hours of
    the customer's last message; after that, only an approved template. The
    moment of the last incoming message decides which the gateway sends.
    """

    _inherit = "res.partner"

    gema_whatsapp_last_inbound = fields.Datetime(
        string="Last WhatsApp Message Received",
        copy=False,
        help="When this customer last wrote to us on WhatsApp. Within 24 hours "
        "of it, messages are sent as free text; later, as the approved "
        "WhatsApp template.",
    )

    @api.model
    def _gema_find_or_create_by_phone(self, phone, name):
        """The customer with this WhatsApp number (any typing), or a new
        one named ``name``; new customers write Indonesian when it is
        installed (their messages are rendered in their language)."""
        phone = normalize_phone(self.env, phone)
        partner = self.search(
            ["|", ("mobile", "=", phone), ("phone", "=", phone)], limit=1
        )
        if partner:
            return partner
        values = {"name": name or phone, "mobile": phone}
        if self.env["res.lang"]._lang_get("id_ID"):
            values["lang"] = "id_ID"
        return self.create(values)
