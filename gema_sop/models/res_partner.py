from odoo import fields, models


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
