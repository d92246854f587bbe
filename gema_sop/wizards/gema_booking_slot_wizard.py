from datetime import datetime

import pytz

from odoo import api, fields, models
from odoo.exceptions import UserError


class GemaBookingSlotWizard(models.TransientModel):
    """Free slots for a booking, and the nearest alternatives (BK-4, BK-7).

    Opened from a booking (Find Free Slots, Reschedule): it lists every free
    start time of the chosen day per technician, or, when the requested time
    is taken, the nearest free times; each line books with one click.
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
        """The day's free slots; when the requested time is taken, the
        nearest alternatives come first (BK-7)."""
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
        if requested and not self.requested_free:
            nearest = planner._nearest_slots(company, self.service_type_id, requested)
            lines += [dict(s, nearest=True) for s in nearest]
        seen = {(s["employee_id"], s["start"]) for s in lines}
        lines += [s for s in slots if (s["employee_id"], s["start"]) not in seen]
        self.line_ids = [(5, 0, 0)] + [
            (
                0,
                0,
                {
                    "employee_id": s["employee_id"],
                    "start": s["start"],
                    "stop": s["stop"],
                    "nearest": s.get("nearest", False),
                },
            )
            for s in lines
        ]

    def action_search(self):
        """Search again (another day, service or technician)."""
        self.ensure_one()
        self._fill(self.booking_id.requested_start)
        return self._action()


class GemaBookingSlotWizardLine(models.TransientModel):
    _name = "gema.booking.slot.wizard.line"
    _description = "Free Booking Slot"
    _order = "nearest desc, start, id"

    wizard_id = fields.Many2one(
        "gema.booking.slot.wizard", required=True, ondelete="cascade"
    )
    employee_id = fields.Many2one("hr.employee", string="Technician", required=True)
    start = fields.Datetime(required=True)
    stop = fields.Datetime(required=True)
    nearest = fields.Boolean(
        string="Nearest Alternative",
        help="Proposed because the requested time is taken (BK-7).",
    )

    def action_book(self):
        """Book this slot: confirm the request, or move the booking."""
        self.ensure_one()
        booking = self.wizard_id.booking_id
        if booking.state in ("confirmed", "no_show"):
            booking.service_type_id = self.wizard_id.service_type_id
            result = booking._reschedule(self.employee_id, self.start, self.stop)
        else:
            booking.write(
                {
                    "employee_id": self.employee_id.id,
                    "start": self.start,
                    "stop": self.stop,
                    "service_type_id": self.wizard_id.service_type_id.id,
                }
            )
            result = booking.action_confirm()
        if isinstance(result, dict):
            return result
        return {"type": "ir.actions.act_window_close"}
