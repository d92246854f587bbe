from contextlib import closing
from datetime import datetime

import pytz

from odoo import api, fields, models
from odoo.exceptions import UserError

from ..models.gema_message import CHANNELS
from ..models.gema_message_mixin import customer_of
from ..tools import normalize_phone
from ..tools.internal_write import internal_write

MARKS = [("requested", "Requested"), ("nearest", "Nearest")]


class GemaBookingSlotWizard(models.TransientModel):
    """Free slots for a booking, and the nearest alternatives (BK-4, BK-7).

    Opened from a booking (Find Free Slots, Reschedule): it lists every free
    start time of the chosen day per technician, or, when the requested time
    is taken, the nearest free times, grouped by time and the customer's
    requested time (or the nearest one) marked first. *Book* on a line shows
    the confirmation as it will be sent (text in the customer's language,
    channel, number, technician and time) without touching the booking;
    only *Confirm and Send* books and sends it (BK-5, BK-9).
    """

    _name = "gema.booking.slot.wizard"
    _description = "Free Booking Slots"

    booking_id = fields.Many2one("gema.booking", required=True, ondelete="cascade")
    company_id = fields.Many2one(related="booking_id.company_id")
    service_type_id = fields.Many2one(
        "gema.service.type",
        string="Service",
        required=True,
        domain="['|', ('company_id', '=', False), ('company_id', '=', company_id)]",
    )
    day = fields.Date(required=True)
    employee_id = fields.Many2one(
        "hr.employee",
        string="Technician",
        domain="[('company_id', '=', company_id), ('gema_technician', '=', True)]",
        help="Empty: every technician of the branch.",
    )
    requested_free = fields.Boolean(
        string="Requested Time Free",
        readonly=True,
        help="Whether the customer's requested time is free.",
    )
    line_ids = fields.One2many(
        "gema.booking.slot.wizard.line", "wizard_id", string="Free Slots"
    )
    line_id = fields.Many2one(
        "gema.booking.slot.wizard.line",
        string="Chosen Slot",
        ondelete="set null",
        readonly=True,
        help="The slot whose confirmation is shown, waiting for Confirm and Send.",
    )
    preview_employee_id = fields.Many2one(
        related="line_id.employee_id", string="Technician to Book"
    )
    preview_start = fields.Datetime(related="line_id.start", string="From")
    preview_stop = fields.Datetime(related="line_id.stop", string="To")
    preview_channel = fields.Selection(CHANNELS, string="Channel", readonly=True)
    preview_recipient = fields.Char(string="Sent To", readonly=True)
    preview_body = fields.Text(string="Confirmation", readonly=True)
    # The customer link in the text shown: the booking gets this token on
    # Confirm and Send when it has none yet, so that the link sent is the
    # one the advisor saw.
    preview_token = fields.Char(readonly=True)

    @api.model
    def _open(self, booking):
        """Create the wizard for ``booking`` with its proposals and open it."""
        if not booking.service_type_id:
            raise UserError(
                self.env._(
                    "Choose the service first: its duration decides the free slots."
                )
            )
        requested = booking.requested_start or booking.start
        tz = pytz.timezone(booking.tz)
        today = datetime.now(tz).date()
        day = pytz.utc.localize(requested).astimezone(tz).date() if requested else today
        wizard = self.create(
            {
                "booking_id": booking.id,
                "service_type_id": booking.service_type_id.id,
                "day": max(day, today),
            }
        )
        wizard._fill(requested)
        return wizard._action()

    def _action(self):
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Free Slots"),
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "new",
        }

    def _fill(self, requested=None):
        """The day's free slots, grouped by time: the requested time, or when
        it is taken the nearest alternatives by distance, come first (BK-7),
        then the day's other times in order; each time lists its free
        technicians."""
        self.ensure_one()
        planner = self.env["gema.planner"]
        company = self.booking_id.company_id
        employees = self.employee_id or None
        slots = planner._free_slots(
            company, self.service_type_id, self.day, employees=employees
        )
        lines = []
        tz = pytz.timezone(self.booking_id.tz)
        if requested and pytz.utc.localize(requested).astimezone(tz).date() != self.day:
            requested = None  # another day was chosen: just list it
        self.requested_free = bool(
            requested and any(s["start"] == requested for s in slots)
        )
        first = []  # the times shown first: requested, or nearest first
        if requested and self.requested_free:
            first = [requested]
        elif requested:
            nearest = planner._nearest_slots(company, self.service_type_id, requested)
            lines += nearest
            first = [s["start"] for s in nearest]
        seen = {(s["employee_id"], s["start"]) for s in lines}
        lines += [s for s in slots if (s["employee_id"], s["start"]) not in seen]
        names = {
            employee.id: employee.name
            for employee in self.env["hr.employee"].browse(
                {s["employee_id"] for s in lines}
            )
        }
        lines.sort(
            key=lambda s: (
                first.index(s["start"]) if s["start"] in first else len(first),
                s["start"],
                names[s["employee_id"]],
            )
        )
        closest = min(abs(start - requested) for start in first) if first else None
        values = []
        for sequence, slot in enumerate(lines):
            mark = False
            if slot["start"] in first:
                distance = abs(slot["start"] - requested)
                if not distance:
                    mark = "requested"
                elif distance == closest:
                    mark = "nearest"
            values.append(
                {
                    "sequence": sequence,
                    "employee_id": slot["employee_id"],
                    "start": slot["start"],
                    "stop": slot["stop"],
                    "nearest": slot["start"] in first and not self.requested_free,
                    "mark": mark,
                    "group_first": not sequence
                    or lines[sequence - 1]["start"] != slot["start"],
                }
            )
        self.line_ids = [(5, 0, 0)] + [(0, 0, vals) for vals in values]

    def action_search(self):
        """Search again (another day, service or technician)."""
        self.ensure_one()
        self._fill(self.booking_id.requested_start)
        return self._action()

    def _preview(self, line):
        """Show what booking ``line`` will send (BK-5, BK-9): the
        confirmation rendered for this booking at that time with that
        technician, in the customer's language, its channel and number.

        The booking is given the slot inside a savepoint rolled back at
        once, after the checks confirming would make (state, branch hours,
        the technician's hold): the booking and the technician's time stay
        as they were, nothing is sent or logged."""
        self.ensure_one()
        booking = self.booking_id
        booking.check_access("write")
        if booking.state not in ("confirmed", "no_show"):
            booking._check_action("confirm")
        template = self.env.ref("gema_sop.mail_template_booking_confirmation")
        channel = booking._channel()
        with closing(self.env.cr.savepoint()):
            with internal_write(booking):
                booking.write(line._booking_values())
            booking._check_schedule()
            booking._hold_slot()
            body = template._gema_render_text(booking.id)
            token = booking.access_token
            recipient = normalize_phone(
                self.env, customer_of(booking, "_customer_phone")
            )
        if not recipient:
            raise UserError(
                self.env._(
                    "%(booking)s has no WhatsApp number to send the "
                    "confirmation to: add the customer's number first.",
                    booking=booking.display_name,
                )
            )
        self.write(
            {
                "line_id": line.id,
                "preview_channel": channel,
                "preview_recipient": recipient,
                "preview_body": body,
                "preview_token": token,
            }
        )

    def action_back(self):
        """Back to the free slots: nothing was booked or sent."""
        self.ensure_one()
        self.write(
            {
                "line_id": False,
                "preview_channel": False,
                "preview_recipient": False,
                "preview_body": False,
                "preview_token": False,
            }
        )
        return self._action()

    def action_confirm_send(self):
        """Book the slot whose confirmation was shown and send it (BK-5,
        BK-9): the WhatsApp link dialog, or the gateway's queue."""
        self.ensure_one()
        if not self.line_id:
            raise UserError(
                self.env._(
                    "Choose a free slot with Book first: its confirmation is "
                    "shown before it is sent."
                )
            )
        booking = self.booking_id
        if self.preview_token and not booking.access_token:
            # sudo: as portal.mixin's _portal_ensure_token, which writes the
            # token the same way; the user was allowed to preview the booking.
            booking.sudo().access_token = self.preview_token
        return self.line_id.action_book()


