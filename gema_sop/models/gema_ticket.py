from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from ..tools import assign_numbers
from ..tools.internal_write import internal_write
from .gema_message_mixin import partner_whatsapp_number

STATES = [
    ("new", "New"),
    ("verified", "Warranty Checked"),
    ("analysis", "Technical Analysis"),
    ("in_progress", "Solution in Progress"),
    ("shipping", "Return Shipping"),
    ("done", "Solved"),
    ("cancelled", "Cancelled"),
]
# The only moves a ticket can make (AS-1 → AS-5): from a state, its steps
# (buttons ``action_<step>``) and the state each leads to. The warranty is
# checked again after a correction of the purchase data; a solution carried
# out goes to return shipping or straight to done.
TRANSITIONS = {
    "new": {"check_warranty": "verified", "cancel": "cancelled"},
    "verified": {
        "check_warranty": "verified",
        "start_analysis": "analysis",
        "cancel": "cancelled",
    },
    "analysis": {"choose_solution": "in_progress", "cancel": "cancelled"},
    "in_progress": {"resolve": ("shipping", "done"), "cancel": "cancelled"},
    "shipping": {"mark_received": "done"},
    "done": {},
    "cancelled": {},
}
WARRANTY_STATUSES = [
    ("in_warranty", "In Warranty"),
    ("expired", "Warranty Expired"),
    ("void", "Warranty Void"),
    ("unverifiable", "Not Verifiable"),
]
SOLUTIONS = [
    ("repair", "Repair"),
    ("replacement", "Replacement"),
    ("education", "Usage Education"),
]
# What a technician changes on the tickets assigned to them (AS-3), and
# logistics on the tickets to ship (AS-4): their part, nothing else.
TECHNICIAN_FIELDS = {"analysis_report", "analysis_attachment_ids", "solution"}
LOGISTICS_FIELDS = {
    "carrier_type",
    "carrier_name",
    "tracking_number",
    "expected_arrival",
    "shipping_attachment_ids",
}
MAX_RATING_COMMENT = 1000
RATINGS = [(str(value), str(value)) for value in range(1, 6)]


