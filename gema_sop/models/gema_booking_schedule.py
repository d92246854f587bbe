import logging

from markupsafe import Markup

from odoo import fields, models
from odoo.exceptions import UserError

from ..tools.internal_write import internal_write

_logger = logging.getLogger(__name__)


class GemaBookingSchedule(models.AbstractModel):
    """A booking's place in the workshop's schedule (BK-4, BK-5, BK-9),
    inherited by ``gema.booking``: finding free slots, the schedule checks
    of a confirmation, holding and releasing the technician through
    ``gema.planner`` and ``gema.technician.slot``, and *Reschedule*, the one
    way a confirmed booking's technician or time moves."""

    _name = "gema.booking.schedule"
    _description = "Booking Schedule"

    def action_find_slots(self):
        """Open the free-slot proposals of this booking (BK-4, BK-7)."""
        self.ensure_one()
        if not self.can_confirm:
            raise UserError(
                self.env._(
                    "Free slots are searched for requests and pending bookings; "
                    "use Reschedule for %(booking)s.",
                    booking=self.display_name,
                )
            )
        return self.env["gema.booking.slot.wizard"]._open(self)

    def action_reschedule(self):
        """Open the free-slot proposals to move this booking (BK-9)."""
        self.ensure_one()
        if not self.can_reschedule:
            raise UserError(
                self.env._(
                    "Only confirmed, no-show or pending bookings can be "
                    "rescheduled: %(booking)s",
                    booking=self.display_name,
                )
            )
        return self.env["gema.booking.slot.wizard"]._open(self)

    def _reschedule(self, employee, start, stop):
        """Move the booking to ``employee`` from ``start`` to ``stop`` (UTC)
        and confirm it again; the old and new times stay in the chatter and
        the released slot stays as history (BK-9)."""
        self.ensure_one()
        if not self.can_reschedule:
            raise UserError(
                self.env._(
                    "Only confirmed, no-show or pending bookings can be "
                    "rescheduled: %(booking)s",
                    booking=self.display_name,
                )
            )
        old = self._when() if self.start else "-"
        old_employee = self.employee_id.name or "-"
        was_confirmed = self.state == "confirmed"
        with internal_write(self):
            self.write({"employee_id": employee.id, "start": start, "stop": stop})
        self._check_schedule()
        self._hold_slot()
        vals = {**self._reminder_values(), "reminder_sent_date": False}
        if was_confirmed:
            self.write(vals)
        else:
            self._move("confirmed", confirmed_date=fields.Datetime.now(), **vals)
        self.message_post(
            body=Markup("<p>%s</p>")
            % self.env._(
                "Rescheduled from %(old)s (%(old_technician)s) to %(new)s "
                "(%(new_technician)s).",
                old=old,
                old_technician=old_employee,
                new=self._when(),
                new_technician=employee.name,
            ),
            subtype_xmlid="mail.mt_note",
        )
        messages = self._send_confirmation()
        self._checklist_replan("reminder_day")
        self._checklist_confirmed()
        return self._open_link(messages)

    def _hold_slot(self):
        """Hold the technician for the booked time, or move the hold
        (``gema.planner._hold``: a slot changing technician is
        released and kept as the history).

        sudo: slots are written by the booking logic only, never directly
        by users; the booking's access rights were checked by its write."""
        self.ensure_one()
        slot = (
            self.env["gema.planner"]
            .sudo()
            ._hold(
                self,
                self.sudo().slot_id.filtered("active"),
                self.employee_id,
                self.start,
                self.stop,
            )
        )
        if slot != self.slot_id:
            self.slot_id = slot

    def _release_slot(self):
        """Free the technician; the archived slot is the history."""
        slots = self.sudo().slot_id.filtered("active")
        if slots:
            slots.active = False

    def _check_schedule(self):
        """Refuse a schedule the branch or the technician cannot keep
        (``gema.planner._check_schedule``)."""
        planner = self.env["gema.planner"]
        for booking in self:
            planner._check_schedule(
                booking.company_id,
                booking.employee_id,
                booking.start,
                booking.stop,
                booking.slot_id,
            )