class GemaBookingSlotWizardLine(models.TransientModel):
    _name = "gema.booking.slot.wizard.line"
    _description = "Free Booking Slot"
    _order = "sequence, id"

    wizard_id = fields.Many2one(
        "gema.booking.slot.wizard", required=True, ondelete="cascade"
    )
    sequence = fields.Integer(default=0)
    employee_id = fields.Many2one("hr.employee", string="Technician", required=True)
    start = fields.Datetime(required=True)
    stop = fields.Datetime(required=True)
    nearest = fields.Boolean(
        string="Nearest Alternative",
        help="Proposed because the requested time is taken (BK-7).",
    )
    mark = fields.Selection(
        MARKS,
        help="Requested: the customer's requested time. Nearest: the free "
        "time(s) nearest to it when it is taken.",
    )
    group_first = fields.Boolean(
        string="First of its Time",
        help="The first technician listed under this time: the list shows "
        "the time once, as the heading of its technicians.",
    )

    def _booking_values(self):
        """What booking this slot writes on the booking."""
        self.ensure_one()
        return {
            "employee_id": self.employee_id.id,
            "start": self.start,
            "stop": self.stop,
            "service_type_id": self.wizard_id.service_type_id.id,
        }

    def action_preview(self):
        """Book: show the confirmation this slot will send, before anything
        is booked or sent (BK-5, BK-9)."""
        self.ensure_one()
        self.wizard_id._preview(self)
        return self.wizard_id._action()

    def action_book(self):
        """Book this slot: confirm the request, or move the booking; the
        wizard's *Confirm and Send* after the preview, and scripts."""
        self.ensure_one()
        booking = self.wizard_id.booking_id
        if booking.state in ("confirmed", "no_show"):
            booking.service_type_id = self.wizard_id.service_type_id
            result = booking._reschedule(self.employee_id, self.start, self.stop)
        else:
            booking.write(self._booking_values())
            result = booking.action_confirm()
        if isinstance(result, dict):
            return result
        return {"type": "ir.actions.act_window_close"}
