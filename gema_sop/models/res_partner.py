from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import email_normalize
from odoo.tools.misc import format_datetime

from ..tools import normalize_phone, pick_by_name
from .gema_consent import ANSWERS, CHANNELS, KINDS

# Context keys with which a partner's display name carries its address,
# email or tax id (res.partner._compute_display_name).
CONTACT_DISPLAY_KEYS = ("show_address", "show_email", "show_vat")
# WhatsApp's customer service window: the customer's own message lets the
# business answer (and send free text) this long after it.
SERVICE_WINDOW = timedelta(hours=24)


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

    Consent (G-5): the customer's latest answer of each kind of
    ``gema.consent`` (WhatsApp messages, testimonial on social media), with
    its date and channel. No automatic WhatsApp message goes to a customer
    without the opt-in or an open service window
    (``_gema_whatsapp_consent_refusal``).
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

    gema_consent_ids = fields.One2many(
        "gema.consent", "partner_id", string="Consents", readonly=True
    )
    gema_whatsapp_consent = fields.Selection(
        ANSWERS,
        string="WhatsApp Messages",
        compute="_compute_gema_consent",
        store=True,
        help="G-5: whether the customer agreed to receive WhatsApp messages "
        "from the branch (Meta's opt-in), as they last said. Without it, "
        "automatic messages are held unless the customer wrote in the last "
        "24 hours.",
    )
    gema_whatsapp_consent_date = fields.Datetime(
        string="WhatsApp Answer Given", compute="_compute_gema_consent", store=True
    )
    gema_whatsapp_consent_channel = fields.Selection(
        CHANNELS,
        string="WhatsApp Answer Given By",
        compute="_compute_gema_consent",
        store=True,
    )
    gema_testimonial_consent = fields.Selection(
        ANSWERS,
        string="Testimonial on Social Media",
        compute="_compute_gema_consent",
        store=True,
        help="FU-3: whether the customer allows their testimonial to be "
        "posted on social media (never with personal data).",
    )
    gema_testimonial_consent_date = fields.Datetime(
        string="Testimonial Answer Given", compute="_compute_gema_consent", store=True
    )
    gema_testimonial_consent_channel = fields.Selection(
        CHANNELS,
        string="Testimonial Answer Given By",
        compute="_compute_gema_consent",
        store=True,
    )

    @api.depends(
        "gema_consent_ids.kind", "gema_consent_ids.answer", "gema_consent_ids.date"
    )
    def _compute_gema_consent(self):
        """The latest answer of each kind (by date, then by id: the cache of
        a new line does not follow the model's order)."""
        for partner in self:
            for kind, _label in KINDS:
                # sudo: the customer's own answers decide what may be sent,
                # whoever sends it; only the answer, date and channel leave.
                lines = partner.sudo().gema_consent_ids.filtered(
                    lambda c, k=kind: c.kind == k
                )
                latest = max(lines, key=lambda c: (c.date, c.id), default=lines)
                partner[f"gema_{kind}_consent"] = latest.answer
                partner[f"gema_{kind}_consent_date"] = latest.date
                partner[f"gema_{kind}_consent_channel"] = latest.channel

    def _gema_record_consent(self, kind, answer, channel, source=None):
        """Record the customer's ``answer`` (granted / withdrawn) to
        ``kind`` given through ``channel``, about the SOP record ``source``;
        nothing when it is already their current answer (a line says what
        the customer said, once). The caller checked its right on
        ``source``; the line is written by the system (sudo), in the name
        of the current user."""
        if channel not in dict(CHANNELS):
            channel = "other"
        company = self.env.company
        if source and "company_id" in source._fields and source.company_id:
            company = source.company_id
        values = []
        for partner in self:
            if partner.sudo()[f"gema_{kind}_consent"] == answer:
                continue
            values.append(
                {
                    "partner_id": partner.id,
                    "kind": kind,
                    "answer": answer,
                    "channel": channel,
                    "user_id": self.env.uid,
                    "company_id": company.id,
                    "res_model": source._name if source else False,
                    "res_id": source.id if source else False,
                }
            )
        return self.env["gema.consent"].sudo().create(values)

    def _gema_whatsapp_window_open(self):
        """The customer wrote to us on WhatsApp in the last 24 hours."""
        self.ensure_one()
        last = self.sudo().gema_whatsapp_last_inbound
        return bool(last and last > fields.Datetime.now() - SERVICE_WINDOW)

    def _gema_whatsapp_consent_refusal(self):
        """Why no automatic WhatsApp message may go to this customer now, or
        False: it may with their opt-in, or within 24 hours of their last
        message (and, after they withdrew, only when that message came
        later: the customer wrote again)."""
        self.ensure_one()
        customer = self.sudo()
        if customer.gema_whatsapp_consent == "granted":
            return False
        withdrawn = customer.gema_whatsapp_consent == "withdrawn"
        if self._gema_whatsapp_window_open() and (
            not withdrawn
            or customer.gema_whatsapp_last_inbound > customer.gema_whatsapp_consent_date
        ):
            return False
        if withdrawn:
            return self.env._(
                "%(customer)s withdrew their consent to WhatsApp messages "
                "(%(date)s). Call them, or send it by click-to-chat only if "
                "they ask for it.",
                customer=self.display_name,
                date=format_datetime(self.env, customer.gema_whatsapp_consent_date),
            )
        return self.env._(
            "%(customer)s has not agreed to receive WhatsApp messages and has "
            "not written in the last 24 hours. Ask for their consent, or call "
            "them.",
            customer=self.display_name,
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
    def _gema_customers_of_numbers(self, phones):
        """{E.164 number: ``[(name, customer)]``}: the customers of each of
        ``phones``, newest first, in one query.

        sudo: one customer per number whoever types it, so the search sees
        every customer; only the ids and the name comparisons leave here.
        """
        found = {phone: [] for phone in phones}
        for customer in self.sudo().search(
            [("gema_whatsapp_e164", "in", list(found))], order="id desc"
        ):
            found[customer.gema_whatsapp_e164].append(
                (customer.name, self.browse(customer.id))
            )
        return found

    @api.model
    def _gema_customer_of_number(self, phone, name):
        """``(customer, same_name)``: the customer whose WhatsApp number is
        ``phone`` (E.164) and whose name can be ``name``, with True; else
        the newest customer of that number, with False; ``(no customer,
        True)`` when the number is new."""
        return pick_by_name(
            self._gema_customers_of_numbers([phone])[phone], name, self.browse()
        )

    @api.model
    def _gema_find_or_create_by_phone(self, phone, name, new=False):
        """The customer with this WhatsApp number (any typing, on either
        side) whose name can be ``name`` (else the newest of the number), or
        a new one named ``name``; with ``new``, always a new one (the
        number changed hands)."""
        return self._gema_find_or_create_by_phones([(phone, name, new)])[0]

    @api.model
    def _gema_find_or_create_by_phones(self, requests, known=None):
        """``_gema_find_or_create_by_phone`` for each ``(phone, name, new)``
        of ``requests``, as a list of customers: the numbers claimed, the
        customers found and the new ones created for the whole batch at
        once. Requests of one batch with the same new number and name make
        one customer, as one after the other would. New customers write
        Indonesian when it is installed (their messages are rendered in
        their language).

        The numbers are claimed (``gema.claim``): requests with the same new
        number at the same moment make one customer. ``known``: the
        customers of the numbers (``_gema_customers_of_numbers``) when the
        caller read them already in this transaction (the claim fails the
        transaction if another one took a number since its snapshot).
        """
        phones = [normalize_phone(self.env, phone) for phone, _name, _new in requests]
        self.env["gema.claim"]._claim(*(f"phone:{phone}" for phone in phones))
        if known is None:
            known = self._gema_customers_of_numbers(phones)
        lang = "id_ID" if self.env["res.lang"]._lang_get("id_ID") else None
        picks, creates = [], []
        for phone, (_phone, name, new) in zip(phones, requests, strict=True):
            partner = False
            if not new:
                partner, _same_name = pick_by_name(known[phone], name, False)
            if partner is False:
                # The batch's own new customer, found by the requests after.
                partner = len(creates)
                creates.append(
                    {
                        "name": name or phone,
                        "mobile": phone,
                        **({"lang": lang} if lang else {}),
                    }
                )
                known[phone].insert(0, (name or phone, partner))
            picks.append(partner)
        # sudo: whoever's SOP step records a customer (a website visitor, a
        # CS officer, a service advisor) creates them from the checked name
        # and number only, without Odoo's general right to create contacts.
        created = self.browse(self.sudo().create(creates).ids)
        return [created[pick] if isinstance(pick, int) else pick for pick in picks]

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
