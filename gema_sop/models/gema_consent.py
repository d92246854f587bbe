from odoo import fields, models

KINDS = [
    ("whatsapp", "WhatsApp Messages"),
    ("testimonial", "Testimonial on Social Media"),
]
ANSWERS = [("granted", "Agreed"), ("withdrawn", "Refused or Withdrawn")]
# Where the customer said it: the channels of the SOP records, and email.
CHANNELS = [
    ("website", "Website Form"),
    ("live_chat", "Website Live Chat"),
    ("whatsapp", "WhatsApp"),
    ("instagram", "Instagram"),
    ("facebook", "Facebook"),
    ("phone", "Phone Call"),
    ("walk_in", "In Person"),
    ("email", "Email"),
    ("other", "Other"),
]


class GemaConsent(models.Model):
    """What a customer agreed to, when and where: the proof the PDP law
    (UU 27/2022) and Meta's WhatsApp Business policy ask for (G-5, FU-3).

    One line per answer the customer gave: *WhatsApp messages* (the opt-in
    Meta requires before a business writes first, and its withdrawal, for
    instance the customer writing STOP) and *testimonial on social media*
    (FU-3's permission). The customer's current answer is the latest line
    of each kind (``res.partner.gema_whatsapp_consent``, ...).

    Lines are written by the system only (``res.partner._gema_record_consent``,
    called by the forms, the public page, the webhook and the follow-up)
    after the caller's right on the record it came from was checked, and
    never changed: a new answer is a new line.
    """

    _name = "gema.consent"
    _description = "Customer Consent"
    _order = "date desc, id desc"
    _inherit = ["gema.record.link.mixin"]

    partner_id = fields.Many2one(
        "res.partner",
        string="Customer",
        required=True,
        index=True,
        ondelete="cascade",
        readonly=True,
    )
    kind = fields.Selection(KINDS, string="Consent To", required=True, readonly=True)
    answer = fields.Selection(ANSWERS, required=True, readonly=True)
    channel = fields.Selection(
        CHANNELS, string="Given By", required=True, readonly=True
    )
    date = fields.Datetime(
        required=True, readonly=True, default=fields.Datetime.now, index=True
    )
    user_id = fields.Many2one(
        "res.users",
        string="Recorded By",
        readonly=True,
        help="The staff member who recorded the answer; the system's user "
        "for answers the customer gave on the website or in WhatsApp.",
    )
    company_id = fields.Many2one(
        "res.company", string="Branch", required=True, readonly=True, index=True
    )
