from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..tools import (
    clean_text,
    field_error_lines,
    normalize_phone,
    normalize_whatsapp,
    pick_by_name,
    same_person_name,
    write_grouped,
)

MAX_NAME = 100


class GemaCustomerMixin(models.AbstractModel):
    """The customer of an SOP record as they were given: a name and a
    WhatsApp number, from which the customer (``res.partner``) is found or
    created (BK-3, CS-2, AS-1, and a walk-in at reception).

    Whoever's SOP step records the customer can do it: the website visitor,
    a CS officer, a service advisor, without Odoo's right to create contacts
    in general (``res.partner._gema_find_or_create_by_phone``).

    A number is one customer's. When the number typed belongs to a customer
    whose name is not the one typed (``Yusuf Harahap`` typed, the number is
    ``Rina Sitorus``'s), the record is never linked silently: the form shows
    the number's customer and asks to choose (``customer_link``): link to
    that customer, keeping the name typed on the record (a family member
    writing from the customer's phone), or create a new customer with that
    name (the number changed hands). A request from the public page cannot
    ask its visitor (who must not learn whose number it is, G-5): it is
    linked to the number's customer and the staff see the difference.

    Every value is checked for every caller (forms, XML-RPC, the public
    page): text only, no control characters or markup, the field's length;
    the number a mobile number (``tools/phone.py``).
    """

    _name = "gema.customer.mixin"
    _description = "Customer Found by WhatsApp Number"

    customer_name = fields.Char()
    customer_phone = fields.Char(
        string="WhatsApp Number", help="Stored in international form (+62...)."
    )
    partner_id = fields.Many2one("res.partner", string="Customer", index=True)
    customer_link = fields.Selection(
        [
            ("existing", "Link to the Number's Customer"),
            ("new", "Create a New Customer with This Name"),
        ],
        string="Number of Another Customer",
        copy=False,
        help="The number belongs to a customer of another name: link to that "
        "customer (the name typed stays on this record), or create a new "
        "customer with the name typed (the number changed hands).",
    )
    whatsapp_opt_in = fields.Boolean(
        string="Agrees to WhatsApp Messages",
        compute="_compute_whatsapp_opt_in",
        inverse="_inverse_whatsapp_opt_in",
        help="G-5: the customer agreed to receive WhatsApp messages from the "
        "branch (reminders, status updates). Ticking or unticking it records "
        "their answer, with the date and this record's channel, on the "
        "customer. Without it, automatic messages are held unless the "
        "customer wrote in the last 24 hours.",
    )
    gema_number_customer = fields.Char(
        string="Customer of the Number",
        compute="_compute_gema_number_customer",
        help="The name of the customer the WhatsApp number belongs to, when "
        "it is not the name given.",
    )

    @api.depends("customer_name", "customer_phone", "partner_id", "customer_link")
    @api.depends_context("uid")
    def _compute_gema_number_customer(self):
        """Before saving: the number's customer when their name is not the
        name typed. Saved and linked without anyone choosing (the public
        page): the linked customer, when their name differs."""
        Partner = self.env["res.partner"]
        for record in self:
            record.gema_number_customer = False
            if record.partner_id:
                # sudo: the name of the customer the record is linked to.
                known = record.partner_id.sudo().name
                if not record.customer_link and not same_person_name(
                    record.customer_name, known
                ):
                    record.gema_number_customer = known
                continue
            try:
                phone = record._normalize_customer_phone(record.customer_phone)
            except ValidationError:
                continue
            if phone:
                partner, same_name = Partner._gema_customer_of_number(
                    phone, record.customer_name
                )
                if not same_name:
                    # sudo: the staff typing the number may see whose it is.
                    record.gema_number_customer = partner.sudo().name

    @api.depends("partner_id.gema_whatsapp_consent")
    def _compute_whatsapp_opt_in(self):
        for record in self:
            # sudo: the answer decides what may be sent; it is shown to
            # whoever works on the record.
            record.whatsapp_opt_in = (
                record.partner_id.sudo().gema_whatsapp_consent == "granted"
            )

    def _inverse_whatsapp_opt_in(self):
        """A tick records the customer's opt-in, an untick of a given one
        its withdrawal (on a record saved before: see ``create``); an
        unticked box that was never ticked says nothing (the customer was
        not asked)."""
        for record in self.filtered("partner_id"):
            current = record.partner_id.sudo().gema_whatsapp_consent
            if record.whatsapp_opt_in and current != "granted":
                answer = "granted"
            elif not record.whatsapp_opt_in and current == "granted":
                answer = "withdrawn"
            else:
                continue
            record.partner_id._gema_record_consent(
                "whatsapp", answer, record._consent_channel(), source=record
            )

    def _consent_channel(self):
        """The channel the customer answered through: the record's own."""
        self.ensure_one()
        return self.channel if "channel" in self._fields else "walk_in"

    # CRUD --------------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            # A new record's box unticked says nothing: the customer found
            # by the number may have agreed before (only a tick counts).
            if not vals.get("whatsapp_opt_in"):
                vals.pop("whatsapp_opt_in", None)
            self._check_values(vals, creating=True)
        unlinked = [
            vals
            for vals in vals_list
            if not vals.get("partner_id") and vals.get("customer_phone")
        ]
        customers = self._link_by_numbers(
            [
                (
                    vals["customer_phone"],
                    vals.get("customer_name"),
                    vals.get("customer_link"),
                    self._can_ask_customer(vals),
                )
                for vals in unlinked
            ]
        )
        for vals, customer in zip(unlinked, customers, strict=True):
            vals["partner_id"] = customer.id
        return super().create(self._prepare_customer_values(vals_list))

    def write(self, vals):
        self._check_values(vals, creating=False)
        result = super().write(vals)
        if {"customer_phone", "customer_name", "customer_link"} & set(vals):
            unlinked = self.filtered(lambda r: not r.partner_id and r.customer_phone)
            customers = self._link_by_numbers(
                [
                    (r.customer_phone, r.customer_name, r.customer_link, True)
                    for r in unlinked
                ]
            )
            write_grouped(unlinked, "partner_id", customers)
        return result

    @api.model
    def _prepare_customer_values(self, vals_list):
        """Hook: complete the values of new records once their customer is
        known, for the whole batch at once (a booking's vehicle), so that
        the records are created complete, with no write after. Returns
        ``vals_list``."""
        return vals_list

    # Checks ------------------------------------------------------------------

    @api.model
    def _text_rules(self):
        """The free-text fields the customer gives: {field: (maximum
        length, multi-line)}."""
        return {"customer_name": (MAX_NAME, False)}

    @api.model
    def _validate_values(self, values, creating=True):
        """``(clean, errors)``: the customer's fields present in ``values``
        (all of them when ``creating``) checked and normalised, and
        ``{field: message}`` for each that is wrong; messages do not name
        the field (a form shows them beside it)."""
        clean, errors = {}, {}
        for name, (max_length, multiline) in self._text_rules().items():
            if name in values or (creating and self._fields[name].required):
                clean[name], problem = clean_text(
                    self.env,
                    values.get(name),
                    max_length,
                    multiline=multiline,
                    required=self._fields[name].required,
                )
                if problem:
                    errors[name] = problem
        if "customer_phone" in values or (
            creating and self._fields["customer_phone"].required
        ):
            try:
                clean["customer_phone"] = self._normalize_customer_phone(
                    values.get("customer_phone")
                )
            except ValidationError as error:
                errors["customer_phone"] = error.args[0]
            else:
                if (
                    not clean["customer_phone"]
                    and self._fields["customer_phone"].required
                ):
                    errors["customer_phone"] = self.env._("Please fill in this field.")
        return clean, errors

    @api.model
    def _check_values(self, vals, creating):
        """Replace the customer's fields of ``vals`` by their checked form,
        or raise one error naming every wrong field."""
        clean, errors = self._validate_values(vals, creating=creating)
        self._raise_errors(errors)
        vals.update(clean)

    @api.model
    def _raise_errors(self, errors):
        if errors:
            raise ValidationError("\n".join(field_error_lines(self, errors)))

    @api.model
    def _normalize_customer_phone(self, number):
        """A customer's number must reach WhatsApp: a mobile number. One that
        WhatsApp itself delivered (an incoming message, context
        ``gema_whatsapp_delivered``) is one, whatever its type."""
        if self.env.context.get("gema_whatsapp_delivered"):
            return normalize_phone(self.env, number)
        return normalize_whatsapp(self.env, number)

    # Linking -----------------------------------------------------------------

    @api.model
    def _can_ask_customer(self, vals):
        """Whether whoever creates the record from ``vals`` can be asked to
        choose when the number is another-named customer's."""
        return True

    @api.model
    def _link_by_numbers(self, requests):
        """The customers to link, one for each ``(phone, name, choice,
        ask)`` of ``requests``, a number typed with a name: found or
        created; when the number is another-named customer's (or, in the
        same batch, an earlier record's of another name), as chosen
        (``customer_link``), refused while nobody chose and someone can be
        asked (``ask``), else the number's customer. The whole batch is
        looked up, claimed and created at once
        (``res.partner._gema_find_or_create_by_phones``)."""
        if not requests:
            return []
        Partner = self.env["res.partner"]
        known = Partner._gema_customers_of_numbers(
            [phone for phone, *_rest in requests]
        )
        # With the batch's own new customers, which the later records find.
        seen = {phone: list(customers) for phone, customers in known.items()}
        finds = []
        for phone, name, choice, ask in requests:
            partner, same_name = pick_by_name(seen[phone], name, Partner)
            if not same_name and not choice and ask:
                raise ValidationError(
                    self.env._(
                        "The WhatsApp number %(number)s belongs to the customer "
                        "%(customer)s, not to %(name)s. Choose whether to link "
                        "this record to %(customer)s or to create a new customer "
                        "named %(name)s.",
                        number=phone,
                        # sudo: staff typing the number may see whose it is.
                        customer=partner.sudo().name if partner else seen[phone][0][0],
                        name=name,
                    )
                )
            new = not same_name and choice == "new"
            if new or not seen[phone]:
                seen[phone].insert(0, (name, False))
            finds.append((phone, name, new))
        return Partner._gema_find_or_create_by_phones(finds, known=known)
