from datetime import datetime, time, timedelta

import pytz

from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import format_datetime

# Days the public page's "next free days" read at once (``_free_days``).
FREE_DAYS_WINDOW = 21


class GemaPlanner(models.AbstractModel):
    """When a technician can take a service, and holding them (BK-4, BK-5,
    BK-7, ST): the one planner of bookings, service jobs, the public
    booking page, the free-slot wizard and the benchmark.

    An abstract model (no table) of its own, because its answers combine
    what three models own: the branch (operating calendar, slot grid,
    service bays: ``res.company``), each technician (working calendar and
    time off: ``hr.employee``, ``resource.calendar``) and the times already
    held (``gema.technician.slot``), for two SOP models. On the calendar,
    as OCA ``resource_booking`` keeps its intervals, it would see one
    calendar at a time where one search reads the branch's and every
    technician's; on the booking, the job and the public page would borrow
    it from there. So each of those keeps what is its own: the calendar its
    working days (``resource.calendar._gema_shift_day``), the slot the
    guarantee (the exclusion constraint, ``_hold``) and the one-query
    read of held times (``_overlapping``); this model asks them.

    Methods take the branch, the technicians (``hr.employee``), times (naive
    UTC as stored; aware datetimes for calendar intervals) and the service
    type; they return intervals or free slots, or raise a ValidationError
    that names the problem.
    """

    _name = "gema.planner"
    _description = "Technician Planner"

    # Schedule checks (BK-5) --------------------------------------------------

    @api.model
    def _check_schedule(self, company, employee, start, stop, slot=None):
        """Refuse a schedule the branch or the technician cannot keep: an
        archived technician, a time in the past, outside operating hours,
        outside the technician's working time or longer than their
        remaining day, or no free service bay (``slot``, the schedule's own
        hold, not counted). Double-booking is refused by the slot itself."""
        # sudo: archived state and working calendar are HR data.
        employee = employee.sudo().with_context(active_test=False)
        if not employee.active:
            raise ValidationError(
                self.env._(
                    "%(technician)s is archived and cannot be booked.",
                    technician=employee.name,
                )
            )
        if start < fields.Datetime.now():
            raise ValidationError(
                self.env._(
                    "%(when)s is in the past. Choose a later time.",
                    when=self._when(company, start),
                )
            )
        self._check_hours(company, employee, start, stop)
        self._check_bays(company, employee, start, stop, slot)

    @api.model
    def _check_hours(self, company, employee, start, stop):
        """Refuse a start outside the branch's operating hours or the
        technician's working time (time off and leaves removed), and an end
        past that working interval."""
        tz = pytz.timezone(company._gema_tz())
        begin, end = pytz.utc.localize(start), pytz.utc.localize(stop)
        day_start = tz.localize(datetime.combine(begin.astimezone(tz).date(), time.min))
        day_end = day_start + timedelta(days=1)
        branch = self._branch_intervals(company, day_start, day_end)
        if not _containing(branch, begin, begin):
            raise ValidationError(
                self.env._(
                    "%(when)s is outside the operating hours of %(branch)s.",
                    when=self._when(company, start),
                    branch=company.name,
                )
            )
        mine = self._work_intervals(company, employee, day_start, day_end)
        interval = _containing(mine[employee.id], begin, begin)
        if not interval:
            raise ValidationError(
                self.env._(
                    "%(technician)s does not work at %(when)s (time off or "
                    "outside their working hours).",
                    technician=employee.name,
                    when=self._when(company, start),
                )
            )
        if end > interval[1]:
            raise ValidationError(
                self.env._(
                    "The service takes longer than %(technician)s's remaining "
                    "working day: it would end at %(stop)s, their day ends at "
                    "%(end)s.",
                    technician=employee.name,
                    stop=end.astimezone(tz).strftime("%H:%M"),
                    end=interval[1].astimezone(tz).strftime("%H:%M"),
                )
            )

    @api.model
    def _check_bays(self, company, employee, start, stop, slot=None):
        """Refuse a time at which every service bay of the branch is taken
        by other slots than ``slot``."""
        bays = company.gema_service_bays
        if not bays:
            return
        busy = self._busy_slots(company, employee, start, stop)
        others = [s for s in busy if not slot or s["id"] != slot.id]
        if _max_overlap(others, start, stop) >= bays:
            raise ValidationError(
                self.env._(
                    "All %(bays)s service bays of %(branch)s are taken at %(when)s.",
                    bays=bays,
                    branch=company.name,
                    when=self._when(company, start),
                )
            )

    @api.model
    def _check_free(self, company, service_type, start):
        """Refuse ``start`` (UTC) unless a technician of the branch is free
        then for the whole service: a time the public page offered may have
        been taken since."""
        tz = pytz.timezone(company._gema_tz())
        day = pytz.utc.localize(start).astimezone(tz).date()
        free = self._free_slots(company, service_type, day)
        if not any(slot["start"] == start for slot in free):
            raise ValidationError(
                self.env._("This time is no longer free. Please choose another time.")
            )

    @api.model
    def _when(self, company, moment):
        """``moment`` (UTC) in the branch's time zone, for people."""
        return format_datetime(
            self.env, moment, tz=company._gema_tz(), dt_format="short"
        )

    # Intervals ---------------------------------------------------------------

    @api.model
    def _branch_intervals(self, company, start_dt, end_dt):
        """The branch's opening hours (leaves such as public holidays
        removed) between two aware datetimes; None without a calendar."""
        calendar = company._gema_operating_calendar()
        if not calendar:
            return None
        return calendar._work_intervals_batch(start_dt, end_dt)[False]

    @api.model
    def _work_intervals(self, company, employees, start_dt, end_dt):
        """{employee id: intervals} when each technician can work: their
        working calendar with their time off and the calendar's leaves
        (public holidays, collective leave), within the branch's opening
        hours. One calendar computation per distinct calendar."""
        branch = self._branch_intervals(company, start_dt, end_dt)
        calendar_of = {}
        # sudo: working calendars are private employee data (HR rights);
        # only the resulting free intervals are used.
        for employee in employees.sudo():
            calendar = (
                employee.resource_calendar_id or company._gema_operating_calendar()
            )
            calendar_of.setdefault(calendar, employee.browse())
            calendar_of[calendar] |= employee
        result = {}
        for calendar, members in calendar_of.items():
            resources = members.resource_id
            intervals = calendar._work_intervals_batch(
                start_dt, end_dt, resources=resources
            )
            for employee in members:
                own = intervals[employee.resource_id.id]
                result[employee.id] = own & branch if branch is not None else own
        return result

    @api.model
    def _busy_slots(self, company, employees, start, stop):
        """The active slots between ``start`` and ``stop`` (UTC) of
        ``employees`` and of every technician of ``company`` (for the bay
        count), read with one query.

        sudo: only the times are used; the public booking page must see
        which times are taken without seeing whose bookings they are.
        """
        rows = (
            self.env["gema.technician.slot"]
            .sudo()
            ._overlapping(start, stop, employees, company)
        )
        keys = ("id", "employee_id", "start", "stop", "company_id")
        return [dict(zip(keys, row, strict=True)) for row in rows]

    # Free slots (BK-4, BK-7) -------------------------------------------------

    @api.model
    def _technicians(self, company):
        """The branch's technicians (sudo: the public booking page needs
        them to list free times; only their ids and calendars are used)."""
        return (
            self.env["hr.employee"]
            .sudo()
            .search([("company_id", "=", company.id), ("gema_technician", "=", True)])
        )

    @api.model
    def _free_slots(self, company, service_type, day, employees=None):
        """Every start time on the branch's slot grid at which a technician
        is free for the whole service (BK-4): within their working calendar
        and time off, the branch's hours and bays, not overlapping an active
        slot, not in the past. ``day`` is a branch-local date; returns dicts
        ``{"employee_id", "start", "stop"}`` (UTC naive) sorted by start.
        """
        return self._free_slots_between(
            company, service_type, day, day + timedelta(days=1), employees
        )

    @api.model
    def _free_days(self, company, service_type, first_day, count, last_day):
        """BK-1, BK-4, G-4: ``{day: free slots}`` of the first ``count``
        branch-local days from ``first_day`` to ``last_day`` (included) that
        have a free time; Sundays, public holidays and full days are not
        among them. For the public booking page's "next free days": read
        window by window (``FREE_DAYS_WINDOW`` days), each window with one
        calendar computation per calendar and one query of held times,
        never day by day."""
        tz = pytz.timezone(company._gema_tz())
        found = {}
        start = first_day
        while len(found) < count and start <= last_day:
            stop = min(
                start + timedelta(days=FREE_DAYS_WINDOW), last_day + timedelta(days=1)
            )
            for slot in self._free_slots_between(company, service_type, start, stop):
                day = pytz.utc.localize(slot["start"]).astimezone(tz).date()
                if day in found or len(found) < count:
                    found.setdefault(day, []).append(slot)
            start = stop
        return found

    @api.model
    def _free_slots_between(
        self, company, service_type, first_day, stop_day, employees=None
    ):
        """The free slots (see ``_free_slots``) of the branch-local days
        from ``first_day`` up to ``stop_day`` (excluded), computed at once:
        one calendar computation per distinct calendar and one query of
        held times, whatever the number of days."""
        if employees is None:
            employees = self._technicians(company)
        employees = employees.filtered("active")
        if not employees or not service_type:
            return []
        tz = pytz.timezone(company._gema_tz())
        range_start = tz.localize(datetime.combine(first_day, time.min))
        range_end = tz.localize(datetime.combine(stop_day, time.min))
        now = pytz.utc.localize(fields.Datetime.now())
        if range_end <= now:
            return []
        intervals = self._work_intervals(company, employees, range_start, range_end)
        busy = self._busy_slots(
            company, employees, _naive(range_start), _naive(range_end)
        )
        busy_of = {}
        for slot in busy:
            busy_of.setdefault(slot["employee_id"], []).append(slot)
        bay_slots = [s for s in busy if s["company_id"] == company.id]
        bays = company.gema_service_bays
        step = timedelta(minutes=company.gema_booking_slot_minutes or 30)
        duration = timedelta(hours=service_type.duration)
        free = []
        for employee in employees:
            mine = busy_of.get(employee.id, [])
            for begin, end, _meta in intervals.get(employee.id, []):
                # The slot grid starts at midnight of the interval's day.
                midnight = tz.localize(
                    datetime.combine(begin.astimezone(tz).date(), time.min)
                )
                steps = -(-(begin - midnight) // step)
                local = tz.normalize(midnight + steps * step)
                while local + duration <= end:
                    start, stop = _naive(local), _naive(local + duration)
                    if (
                        local >= now
                        and not any(
                            s["start"] < stop and s["stop"] > start for s in mine
                        )
                        and (not bays or _max_overlap(bay_slots, start, stop) < bays)
                    ):
                        free.append(
                            {"employee_id": employee.id, "start": start, "stop": stop}
                        )
                    local = tz.normalize(local + step)
        free.sort(key=lambda s: (s["start"], s["employee_id"]))
        return free

    @api.model
    def _nearest_slots(self, company, service_type, requested_start, limit=5):
        """BK-7: the free times nearest to ``requested_start`` (UTC), before
        or after it, one technician per time, looking up to two weeks
        either way."""
        tz = pytz.timezone(company._gema_tz())
        day = pytz.utc.localize(requested_start).astimezone(tz).date()
        today = datetime.now(tz).date()
        found = {}
        enough_at = None
        for distance in range(15):
            days = {day + timedelta(days=distance), day - timedelta(days=distance)}
            for current in sorted(d for d in days if d >= today):
                for slot in self._free_slots(company, service_type, current):
                    found.setdefault(slot["start"], slot)
            if enough_at is None and len(found) >= limit:
                enough_at = distance
            elif enough_at is not None:
                # One more day each way: its early or late times may still
                # be nearer than the farthest found so far.
                break
        nearest = sorted(
            found.values(),
            key=lambda s: (abs(s["start"] - requested_start), s["start"]),
        )
        return nearest[:limit]

    # Holding technicians (BK-4, ST) ------------------------------------------

    @api.model
    def _hold(self, record, held, employees, start, stop):
        """Make ``record`` (a booking or a job) hold exactly ``employees``
        from ``start`` to ``stop`` (UTC). Of its active slots ``held``, the
        slot of a technician who stays moves to the new time, the others are
        released (archived: the history); each technician not held yet gets
        a slot. No ``employees``: everything is released. Returns the active
        slots. Every hold goes through ``gema.technician.slot``, whose
        exclusion constraint is the guarantee; the caller's rights write."""
        released = held.filtered(lambda slot: slot.employee_id not in employees)
        released.active = False
        kept = held - released
        for slot in kept:
            if (slot.start, slot.stop) != (start, stop):
                slot.write({"start": start, "stop": stop})
        Slot = self.env["gema.technician.slot"]
        for employee in employees - kept.employee_id:
            kept |= Slot._hold(record, employee, start, stop)
        return kept


def _naive(dt):
    return dt.astimezone(pytz.utc).replace(tzinfo=None)


def _containing(intervals, start, stop):
    """The interval (start, stop, meta) that holds [start, stop], or None."""
    if intervals is None:
        return (start, stop, None)
    for interval in intervals:
        if interval[0] <= start and stop <= interval[1] and start < interval[1]:
            return interval
    return None


def _max_overlap(slots, start, stop):
    """The most slots running at one moment within [start, stop)."""
    events = []
    for slot in slots:
        if slot["start"] < stop and slot["stop"] > start:
            events.append((max(slot["start"], start), 1))
            events.append((min(slot["stop"], stop), -1))
    events.sort()
    running = peak = 0
    for _moment, delta in events:
        running += delta
        peak = max(peak, running)
    return peak
