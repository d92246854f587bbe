import logging
from datetime import timedelta

from markupsafe import Markup

from odoo import api, fields, models
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
        self._check_can_reschedule()
        return self.env["gema.booking.slot.wizard"]._open(self)

    def _check_can_reschedule(self):
        """The state machine's rule for a move, said once for the button,
        the wizard and the calendar's drag."""
        if not self.can_reschedule:
            raise UserError(
                self.env._(
                    "Only confirmed, no-show or pending bookings can be "
                    "rescheduled: %(booking)s",
                    booking=self.display_name,
                )
            )

    def _reschedule(self, employee, start, stop):
        """Move the booking to ``employee`` from ``start`` to ``stop`` (UTC)
        and confirm it again; the old and new times stay in the chatter and
        the released slot stays as history (BK-9)."""
        self.ensure_one()
        self._check_can_reschedule()
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

    def action_calendar_move(self, start):
        """BK-9: the booking dragged in the bookings calendar to ``start``
        (UTC, as the calendar writes it) is moved by ``_reschedule``, as
        *Reschedule* moves it: the same refusals (state, past, hours,
        technician's time, bays, clash), the technician's slot moved with
        it, the confirmation sent again. It keeps its technician (another
        one is chosen in *Reschedule*) and its booked length. Returns the
        WhatsApp link dialog the calendar opens, as after *Reschedule*."""
        self.ensure_one()
        self.check_access("write")
        try:
            start = fields.Datetime.to_datetime(start)
        except (TypeError, ValueError):
            start = None
        if not start:
            raise UserError(
                self.env._(
                    "Move %(booking)s to a date and time.", booking=self.display_name
                )
            )
        if not self.employee_id:
            raise UserError(
                self.env._(
                    "%(booking)s has no technician: use Reschedule to choose one.",
                    booking=self.display_name,
                )
            )
        if self.start and self.stop:
            length = self.stop - self.start
        else:
            length = timedelta(hours=self.service_type_id.duration or 1.0)
        return self._reschedule(self.employee_id, start, start + length)

    @api.model
    def calendar_hours(self):
        """The hours the bookings calendar shows, read once when it opens:
        for each branch of the user, the time zone of its operating
        calendar and the earliest opening and latest closing (decimal
        hours) of its week. Opening hours are public (the booking page
        offers times within them); a branch without a calendar has none."""
        hours = []
        for company in self.env.companies:
            calendar = company._gema_operating_calendar()
            attendances = calendar.attendance_ids.filtered(
                lambda line: not line.display_type
            )
            if attendances:
                hours.append(
                    {
                        "tz": company._gema_tz(),
                        "hour_from": min(attendances.mapped("hour_from")),
                        "hour_to": max(attendances.mapped("hour_to")),
                    }
                )
        return hours

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
