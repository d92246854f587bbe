from datetime import datetime, time, timedelta

import pytz

from odoo import models


class ResourceCalendar(models.Model):
    """Working days of a branch's calendar, for the SOPs' day-based dates.

    H-1 and H+2 deadlines (SLA policies), the day the booking's H-1
    reminder is due and the day a follow-up call moves to all count days
    here, so that they agree on which days are working days.
    """

    _inherit = "resource.calendar"

    def _gema_shift_day(self, day, offset):
        """``day`` moved by ``offset`` working days of this calendar: days
        without working time in its time zone (Sundays, public holidays and
        collective leave) are skipped. Without a calendar (an empty
        recordset), or when no working day is within reach, by plain days."""
        if not self or not offset:
            return day + timedelta(days=offset)
        self.ensure_one()
        step = 1 if offset > 0 else -1
        tz = pytz.timezone(self.tz)
        first = day + timedelta(days=step)
        last = day + timedelta(days=step * (abs(offset) * 7 + 14))
        low, high = min(first, last), max(first, last)
        intervals = self._work_intervals_batch(
            tz.localize(datetime.combine(low, time.min)),
            tz.localize(datetime.combine(high, time.max)),
        )[False]
        working = sorted(
            {start.date() for start, _stop, _meta in intervals}, reverse=step < 0
        )
        if len(working) < abs(offset):
            return day + timedelta(days=offset)
        return working[abs(offset) - 1]
