import bisect
from datetime import datetime, time, timedelta

import holidays
import pytz

from odoo import api, fields, models
from odoo.exceptions import AccessError

# The working time read at once for a batch of deadlines: beyond it, a
# deadline is planned by Odoo's plan_hours (which reads 14 days at a time).
PLAN_SPAN = timedelta(days=28)


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

    def _gema_plan_hours_many(self, requests):
        """``plan_hours(hours, start, compute_leaves=True)`` of each
        ``(start, hours)`` of ``requests`` (naive UTC, hours >= 0), as a list
        of naive UTC datetimes, from one read of the calendar's working
        intervals and leaves for the span of the batch (``plan_hours`` reads
        them again for each deadline). A request that needs more working
        time than that span holds is planned by ``plan_hours`` itself."""
        self.ensure_one()
        if not requests:
            return []
        low = min(start for start, _hours in requests)
        high = max(start for start, _hours in requests) + PLAN_SPAN
        intervals = [
            (_naive_utc(begin), _naive_utc(stop))
            for begin, stop, _meta in self._work_intervals_batch(
                pytz.utc.localize(low), pytz.utc.localize(high)
            )[False]
        ]
        stops = [stop for _start, stop in intervals]
        planned = []
        for start, hours in requests:
            planned.append(self._gema_walk_hours(intervals, stops, start, hours))
            if planned[-1] is None:
                planned[-1] = self.plan_hours(hours, start, compute_leaves=True)
        return planned

    @api.model
    def _gema_walk_hours(self, intervals, stops, start, hours):
        """``start`` plus ``hours`` of the working ``intervals`` (sorted
        naive UTC ``(start, stop)``; ``stops`` their ends), as
        ``plan_hours`` counts: the first interval ending after ``start``
        (cut at ``start``) onwards, an amount that fills an interval
        exactly ending at its end. None when the intervals run out."""
        for index in range(bisect.bisect_right(stops, start), len(intervals)):
            begin, stop = intervals[index]
            begin = max(begin, start)
            available = (stop - begin).total_seconds() / 3600
            if hours <= available:
                return begin + timedelta(hours=hours)
            hours -= available
        return None

    def action_gema_import_holidays(self):
        """G-4 (server action): Indonesia's public holidays and collective
        leave (cuti bersama) of this year and the next, as leaves of each
        calendar, so that no time standard counts them."""
        if not self.env.user.has_group("gema_sop.group_sop_admin"):
            raise AccessError(
                self.env._("Only an SOP administrator imports public holidays.")
            )
        year = datetime.now(pytz.timezone(self[:1].tz or "Asia/Jakarta")).year
        leaves = self._gema_import_holidays([year, year + 1])
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "message": self.env._(
                    "%(count)s public holidays imported.", count=len(leaves)
                ),
                "next": {"type": "ir.actions.act_window_close"},
            },
        }

    def _gema_import_holidays(self, years):
        """Create a global leave (no resource) for each Indonesian public
        holiday and collective leave day of ``years`` in each calendar, from
        00:00 to 24:00 in the calendar's time zone. A day already covered by
        a global leave of the calendar is skipped, whatever its name or
        hours: importing again creates nothing, and a leave the user edited
        stays as it is. Returns the created leaves."""
        language = "id" if (self.env.lang or "").startswith("id") else "en_US"
        days = holidays.Indonesia(
            years=years,
            categories=holidays.Indonesia.supported_categories,
            language=language,
        )
        # sudo: Odoo lets only Access Rights administrators write global
        # leaves; the callers check the SOP administrator role
        # (action_gema_import_holidays).
        Leave = self.env["resource.calendar.leaves"].sudo()
        vals_list = []
        for calendar in self:
            tz = pytz.timezone(calendar.tz or "Asia/Jakarta")
            periods = {
                day: tuple(
                    tz.localize(datetime.combine(moment, time.min))
                    .astimezone(pytz.utc)
                    .replace(tzinfo=None)
                    for moment in (day, day + timedelta(days=1))
                )
                for day in days
            }
            existing = Leave.search(
                [
                    ("calendar_id", "=", calendar.id),
                    ("resource_id", "=", False),
                    ("date_from", "<", max(stop for _start, stop in periods.values())),
                    ("date_to", ">", min(start for start, _stop in periods.values())),
                ]
            )
            for day, (start, stop) in sorted(periods.items()):
                if any(
                    leave.date_from < stop and leave.date_to > start
                    for leave in existing
                ):
                    continue
                vals_list.append(
                    {
                        "name": days[day],
                        "calendar_id": calendar.id,
                        "company_id": calendar.company_id.id,
                        "resource_id": False,
                        "date_from": fields.Datetime.to_string(start),
                        "date_to": fields.Datetime.to_string(stop),
                        "time_type": "leave",
                    }
                )
        return Leave.create(vals_list)


def _naive_utc(moment):
    return moment.astimezone(pytz.utc).replace(tzinfo=None)
