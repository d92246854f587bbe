import logging
from datetime import datetime, timedelta
from textwrap import shorten

import pytz
from markupsafe import Markup

from odoo import Command, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.osv import expression
from odoo.tools import SQL, format_datetime

from ..tools import (
    assign_numbers,
    normalize_plate,
    write_grouped,
)
from ..tools.internal_write import is_internal_write
from .gema_booking_const import CHANNELS, CHECKLIST
from .gema_sla_status import SLA_RESULTS

_logger = logging.getLogger(__name__)

STATES = [
    ("request", "Request"),
    ("confirmed", "Confirmed"),
    ("pending", "Pending"),
    ("arrived", "Arrived"),
    ("no_show", "No-show"),
    ("cancelled", "Cancelled"),
]
# The one state machine of a booking: from a state, its steps (buttons
# ``action_<step>``) and the state each leads to. A request is confirmed
# once a time is chosen (BK-5) or set pending when the customer declines
# every alternative (BK-7); a pending request is confirmed later, by
# choosing a time or rescheduling it. Rescheduling a confirmed booking keeps
# it confirmed; a no-show is confirmed again by rescheduling it (BK-9).
TRANSITIONS = {
    "request": {
        "confirm": "confirmed",
        "set_pending": "pending",
        "cancel": "cancelled",
    },
    "pending": {
        "confirm": "confirmed",
        "reschedule": "confirmed",
        "cancel": "cancelled",
    },
    "confirmed": {
        "arrive": "arrived",
        "mark_no_show": "no_show",
        "reschedule": "confirmed",
        "cancel": "cancelled",
    },
    "no_show": {"reschedule": "confirmed", "cancel": "cancelled"},
    "arrived": {},
    "cancelled": {},
}
# Colour indexes by state (``color``); the calendar colours per technician.
STATE_COLORS = {
    "request": 4,
    "confirmed": 10,
    "pending": 3,
    "arrived": 7,
    "no_show": 1,
    "cancelled": 0,
}


