import logging
from datetime import datetime, timedelta

import pytz
from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError

_logger = logging.getLogger(__name__)


class GemaBookingReminder(models.AbstractModel):
    """The H-1 reminder of a booking (BK-6), inherited by ``gema.booking``:
    due on the last working day before the booked day, planned once per
    booking and day (a purpose key), sent by the staff member's button or
    by the scheduled action for a whole batch, with the advisor's activity
    when the gateway cannot send it."""

    _name = "gema.booking.reminder"
    _description = "Booking H-1 Reminder"

    def action_send_reminder(self):
        """BK-6: send the H-1 reminder through the gateway, or open it for
        the staff member (WhatsApp link). The booking counts as reminded
        when the reminder has left (``_on_message_sent``); asking again
        meanwhile returns the same reminder, not a second one."""
        wrong = self.filtered(lambda b: b.state != "confirmed")
        if wrong:
            raise UserError(
                self.env._(
                    "Reminders are sent for confirmed bookings only: %(bookings)s",
                    bookings=", ".join(wrong.mapped("display_name")),
                )
            )
        messages = self.env["gema.message"]
        for booking in self:
            messages |= booking._send_reminder(booking._channel())
        return self._open_link(messages)

    def _reminder_values(self):
        """BK-6: a reminder is due when the booking is after tomorrow; for
        today or tomorrow, the confirmation is the reminder."""
        self.ensure_one()
        tz = pytz.timezone(self.tz)
        today = datetime.now(tz).date()
        day = pytz.utc.localize(self.start).astimezone(tz).date()
        return {"reminder_due": day > today + timedelta(days=1)}

    @api.model
    def _cron_remind(self):
        """BK-6, H-1 morning: remind the customers of the next working day.

        Each reminder is planned once per booking and booked day (its
        purpose key, unique in the database), also when two workers or a
        rerun plan it: queued for the gateway when the branch has it,
        otherwise prepared as a WhatsApp link with an activity for the
        service advisor. A reminder that failed or was cancelled is not
        planned again by the job (the advisor sends it). Returns the
        bookings whose reminder this run planned."""
        now = fields.Datetime.now()
        candidates = self.search(
            [
                ("state", "=", "confirmed"),
                ("reminder_sent_date", "=", False),
                ("start", ">", now),
                ("start", "<", now + timedelta(days=8)),
            ]
        )
        days = {}
        due = candidates.filtered(lambda b: b._reminder_day_reached(days))
        keys = due._reminder_keys()
        # sudo: the purpose keys are the system's; only which exist is read.
        taken = {
            message["dedupe_key"]
            for message in self.env["gema.message"]
            .sudo()
            .search_read([("dedupe_key", "in", list(keys.values()))], ["dedupe_key"])
        }
        todo = due.filtered(lambda booking: keys[booking.id] not in taken)
        template = self.env.ref("gema_sop.mail_template_booking_reminder")
        planned = activities = self.browse()
        for channel, bookings in todo.grouped(lambda b: b._channel()).items():
            sent, errors = self.env["gema.message"]._gema_send_many(
                bookings,
                template,
                channel,
                once_keys={booking.id: keys[booking.id] for booking in bookings},
            )
            for booking in bookings:
                message = sent.get(booking.id)
                if booking.id in errors:
                    # e.g. an unusable number: the SA gets the activity, no link.
                    _logger.warning(
                        "Reminder of %s not planned: %s",
                        booking.name,
                        errors[booking.id],
                    )
                elif not message:
                    continue  # another worker is planning it right now
                if not message or message.channel == "whatsapp_link":
                    activities |= booking
                planned |= booking
        activities._plan_reminder_activity()
        return planned

    def _reminder_keys(self):
        """{booking id: the purpose of its reminder}: one per booked day."""
        template = self.env.ref("gema_sop.mail_template_booking_reminder")
        return {
            booking.id: self.env["gema.message"]._once_key(
                booking,
                template,
                pytz.utc.localize(booking.start)
                .astimezone(pytz.timezone(booking.tz))
                .date(),
            )
            for booking in self
        }

    def _send_reminder(self, channel):
        """The reminder of this booking, planned once for its day."""
        self.ensure_one()
        return self._send_message(
            "gema_sop.mail_template_booking_reminder",
            channel,
            once_key=self._reminder_keys()[self.id],
        )

    def _reminder_day_reached(self, cache=None):
        """True from the branch's last working day before the booking day.
        ``cache`` keeps that day per calendar and day across a batch."""
        self.ensure_one()
        cache = {} if cache is None else cache
        calendar = self.company_id._gema_operating_calendar()
        tz = pytz.timezone(self.tz)
        today = datetime.now(tz).date()
        day = pytz.utc.localize(self.start).astimezone(tz).date()
        if (calendar.id, day) not in cache:
            cache[calendar.id, day] = calendar._gema_shift_day(day, -1)
        return today >= cache[calendar.id, day]

    def _plan_reminder_activity(self):
        """The SA's activity to send the reminder by WhatsApp link, for each
        booking that has none yet; Send Reminder on the booking opens it
        ready (the link itself is not in the note: a message sent from the
        note would not be logged)."""
        reminder_type = self.env.ref("gema_sop.mail_activity_type_booking_reminder")
        todo = self.filtered(
            lambda booking: not booking.activity_ids.filtered(
                lambda a: a.activity_type_id == reminder_type
            )
        )
        note = Markup("<p>%s</p>") % self.env._(
            "Press Send Reminder on the booking: WhatsApp opens with the H-1 "
            "reminder ready. Send it there, then mark it sent."
        )
        # One create per service advisor, for all their bookings, and no
        # assignment email per activity (an advisor with 30 bookings due
        # would get 30): the activities show in their activity menu at once,
        # as the SLA escalations do.
        for user, bookings in todo.grouped(
            lambda booking: booking.user_id or self.env.user
        ).items():
            bookings.with_context(mail_activity_quick_update=True).activity_schedule(
                "gema_sop.mail_activity_type_booking_reminder",
                user_id=user.id,
                note=note,
            )
