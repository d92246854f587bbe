from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import email_normalize

from ..tools import normalize_phone, same_person_name

# Context keys with which a partner's display name carries its address,
# email or tax id (res.partner._compute_display_name).
CONTACT_DISPLAY_KEYS = ("show_address", "show_email", "show_vat")


class ResPartner(models.Model):
    """The customer as WhatsApp knows them: one number, one window.

    ``gema_whatsapp_e164`` is the customer's WhatsApp number (mobile, else
    phone) in E.164, stored and indexed: a request, a booking or an incoming
    WhatsApp message finds its customer by it, whatever form the number was
    typed in (Odoo's own ``phone_sanitized`` needs the partner's country to
    read ``0812-...``).

    WhatsApp accepts free-form text from a business only within 24 hours of
    the customer's last message; after that, only an approved template. The
    moment of the last incoming message decides which the gateway sends.
    """

    _inherit = "res.partner"

    gema_whatsapp_e164 = fields.Char(
        string="WhatsApp Number (E.164)",
        compute="_compute_gema_whatsapp_e164",
        store=True,
        index="btree_not_null",
        help="The mobile (else phone) number in international form, such as "
        "+6281234567890; empty when it is not a valid number.",
    )
    gema_whatsapp_last_inbound = fields.Datetime(
        string="Last WhatsApp Message Received",
        copy=False,
        help="When this customer last wrote to us on WhatsApp. Within 24 hours "
        "of it, messages are sent as free text; later, as the approved "
        "WhatsApp template.",
    )

    @api.depends_context("uid")
    def _compute_display_name(self):
        """G-5: a many2one shows its partner's display name as superuser
        (``Many2one.convert_to_read``, ``web_read``, followers), so that a
        technician sees the name of a job's customer they cannot read. A
        caller's ``show_address`` / ``show_email`` / ``show_vat`` would put
        that customer's address or email into it: for partners the user
        cannot read, the name is shown without them."""
        hidden = self.browse()
        if self.env.su and any(map(self.env.context.get, CONTACT_DISPLAY_KEYS)):
            hidden = self - self.with_env(self.env(su=False))._filtered_access("read")
        if hidden:
            plain = hidden.with_context(**dict.fromkeys(CONTACT_DISPLAY_KEYS, False))
            super(ResPartner, plain)._compute_display_name()
            for partner, shown in zip(hidden, plain, strict=True):
                partner.display_name = shown.display_name
        return super(ResPartner, self - hidden)._compute_display_name()

    @api.depends("mobile", "phone")
    def _compute_gema_whatsapp_e164(self):
        for partner in self:
            partner.gema_whatsapp_e164 = _e164_or_false(
                partner.env, partner.mobile
            ) or _e164_or_false(partner.env, partner.phone)

    @api.model
    def _gema_customer_of_number(self, phone, name):
        """``(customer, same_name)``: the customer whose WhatsApp number is
        ``phone`` (E.164) and whose name can be ``name``, with True; else
        the newest customer of that number, with False; ``(no customer,
        True)`` when the number is new.

        sudo: one customer per number whoever types it, so the search sees
        every customer; only the id and the name comparison leave here.
        """
        customers = self.sudo().search(
            [("gema_whatsapp_e164", "=", phone)], order="id desc"
        )
        for customer in customers:
            if same_person_name(name, customer.name):
                return self.browse(customer.id), True
        return self.browse(customers[:1].id), not customers

    @api.model
    def _gema_find_or_create_by_phone(self, phone, name, new=False):
        """The customer with this WhatsApp number (any typing, on either
        side) whose name can be ``name`` (else the newest of the number), or
        a new one named ``name``; with ``new``, always a new one (the
        number changed hands). New customers write Indonesian when it is
        installed (their messages are rendered in their language).

        The number is claimed first (``gema.claim``): requests with the same
        new number at the same moment make one customer.
        """
        phone = normalize_phone(self.env, phone)
        self.env["gema.claim"]._claim(f"phone:{phone}")
        partner, _same_name = self._gema_customer_of_number(phone, name)
        if partner and not new:
            return partner
        values = {"name": name or phone, "mobile": phone}
        if self.env["res.lang"]._lang_get("id_ID"):
            values["lang"] = "id_ID"
        # sudo: whoever's SOP step records a customer (a website visitor, a
        # CS officer, a service advisor) creates them from the checked name
        # and number only, without Odoo's general right to create contacts.
        return self.browse(self.sudo().create(values).id)

    @api.model
    def _gema_find_or_create_by_email(self, email, name):
        """AS-1: the customer who wrote from ``email`` (normalised): the
        oldest contact of that address, or a new one named ``name``. The
        address is claimed first (``gema.claim``): two emails from a new
        address at the same moment make one customer.

        sudo: one customer per address whoever's mail arrives, so the
        search sees every contact; new customers get the checked name and
        address only.
        """
        email = email_normalize(email)
        self.env["gema.claim"]._claim(f"email:{email}")
        partner = self.sudo().search(
            [("email_normalized", "=", email)], order="id", limit=1
        )
        if partner:
            return self.browse(partner.id)
        values = {"name": name or email, "email": email}
        if self.env["res.lang"]._lang_get("id_ID"):
            values["lang"] = "id_ID"
        return self.browse(self.sudo().create(values).id)


def _e164_or_false(env, number):
    try:
        return normalize_phone(env, number)
    except ValidationError:
        return False