class GemaTicket(models.Model):
    """An after-sales complaint or service request (AS).

    The ticket number is given to the customer at once (AS-1); the
    purchase is verified and the warranty status decided from the purchase
    date and the branch's warranty terms, and told to the customer (AS-2);
    a technician analyses the problem and a solution is chosen and carried
    out within the standard of that solution (AS-3); a repaired or replaced
    item goes back through logistics with its tracking number, and the
    customer is told (AS-4); finally the customer confirms the problem is
    solved and rates the service on the ticket's page (AS-5). Each time
    standard is a ``gema.sla.policy``; each message a ``mail.template``.
    """

    _name = "gema.ticket"
    _description = "After-sales Ticket"
    _inherit = [
        "gema.ticket.mail",
        "gema.sla.mixin",
        "gema.message.mixin",
        "gema.state.mixin",
        "gema.field.guard.mixin",
        "gema.customer.decision.mixin",
        "gema.customer.mixin",
        "gema.rating.mixin",
        "portal.mixin",
    ]
    _gema_transitions = TRANSITIONS
    # G-5: after the branch's retention period a solved or cancelled
    # ticket loses the chatter, the log of messages, the customer's name,
    # numbers and partner link (and with them the return recipient, address
    # and number), the chronology and the rating comment; the product,
    # serial number, purchase and warranty data, dates, analysis, solution,
    # root cause and rating stay, for the warranty and the statistics.
    _gema_retention_months_field = "gema_ticket_retention_months"
    _gema_retention_date_field = "closed_date"
    _gema_retention_states = ("done", "cancelled")
    _gema_retention_cleared = {
        "customer_name": False,
        "customer_phone": False,
        "partner_id": False,
        # Required (NOT NULL): a dash says it was there.
        "chronology": "-",
    }
    # AS-6: the desk writes everything; a technician the analysis, logistics
    # the shipping of the tickets they are given.
    _gema_desk_groups = ("gema_sop.group_cs_officer",)
    _gema_writable_fields = {
        "gema_sop.group_technician": TECHNICIAN_FIELDS,
        "gema_sop.group_logistics": LOGISTICS_FIELDS,
    }
    # AS-1, AS-2, AS-4: told when the message left, not when the button was
    # pressed.
    _gema_sent_date_fields = {
        "gema_sop.mail_template_ticket_number": "ticket_number_sent_date",
        "gema_sop.mail_template_ticket_warranty": "warranty_told_date",
        "gema_sop.mail_template_ticket_shipping": "shipping_notice_date",
    }
    _order = "id desc"
    _check_company_auto = True
    # AS-5: the rating is the customer's, from the ticket's page only.
    _gema_customer_fields = ("rating", "rating_comment", "rated_date")

    name = fields.Char(
        string="Ticket Number",
        readonly=True,
        copy=False,
        default="/",
        index="trigram",
    )
    state = fields.Selection(
        STATES,
        default="new",
        required=True,
        tracking=True,
        copy=False,
        index=True,
        readonly=True,
        # The kanban shows every state, empty ones too, in the flow's order.
        group_expand=True,
    )
    # The steps the state allows (``TRANSITIONS``), for the buttons.
    can_check_warranty = fields.Boolean(compute="_compute_gema_can")
    can_start_analysis = fields.Boolean(compute="_compute_gema_can")
    can_choose_solution = fields.Boolean(compute="_compute_gema_can")
    can_resolve = fields.Boolean(compute="_compute_gema_can")
    can_mark_received = fields.Boolean(compute="_compute_gema_can")
    can_cancel = fields.Boolean(compute="_compute_gema_can")
    company_id = fields.Many2one(
        "res.company",
        string="Branch",
        required=True,
        index=True,
        default=lambda self: self.env.company,
    )
    channel = fields.Selection(
        [
            ("phone", "Phone"),
            ("email", "Email"),
            ("app", "App"),
            ("whatsapp", "WhatsApp"),
            ("walk_in", "In Person"),
        ],
        required=True,
        default="phone",
        help="How the complaint or request arrived (AS-1).",
    )
    # Required while the ticket's content is kept (``_check_partner``):
    # the retention period removes the link (G-5).
    partner_id = fields.Many2one(
        "res.partner",
        string="Customer",
        index=True,
        tracking=True,
        check_company=True,
        # Required until the retention removes the content (_check_partner);
        # a customer with tickets is anonymised, never deleted under them.
        ondelete="restrict",
    )
    partner_phone = fields.Char(
        string="Customer Phone",
        related="partner_id.mobile",
        groups="gema_sop.group_cs_officer",
    )
    # AS-1: a caller who is no customer yet is recorded by name and
    # WhatsApp number; the customer is found or created from them.
    customer_name = fields.Char(string="New Customer's Name")
    customer_phone = fields.Char(
        string="New Customer's WhatsApp Number",
        groups="gema_sop.group_cs_officer",
    )
    customer_link = fields.Selection(groups="gema_sop.group_cs_officer")
    gema_number_customer = fields.Char(groups="gema_sop.group_cs_officer")
    user_id = fields.Many2one(
        "res.users",
        string="CS Officer",
        index=True,
        tracking=True,
        default=lambda self: self.env.user,
        domain=lambda self: [
            ("groups_id", "in", self.env.ref("gema_sop.group_cs_officer").id)
        ],
    )
    product_name = fields.Char(
        string="Product",
        required=True,
        help="What was bought or serviced, as the customer knows it.",
    )
    serial_number = fields.Char(string="Serial / Part Number")
    vehicle_id = fields.Many2one(
        "gema.vehicle", index="btree_not_null", check_company=True
    )
    service_job_id = fields.Many2one(
        "gema.service.job",
        index="btree_not_null",
        check_company=True,
        help="The workshop job whose work or parts the complaint concerns.",
    )
    conversation_id = fields.Many2one(
        "gema.conversation",
        string="Chat Conversation",
        index="btree_not_null",
        readonly=True,
        copy=False,
        check_company=True,
        ondelete="set null",
        help="The chat the complaint was made in.",
    )
    chronology = fields.Text(
        required=True, help="What happened, in the customer's words and in order."
    )
    ticket_number_sent_date = fields.Datetime(
        string="Ticket Number Sent",
        readonly=True,
        copy=False,
        help="When the ticket number was sent to the customer (AS-1).",
    )
    # AS-2 ---------------------------------------------------------------------
    purchase_date = fields.Date(help="From the proof of purchase.")
    warranty_months = fields.Integer(
        string="Warranty (Months)",
        default=lambda self: self.env.company.gema_warranty_months,
        help="The warranty terms of the product; the branch's default.",
    )
    warranty_end = fields.Date(compute="_compute_warranty_end", store=True)
    warranty_card_number = fields.Char()
    purchase_attachment_ids = fields.Many2many(
        "ir.attachment",
        "gema_ticket_purchase_attachment_rel",
        string="Proof of Purchase & Warranty Card",
    )
    warranty_void_reason = fields.Text(
        help="Why the warranty does not apply (e.g. damage by misuse, seal "
        "broken); makes the warranty void."
    )
    warranty_status = fields.Selection(
        WARRANTY_STATUSES, readonly=True, copy=False, index=True, tracking=True
    )
    warranty_status_label = fields.Char(
        compute="_compute_warranty_status_label",
        help="The status in the reader's language, for the customer messages.",
    )
    warranty_checked_date = fields.Datetime(readonly=True, copy=False)
    warranty_told_date = fields.Datetime(
        string="Warranty Status Told",
        readonly=True,
        copy=False,
        help="When the customer was told the warranty status (AS-2).",
    )
    # AS-3 ---------------------------------------------------------------------
    technician_id = fields.Many2one(
        "hr.employee",
        index="btree_not_null",
        tracking=True,
        check_company=True,
        domain="[('gema_technician', '=', True)]",
    )
    analysis_report = fields.Text(string="Damage Analysis")
    analysis_attachment_ids = fields.Many2many(
        "ir.attachment",
        "gema_ticket_analysis_attachment_rel",
        string="Analysis Evidence",
    )
    solution = fields.Selection(SOLUTIONS, tracking=True, index=True, copy=False)
    solution_date = fields.Datetime(readonly=True, copy=False, index="btree_not_null")
    resolution_note = fields.Text(help="What was done, as told to the customer.")
    resolved_date = fields.Datetime(readonly=True, copy=False)
    cancelled_date = fields.Datetime(string="Cancelled On", readonly=True, copy=False)
    closed_date = fields.Datetime(
        string="Closed On",
        compute="_compute_closed_date",
        store=True,
        help="When the solution was carried out or the ticket cancelled: the "
        "branch's retention period counts from it (G-5).",
    )
    # AS-4 ---------------------------------------------------------------------
    return_shipping = fields.Boolean(
        help="The repaired or replacement item goes back to the customer by "
        "courier (logistics)."
    )
    carrier_type = fields.Selection(
        [("own", "Own Courier"), ("third_party", "Third-party Courier")]
    )
    carrier_name = fields.Char(string="Carrier")
    tracking_number = fields.Char()
    shipped_date = fields.Datetime(readonly=True, copy=False)
    expected_arrival = fields.Date()
    shipping_notice_date = fields.Datetime(
        string="Shipping Status Told", readonly=True, copy=False
    )
    delivered_date = fields.Datetime(string="Received On", readonly=True, copy=False)
    shipping_attachment_ids = fields.Many2many(
        "ir.attachment",
        "gema_ticket_shipping_attachment_rel",
        string="Delivery Note & Handover",
    )
    # G-5: what the courier needs of the customer, shown to logistics instead
    # of the customer's record (which they cannot read), and only while the
    # return is to be shipped.
    return_recipient = fields.Char(
        string="Recipient",
        compute="_compute_return_delivery",
        compute_sudo=True,
        groups="gema_sop.group_logistics,gema_sop.group_cs_officer",
    )
    return_address = fields.Text(
        string="Delivery Address",
        compute="_compute_return_delivery",
        compute_sudo=True,
        groups="gema_sop.group_logistics,gema_sop.group_cs_officer",
    )
    return_phone = fields.Char(
        string="Recipient's Number",
        compute="_compute_return_delivery",
        compute_sudo=True,
        groups="gema_sop.group_logistics,gema_sop.group_cs_officer",
        help="For the courier to call on delivery.",
    )
    # AS-5 ---------------------------------------------------------------------
    solved_confirmed_date = fields.Datetime(
        string="Solved Confirmed",
        readonly=True,
        copy=False,
        help="When the customer confirmed that the problem is solved.",
    )
    root_cause = fields.Selection(
        [
            ("product_defect", "Product Defect"),
            ("workmanship", "Workmanship"),
            ("wear", "Normal Wear"),
            ("usage", "Usage Error"),
            ("shipping_damage", "Shipping Damage"),
            ("other", "Other"),
        ],
        index=True,
        help="For the complaint recap and quality improvement (AS-5).",
    )
    rating = fields.Selection(
        RATINGS,
        string="Satisfaction",
        compute="_compute_gema_rating",
        store=True,
        readonly=True,
        copy=False,
        index="btree_not_null",
        help="The customer's rating on the ticket page, 1 (poor) to 5 "
        "(excellent). A selection, not a number: reports count tickets per "
        "rating, and unrated tickets are not averaged in as zeros.",
    )

    _sql_constraints = [
        (
            "warranty_months_positive",
            "CHECK (warranty_months >= 0)",
            "The warranty period cannot be negative.",
        ),
    ]

    @api.depends("purchase_date", "warranty_months")
    def _compute_warranty_end(self):
        for ticket in self:
            ticket.warranty_end = ticket.purchase_date and (
                ticket.purchase_date + relativedelta(months=ticket.warranty_months)
            )

    @api.depends("warranty_status")
    @api.depends_context("lang")
    def _compute_warranty_status_label(self):
        labels = dict(self._fields["warranty_status"]._description_selection(self.env))
        for ticket in self:
            ticket.warranty_status_label = labels.get(ticket.warranty_status, "")

    @api.depends(
        "state",
        "return_shipping",
        "partner_id.name",
        "partner_id.contact_address",
        "partner_id.mobile",
        "partner_id.phone",
    )
    def _compute_return_delivery(self):
        """AS-4: the customer's name, address and number for the parcel.
        Computed as superuser (compute_sudo): logistics cannot read the
        customer (res.partner rule), and the fields' groups keep them from
        everyone but logistics and the desk."""
        self.update(
            {"return_recipient": False, "return_address": False, "return_phone": False}
        )
        for ticket in self.filtered(
            lambda t: t.return_shipping and t.state == "shipping"
        ):
            partner = ticket.partner_id
            ticket.return_recipient = partner.name
            ticket.return_address = partner._display_address(without_company=True)
            ticket.return_phone = partner_whatsapp_number(partner)

    @api.depends("resolved_date", "cancelled_date")
    def _compute_closed_date(self):
        for ticket in self:
            ticket.closed_date = ticket.resolved_date or ticket.cancelled_date

    @api.constrains("partner_id")
    def _check_partner(self):
        """The customer is required until the retention period removed the
        link (G-5)."""
        if self.filtered(lambda t: not t.partner_id and not t.content_removed_date):
            raise ValidationError(self.env._("A ticket needs its customer."))

    def _compute_access_url(self):
        for ticket in self:
            ticket.access_url = f"/my/tickets/{ticket.id}"

    # CRUD ----------------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        assign_numbers(self, vals_list)
        return super().create(vals_list)

    def _fields_refused(self, names):
        labels = sorted(
            self._fields[name]._description_string(self.env) for name in names
        )
        return self.env._(
            "You may only change your part of the ticket; not: %(fields)s.",
            fields=", ".join(labels),
        )

    # Actions -------------------------------------------------------------------

    def action_send_ticket_number(self):
        """AS-1: give the customer the ticket number and what happens next."""
        self.ensure_one()
        return self._notify("gema_sop.mail_template_ticket_number")

    def action_check_warranty(self):
        """AS-2: decide the warranty status from the purchase date and the
        warranty terms (void when a reason says so)."""
        self._check_action("check_warranty")
        today = fields.Date.context_today(self)
        for ticket in self:
            reported = (ticket.create_date or fields.Datetime.now()).date()
            if (ticket.warranty_void_reason or "").strip():
                status = "void"
            elif not ticket.purchase_date:
                status = "unverifiable"
            elif ticket.purchase_date > today:
                raise UserError(
                    self.env._(
                        "%(ticket)s: the purchase date cannot be in the future.",
                        ticket=ticket.name,
                    )
                )
            elif ticket.warranty_end >= reported:
                status = "in_warranty"
            else:
                status = "expired"
            ticket._move(
                "verified",
                warranty_status=status,
                warranty_checked_date=fields.Datetime.now(),
            )
        return True

    def action_send_warranty_status(self):
        """AS-2: tell the customer the warranty status and the process."""
        self.ensure_one()
        if not self.warranty_status:
            raise UserError(
                self.env._("Check the warranty of %(ticket)s first.", ticket=self.name)
            )
        return self._notify("gema_sop.mail_template_ticket_warranty")

    def action_start_analysis(self):
        """AS-3: hand the ticket to a technician for the technical analysis."""
        self._check_action("start_analysis")
        missing = self.filtered(lambda t: not t.technician_id)
        if missing:
            raise UserError(
                self.env._(
                    "Choose the technician who analyses %(tickets)s.",
                    tickets=", ".join(missing.mapped("name")),
                )
            )
        for ticket in self:
            ticket._move("analysis")
            if ticket.technician_id.user_id:
                ticket.activity_schedule(
                    "mail.mail_activity_data_todo",
                    user_id=ticket.technician_id.user_id.id,
                    summary=self.env._(
                        "Technical analysis of %(ticket)s", ticket=ticket.name
                    ),
                )
        return True

    def action_choose_solution(self):
        """AS-3: the analysis is written and the solution chosen; the
        solution's time standard starts."""
        self._check_action("choose_solution")
        for ticket in self:
            missing = []
            if not (ticket.analysis_report or "").strip():
                missing.append(self.env._("the damage analysis"))
            if not ticket.solution:
                missing.append(self.env._("the solution"))
            if missing:
                raise UserError(
                    self.env._(
                        "Record %(missing)s of %(ticket)s first.",
                        missing=", ".join(missing),
                        ticket=ticket.name,
                    )
                )
        self._move("in_progress", solution_date=fields.Datetime.now())
        return True

    def action_resolve(self):
        """AS-3: the solution is carried out; a return goes to logistics."""
        self._check_action("resolve")
        empty = self.filtered(lambda t: not (t.resolution_note or "").strip())
        if empty:
            raise UserError(
                self.env._(
                    "Write what was done for %(tickets)s; the customer is told.",
                    tickets=", ".join(empty.mapped("name")),
                )
            )
        now = fields.Datetime.now()
        for ticket in self:
            ticket._move(
                "shipping" if ticket.return_shipping else "done", resolved_date=now
            )
        return True

    def action_ship(self):
        """AS-4: logistics hands the parcel to the courier."""
        self._check_state({"shipping"})
        for ticket in self:
            if ticket.shipped_date:
                raise UserError(
                    self.env._(
                        "%(ticket)s has already been shipped.", ticket=ticket.name
                    )
                )
            missing = []
            if not ticket.carrier_type:
                missing.append(self.env._("the courier"))
            if ticket.carrier_type == "third_party" and not (
                ticket.carrier_name and ticket.tracking_number
            ):
                missing.append(self.env._("the carrier and its tracking number"))
            if not ticket.expected_arrival:
                missing.append(self.env._("the expected arrival"))
            if missing:
                raise UserError(
                    self.env._(
                        "Record %(missing)s of %(ticket)s before shipping.",
                        missing=", ".join(missing),
                        ticket=ticket.name,
                    )
                )
        # Logistics ship without writing the date themselves.
        with internal_write(self):
            self.write({"shipped_date": fields.Datetime.now()})
        return True

    def action_send_shipping_notice(self):
        """AS-4: tell the customer the shipping status and expected arrival."""
        self.ensure_one()
        if not self.shipped_date:
            raise UserError(
                self.env._("%(ticket)s has not been shipped yet.", ticket=self.name)
            )
        return self._notify("gema_sop.mail_template_ticket_shipping")

    def action_mark_received(self):
        """AS-4: the customer received the parcel (handover)."""
        self._check_action("mark_received")
        unshipped = self.filtered(lambda t: not t.shipped_date)
        if unshipped:
            raise UserError(
                self.env._(
                    "%(tickets)s has not been shipped yet.",
                    tickets=", ".join(unshipped.mapped("name")),
                )
            )
        self._move("done", delivered_date=fields.Datetime.now())
        return True

    def action_confirm_solved(self):
        """AS-5: the customer confirmed the problem is solved; they get the
        satisfaction survey (the ticket page)."""
        self._check_state({"done"})
        missing = self.filtered(lambda t: not t.root_cause)
        if missing:
            raise UserError(
                self.env._(
                    "Choose the root cause of %(tickets)s for the complaint recap.",
                    tickets=", ".join(missing.mapped("name")),
                )
            )
        self.write({"solved_confirmed_date": fields.Datetime.now()})
        if len(self) == 1:
            return self._notify("gema_sop.mail_template_ticket_survey")
        return True

    def action_cancel(self):
        self._check_action("cancel")
        self._move("cancelled", cancelled_date=fields.Datetime.now())
        return True

    # Business methods ----------------------------------------------------------

    def _rate(self, rating, comment):
        """AS-5: the customer's one rating, from the token page (sudo)."""
        self.ensure_one()
        if self.rating:
            raise UserError(self.env._("This ticket has already been rated."))
        if self.state != "done":
            raise UserError(self.env._("The ticket can be rated once it is solved."))
        self._record_rating(
            rating,
            comment,
            MAX_RATING_COMMENT,
            self.env._("The customer rated the service:"),
        )

    def _sla_owner(self):
        """The technician owns the analysis; the CS officer the rest."""
        if self.state == "analysis" and self.technician_id.user_id:
            return self.technician_id.user_id
        return self.user_id or self.create_uid