class GemaBooking(models.Model):
    """An online booking request and its schedule (SOP Booking Online, BK).

    A request arrives from any channel with only the data of BK-3; its first
    response clock (BK-2) starts at once. Confirming assigns a technician
    and a time: the technician is held through a ``gema.technician.slot``
    (the database refuses two overlapping holds, BK-4), the confirmation
    and the booking proof are sent (BK-5), and the H-1 reminder clock
    starts (BK-6). The booking then ends as arrived (BK-8), no-show (BK-9)
    or cancelled; each of these releases the slot, which stays as history.
    """

    _name = "gema.booking"
    _description = "Booking"
    _inherit = [
        "gema.booking.request",
        "gema.booking.schedule",
        "gema.booking.reminder",
        "gema.booking.no.show",
        "gema.sla.mixin",
        "gema.message.mixin",
        "gema.checklist.mixin",
        "gema.state.mixin",
        "gema.customer.mixin",
        "gema.retention.mixin",
        "portal.mixin",
    ]
    # G-5: a booking that never became a job (cancelled, no-show, a request
    # or pending booking never confirmed) loses, after the branch's retention
    # period counted from its creation (the one date every such booking
    # has), the chatter, the log of messages, the proof, the customer's
    # name, number and partner link, the plate, vehicle, complaint and
    # follow-up note; the number, branch, channel, service, dates, state and
    # SLA lines stay for the statistics. An arrived booking is its job's.
    _gema_retention_months_field = "gema_booking_retention_months"
    _gema_retention_date_field = "create_date"
    _gema_retention_states = ("request", "pending", "no_show", "cancelled")
    _gema_retention_cleared = {
        "partner_id": False,
        "vehicle_id": False,
        # A booking without a service needs its complaint (a dash says it
        # was there).
        "complaint": "-",
        "pending_note": False,
        "proof_attachment_id": False,
        "request_ip": False,
    }
    _gema_checklist_plan = "gema_sop.mail_activity_plan_booking_checklist"
    # BK-12: a confirmed booking has the items of its confirmation and of
    # its H-1 reminder day; arrival, no-show or cancellation ends them.
    _gema_checklist_steps = {"confirmed": ("confirm", "reminder_day")}
    _gema_checklist_end_states = ("arrived", "no_show", "cancelled")
    _gema_transitions = TRANSITIONS
    _order = "start desc, id desc"
    _check_company_auto = True
    _rec_names_search = ["name", "license_plate", "customer_name"]

    name = fields.Char(
        string="Booking Number",
        required=True,
        readonly=True,
        copy=False,
        index="trigram",
        default="/",
    )
    state = fields.Selection(
        STATES,
        default="request",
        required=True,
        tracking=True,
        copy=False,
        index=True,
    )
    # The steps the state allows (``TRANSITIONS``), for the buttons.
    can_confirm = fields.Boolean(compute="_compute_gema_can")
    can_set_pending = fields.Boolean(compute="_compute_gema_can")
    can_arrive = fields.Boolean(compute="_compute_gema_can")
    can_mark_no_show = fields.Boolean(compute="_compute_gema_can")
    can_reschedule = fields.Boolean(compute="_compute_gema_can")
    can_cancel = fields.Boolean(compute="_compute_gema_can")
    channel = fields.Selection(
        CHANNELS,
        required=True,
        default="whatsapp",
        tracking=True,
        index=True,
        help="Where the request came from (BK-1).",
    )
    customer_name = fields.Char(required=True, tracking=True)
    customer_phone = fields.Char(
        string="WhatsApp Number",
        required=True,
        tracking=True,
        groups="gema_sop.group_service_advisor,gema_sop.group_cs_officer",
        help="Stored in international form (+62...). Technicians do not see it.",
    )
    partner_id = fields.Many2one(
        "res.partner",
        string="Customer",
        index=True,
        tracking=True,
        check_company=True,
        groups="gema_sop.group_service_advisor,gema_sop.group_cs_officer",
        help="Found or created by the WhatsApp number.",
    )
    customer_link = fields.Selection(
        groups="gema_sop.group_service_advisor,gema_sop.group_cs_officer"
    )
    gema_number_customer = fields.Char(
        groups="gema_sop.group_service_advisor,gema_sop.group_cs_officer"
    )
    license_plate = fields.Char(
        required=True, index="trigram", tracking=True, help="Such as BK 1234 ABC."
    )
    vehicle_type = fields.Char(
        required=True, help="Brand and model as the customer names it."
    )
    vehicle_id = fields.Many2one("gema.vehicle", index=True, check_company=True)
    service_type_id = fields.Many2one(
        "gema.service.type",
        string="Service",
        index=True,
        tracking=True,
        check_company=True,
    )
    complaint = fields.Text(string="Complaint or Request")
    requested_start = fields.Datetime(
        string="Requested Arrival", help="When the customer asked to come."
    )
    start = fields.Datetime(
        string="Scheduled Start",
        index=True,
        tracking=True,
        copy=False,
    )
    stop = fields.Datetime(
        string="Scheduled End",
        compute="_compute_stop",
        store=True,
        readonly=False,
        copy=False,
    )
    employee_id = fields.Many2one(
        "hr.employee",
        string="Technician",
        index=True,
        tracking=True,
        check_company=True,
        copy=False,
        domain="[('gema_technician', '=', True)]",
    )
    user_id = fields.Many2one(
        "res.users",
        string="Service Advisor",
        index=True,
        tracking=True,
        default=lambda self: self._default_user_id(),
        domain="[('share', '=', False)]",
    )
    company_id = fields.Many2one(
        "res.company",
        string="Branch",
        required=True,
        index=True,
        default=lambda self: self.env.company,
    )
    slot_id = fields.Many2one(
        "gema.technician.slot",
        string="Technician Slot",
        readonly=True,
        copy=False,
        index="btree_not_null",
    )
    service_job_ids = fields.One2many(
        "gema.service.job", "booking_id", string="Service Jobs", readonly=True
    )
    service_job_count = fields.Integer(compute="_compute_service_job_count")
    conversation_id = fields.Many2one(
        "gema.conversation",
        string="Chat Conversation",
        index="btree_not_null",
        readonly=True,
        copy=False,
        check_company=True,
        ondelete="set null",
        help="The chat the request was made in (BK-1).",
    )
    request_key = fields.Char(copy=False, readonly=True)
    request_ip = fields.Char(copy=False, readonly=True, index=True)
    confirmed_date = fields.Datetime(string="Confirmed On", readonly=True, copy=False)
    arrived_date = fields.Datetime(string="Arrived On", readonly=True, copy=False)
    no_show_date = fields.Datetime(string="No-show On", readonly=True, copy=False)
    reminder_due = fields.Boolean(
        string="H-1 Reminder Due",
        readonly=True,
        copy=False,
        help="Set when the booking is confirmed for a day after tomorrow (or "
        "later): an H-1 reminder must then be sent (BK-6). For bookings of "
        "today or tomorrow the confirmation itself is the reminder.",
    )
    reminder_sent_date = fields.Datetime(
        string="Reminder Sent On", readonly=True, copy=False, tracking=True
    )
    proof_attachment_id = fields.Many2one(
        "ir.attachment", string="Booking Proof", readonly=True, copy=False
    )
    pending_note = fields.Text(
        string="Follow-up Note",
        copy=False,
        help="Why the customer declined the alternatives, and when to call back.",
    )
    frt_result = fields.Selection(
        SLA_RESULTS,
        string="First Response",
        readonly=True,
        copy=False,
        index=True,
        tracking=True,
        help="Result of the 5-minute first response standard (BK-2).",
    )
    checkin_query = fields.Char(
        string="Plate or Booking Number",
        compute="_compute_checkin_query",
        search="_search_checkin_query",
        help="Check-in search: the plate in any typing (bk1234abc) or the "
        "booking number.",
    )
    gema_alternatives_text = fields.Char(
        string="Nearest Free Times",
        compute="_compute_gema_alternatives_text",
        help="The free times nearest to the requested one, for the "
        "alternative-times message (BK-7).",
    )
    color = fields.Integer(compute="_compute_color")
    calendar_label = fields.Char(
        compute="_compute_calendar_label",
        help="What an event of the bookings calendar reads: customer, plate "
        "and service.",
    )
    tz = fields.Char(
        string="Branch Time Zone",
        compute="_compute_tz",
        help="The time zone of the branch's operating hours.",
    )

    _sql_constraints = [
        (
            "request_key_unique",
            "UNIQUE (request_key)",
            "This booking request was already received.",
        ),
        (
            "stop_after_start",
            "CHECK (stop IS NULL OR start IS NULL OR stop > start)",
            "A booking must end after it starts.",
        ),
    ]

    def _auto_init(self):
        result = super()._auto_init()
        # The no-show cron reads only confirmed bookings by start time.
        self.env.cr.execute(
            SQL(
                "CREATE INDEX IF NOT EXISTS gema_booking_confirmed_start_idx "
                "ON gema_booking (start, id) WHERE state = 'confirmed'"
            )
        )
        return result

    @api.model
    def _default_user_id(self):
        """The service advisor or CS officer who records the request; none
        when the customer booked themselves (website)."""
        user = self.env.user
        if user._is_internal() and (
            user.has_group("gema_sop.group_service_advisor")
            or user.has_group("gema_sop.group_cs_officer")
        ):
            return user
        return self.env["res.users"]

    # Computes ----------------------------------------------------------------

    @api.depends("start", "service_type_id")
    def _compute_stop(self):
        for booking in self:
            if booking.start and booking.service_type_id:
                booking.stop = booking.start + timedelta(
                    hours=booking.service_type_id.duration
                )
            elif not booking.start:
                booking.stop = False

    @api.depends("requested_start", "service_type_id", "company_id")
    @api.depends_context("lang")
    def _compute_gema_alternatives_text(self):
        for booking in self:
            requested = booking.requested_start or booking.start
            if not (requested and booking.service_type_id):
                booking.gema_alternatives_text = False
                continue
            slots = self.env["gema.planner"]._nearest_slots(
                booking.company_id, booking.service_type_id, requested
            )
            booking.gema_alternatives_text = "; ".join(
                format_datetime(
                    self.env,
                    slot["start"],
                    tz=booking.tz,
                    dt_format="EEEE, d MMMM y HH:mm",
                )
                for slot in sorted(slots, key=lambda s: s["start"])
            )

    def _compute_checkin_query(self):
        self.checkin_query = False

    def _search_checkin_query(self, operator, value):
        """BK-8: ``bk1234abc``, ``BK-1234-ABC`` or ``BK/2026/00001``."""
        if operator not in ("ilike", "=") or not isinstance(value, str):
            raise UserError(
                self.env._("Search the check-in by plate or booking number.")
            )
        domain = [("name", "ilike", value.strip())]
        try:
            plate = normalize_plate(self.env, value)
        except ValidationError:
            plate = False
        if plate:
            domain = ["|", ("license_plate", "=", plate), *domain]
        return domain

    @api.depends("state")
    def _compute_color(self):
        for booking in self:
            booking.color = STATE_COLORS.get(booking.state, 0)

    @api.depends("customer_name", "license_plate", "service_type_id", "complaint")
    @api.depends_context("lang")
    def _compute_calendar_label(self):
        """BK-9: the front desk reads who comes, with which car, for what;
        a booking without a service shows the start of its complaint."""
        for booking in self:
            what = booking.service_type_id.name or shorten(
                booking.complaint or "", width=40, placeholder="..."
            )
            parts = [booking.customer_name, booking.license_plate, what]
            booking.calendar_label = " · ".join(p for p in parts if p)

    @api.depends("company_id")
    def _compute_tz(self):
        for booking in self:
            booking.tz = booking.company_id._gema_tz()

    def _compute_access_url(self):
        for booking in self:
            booking.access_url = f"/my/bookings/{booking.id}"

    def _compute_display_name(self):
        for booking in self:
            parts = [booking.name, booking.license_plate]
            booking.display_name = " - ".join(p for p in parts if p)

    # Constraints -------------------------------------------------------------

    @api.constrains("service_type_id", "complaint")
    def _check_service_or_complaint(self):
        missing = self.filtered(lambda b: not b.service_type_id and not b.complaint)
        if missing:
            raise ValidationError(
                self.env._(
                    "Choose a service or describe the complaint: %(bookings)s",
                    bookings=", ".join(missing.mapped("display_name")),
                )
            )

    # CRUD --------------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        assign_numbers(self, vals_list)
        return super().create(vals_list)

    def write(self, vals):
        if {"start", "stop", "employee_id"} & set(vals) and not is_internal_write(self):
            held = self.filtered(lambda b: b.sudo().slot_id.active)
            if held:
                raise UserError(
                    self.env._(
                        "Use Reschedule to move a confirmed booking, so that "
                        "the technician's time moves with it: %(bookings)s",
                        bookings=", ".join(held.mapped("display_name")),
                    )
                )
        result = super().write(vals)
        if {"customer_phone", "license_plate"} & set(vals):
            self._link_vehicle()
        return result

    def _remove_content(self, when):
        """The customer's name, number, plate and vehicle type are required
        (NOT NULL, checked as a WhatsApp number on every write): the
        retention replaces them by a dash, below the checks."""
        super()._remove_content(when)
        if not self:
            return
        self.env.cr.execute(
            SQL(
                "UPDATE gema_booking SET customer_name = '-', customer_phone = '-',"
                " license_plate = '-', vehicle_type = '-' WHERE id IN %s",
                tuple(self.ids),
            )
        )
        self.invalidate_recordset(
            ["customer_name", "customer_phone", "license_plate", "vehicle_type"]
        )

    def unlink(self):
        """A deleted booking takes its slots (hold and history) with it:
        they only mean something with their booking, and would keep its
        technician from being deleted."""
        slots = self.env["gema.technician.slot"]._of_records(self)
        result = super().unlink()
        slots.unlink()
        return result

    @api.model
    def _prepare_customer_values(self, vals_list):
        """BK-3: the vehicle of each new booking with a plate, found or
        created (``gema.vehicle._find_or_create_many``) for the batch.

        sudo: a booking from the public page is created by the website's
        user; the vehicle is found from the validated plate only, and
        nothing of it is returned to that user."""
        vals_list = super()._prepare_customer_values(vals_list)
        todo = [
            vals
            for vals in vals_list
            if vals.get("license_plate") and not vals.get("vehicle_id")
        ]
        vehicles = (
            self.env["gema.vehicle"]
            .sudo()
            ._find_or_create_many(
                [
                    (
                        vals["license_plate"],
                        vals.get("vehicle_type"),
                        self.env["res.partner"].browse(vals.get("partner_id")),
                        self.env["res.company"].browse(
                            vals.get("company_id") or self.env.company.id
                        ),
                    )
                    for vals in todo
                ]
            )
        )
        for vals, vehicle in zip(todo, vehicles, strict=True):
            vals["vehicle_id"] = vehicle.id
        return vals_list

    def _link_vehicle(self):
        """Find or create the vehicle (by plate) of bookings whose plate
        changed (BK-3), for all of them at once; sudo as above."""
        bookings = self.sudo().filtered(
            lambda booking: booking.license_plate
            and booking.vehicle_id.license_plate != booking.license_plate
        )
        vehicles = (
            self.env["gema.vehicle"]
            .sudo()
            ._find_or_create_many(
                [
                    (b.license_plate, b.vehicle_type, b.partner_id, b.company_id)
                    for b in bookings
                ]
            )
        )
        write_grouped(bookings, "vehicle_id", vehicles)

    def _transition_refused(self, state):
        return self.env._(
            "A booking cannot go from %(from)s to %(to)s: %(bookings)s",
            **{
                "from": self._states_text(),
                "to": self._state_label(state),
                "bookings": ", ".join(self.mapped("display_name")),
            },
        )

    # Customer ----------------------------------------------------------------

    def _customer_phone(self):
        self.ensure_one()
        # sudo: the number is read to send the message, never shown.
        return self.sudo().customer_phone or super()._customer_phone()

    # Actions -----------------------------------------------------------------

    def action_confirm(self):
        """BK-5: hold the technician, confirm, send the confirmation and the
        booking proof, and start the checklist and the H-1 reminder clock.

        For one booking sent by click-to-chat, returns the WhatsApp link to
        open; otherwise nothing."""
        self._check_action("confirm")
        missing = self.filtered(
            lambda b: not (b.employee_id and b.start and b.stop and b.service_type_id)
        )
        if missing:
            raise UserError(
                self.env._(
                    "Choose the service, the technician and the time before "
                    "confirming (Find Free Slots proposes them): %(bookings)s",
                    bookings=", ".join(missing.mapped("display_name")),
                )
            )
        self._check_schedule()
        self._take_advisor()
        for booking in self:
            booking._hold_slot()
        for booking in self:
            booking._move(
                "confirmed",
                confirmed_date=fields.Datetime.now(),
                no_show_date=False,
                **booking._reminder_values(),
            )
        messages = self._send_confirmation()
        self._checklist_confirmed()
        return self._open_link(messages)

    def action_set_pending(self):
        """BK-7: the customer declined every alternative; follow up later."""
        self._check_action("set_pending")
        self._move("pending")

    @api.depends("service_job_ids")
    def _compute_service_job_count(self):
        counts = dict(
            self.env["gema.service.job"]._read_group(
                [("booking_id", "in", self.ids)], ["booking_id"], ["__count"]
            )
        )
        for booking in self:
            booking.service_job_count = counts.get(booking, 0)

    def action_arrive(self):
        """BK-8: the customer arrived as expected; on to vehicle reception.

        The booking's hold on the technician passes to the service job
        opened for reception, for the same booked time (ST), and the job
        form opens when one booking was checked in."""
        self._check_action("arrive")
        self._check_arrival_day()
        self._release_slot()
        self._move("arrived", arrived_date=fields.Datetime.now())
        jobs = self.env["gema.service.job"].create(
            [booking._service_job_values() for booking in self]
        )
        for booking, job in zip(self, jobs, strict=True):
            booking.message_post(
                body=Markup("%s %s")
                % (
                    self.env._(
                        "Arrived as expected: sent to the service advisor for "
                        "vehicle reception in"
                    ),
                    job._get_html_link(),
                ),
                subtype_xmlid="mail.mt_note",
            )
        if len(jobs) == 1:
            return jobs._get_records_action()
        return True

    def _take_advisor(self):
        """BK-5, BK-9: the service advisor or CS officer who answers or
        confirms a booking without a Service Advisor becomes it, so that
        *My Bookings* finds it (no one when the system acts)."""
        self.filtered(lambda b: not b.user_id).user_id = self._default_user_id()

    def _check_arrival_day(self):
        """BK-8: a car checked in before its booking day is most likely the
        wrong booking; the advisor checks it in anyway only by choosing
        *Early Arrival* (context ``gema_early_arrival``). Who may not
        check a car in (a technician) is told that first."""
        self.check_access("write")
        if self.env.context.get("gema_early_arrival"):
            return
        early = self.filtered(
            lambda b: b.start
            and pytz.utc.localize(b.start).astimezone(pytz.timezone(b.tz)).date()
            > datetime.now(pytz.timezone(b.tz)).date()
        )
        if early:
            raise UserError(
                self.env._(
                    "These bookings are for a later day: check the booking, "
                    "or use Early Arrival to check the car in today: "
                    "%(bookings)s",
                    bookings=", ".join(early.mapped("display_name")),
                )
            )

    def _service_job_values(self):
        self.ensure_one()
        return {
            "booking_id": self.id,
            "company_id": self.company_id.id,
            "vehicle_id": self.vehicle_id.id,
            "partner_id": self.partner_id.id,
            "user_id": (self.user_id or self.env.user).id,
            "complaint": self.complaint
            or (self.service_type_id.name if self.service_type_id else False),
            "technician_ids": [Command.set(self.employee_id.ids)],
            "planned_start": self.start,
            "planned_stop": self.stop,
            # The service's hours, else the booked time: never 00:00.
            "estimated_duration": self.service_type_id.duration
            or (
                (self.stop - self.start).total_seconds() / 3600
                if self.start and self.stop
                else 0.0
            ),
        }

    def action_open_service_jobs(self):
        self.ensure_one()
        return self.service_job_ids._get_records_action(name=self.env._("Service Jobs"))

    def action_cancel(self):
        self._check_action("cancel")
        self._release_slot()
        self._move("cancelled")

    def action_send_alternatives(self):
        """BK-7: send the nearest free times to the customer."""
        self.ensure_one()
        self._take_advisor()
        messages = self._send_message(
            "gema_sop.mail_template_booking_alternatives", self._channel()
        )
        return self._open_link(messages)

    def action_print_proof(self):
        return self.env.ref("gema_sop.action_report_gema_booking_proof").report_action(
            self
        )

    # Scheduling ------------------------------------------------------------

    def _when(self):
        """The scheduled start in the branch's time zone, for people."""
        self.ensure_one()
        return self.env["gema.planner"]._when(self.company_id, self.start)

    # Messages, proof, checklist ---------------------------------------------

    def _send_confirmation(self):
        """Send the confirmation with the token link; the booking proof,
        rendered first, goes with the confirmation's chatter entry when the
        confirmation has left (BK-5, ``_on_message_sent``)."""
        messages = self.env["gema.message"]
        for booking in self:
            booking._portal_ensure_token()
            booking._render_proof()
            messages |= booking._send_message(
                "gema_sop.mail_template_booking_confirmation", booking._channel()
            )
        return messages

    def _on_message_sent(self, message):
        """BK-5, BK-6: the confirmation carries the proof and ticks checklist
        items 4 and 6 (and 7 for a booking of today or tomorrow, whose
        reminder it is); the reminder marks the booking reminded, closes the
        advisor's reminder activity and ticks checklist item 7."""
        result = super()._on_message_sent(message)
        if message.template_id == self.env.ref(
            "gema_sop.mail_template_booking_confirmation"
        ):
            if message.mail_message_id and self.proof_attachment_id:
                # sudo: the chatter entry was posted by the send itself.
                message.mail_message_id.sudo().attachment_ids = [
                    Command.link(self.proof_attachment_id.id)
                ]
            self._checklist_done(
                [CHECKLIST[3], CHECKLIST[5]], self._checklist_message_note(message)
            )
            if not self.reminder_due:
                self._checklist_done(
                    CHECKLIST[6:],
                    self.env._(
                        "Done by the system: the booking is for today or the "
                        "next day, so the confirmation was its reminder."
                    ),
                )
        elif message.template_id == self.env.ref(
            "gema_sop.mail_template_booking_reminder"
        ):
            self.write({"reminder_sent_date": message.sent_date})
            self.activity_feedback(["gema_sop.mail_activity_type_booking_reminder"])
            self._checklist_done(CHECKLIST[6:], self._checklist_message_note(message))
        return result

    def _checklist_confirmed(self):
        """BK-12 on confirmation: the system ticks what it checked or did
        itself, the customer data when every field of it is filled in, the
        service, and the booking's place in the calendar; the advisor keeps
        the rest."""
        complete = self.filtered(
            lambda b: b.customer_name
            and b.customer_phone
            and b.license_plate
            and b.vehicle_type
        )
        complete._checklist_done(
            CHECKLIST[1:2],
            self.env._(
                "Checked by the system: the customer's name, WhatsApp number, "
                "plate and vehicle type are filled in."
            ),
        )
        self._checklist_done(
            CHECKLIST[2:3],
            lambda booking: self.env._(
                "Recorded on the booking: %(service)s.",
                service=booking.service_type_id.name,
            ),
        )
        self._checklist_done(
            CHECKLIST[4:5],
            lambda booking: self.env._(
                "Done by the system: %(when)s with %(technician)s is in the calendar.",
                when=booking._when(),
                technician=booking.employee_id.name,
            ),
        )

    def _checklist_step_dates(self, steps):
        """BK-12: the H-1 reminder item is due on the branch's last working
        day before the booked day (when the cron sends it); for a booking
        of today or tomorrow, today (the confirmation is its reminder)."""
        dates = super()._checklist_step_dates(steps)
        if "reminder_day" in steps:
            eves = {}  # one working-day search per calendar and day
            for booking in self.filtered(lambda b: b.start and b.reminder_due):
                tz = pytz.timezone(booking.tz)
                day = pytz.utc.localize(booking.start).astimezone(tz).date()
                calendar = booking.company_id._gema_operating_calendar()
                if (calendar.id, day) not in eves:
                    eves[calendar.id, day] = calendar._gema_shift_day(day, -1)
                dates[booking.id, "reminder_day"] = eves[calendar.id, day]
        return dates

    def _render_proof(self):
        """The booking proof (PDF) as an attachment of the booking."""
        self.ensure_one()
        report = self.env.ref("gema_sop.action_report_gema_booking_proof")
        try:
            # sudo: the proof shows the branch's address; the caller was
            # allowed to confirm this booking.
            content, kind = (
                self.env["ir.actions.report"].sudo()._render_qweb_pdf(report, self.ids)
            )
        except UserError as error:
            # No wkhtmltopdf on this server: the token link is the proof.
            _logger.info("Booking proof of %s not rendered: %s", self.name, error)
            return self.env["ir.attachment"]
        kind = kind if kind in ("pdf", "html") else "pdf"
        attachment = self.env["ir.attachment"].create(
            {
                "name": f"{self.name.replace('/', '-')}.{kind}",
                "raw": content,
                "res_model": self._name,
                "res_id": self.id,
                "mimetype": "application/pdf" if kind == "pdf" else "text/html",
            }
        )
        self.proof_attachment_id = attachment
        return attachment

    # Public requests -------------------------------------------------------

    # Check-in ----------------------------------------------------------------

    @api.model
    def _search_display_name(self, operator, value):
        """Typing ``bk1234abc`` finds the booking of ``BK 1234 ABC``."""
        domain = super()._search_display_name(operator, value)
        if operator == "ilike" and isinstance(value, str) and value.strip():
            domain = expression.OR(
                [domain, self._search_checkin_query(operator, value)]
            )
        return domain

    # Scheduled actions -------------------------------------------------------
