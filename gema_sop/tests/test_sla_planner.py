"""The SLA engine plans a batch of deadlines from one reading of the
branch calendar (G-4): the results are Odoo's ``plan_hours`` results, on
hundreds of generated cases around the edges a calendar has (opening and
closing times, the lunch break, Sundays, public holidays, half-day leaves,
time zones from UTC to WITA), and the queries do not grow with the batch.
"""

import random
from datetime import datetime, timedelta

import pytz

from odoo import Command
from odoo.tests import tagged

from .common import SUITE_NOW, GemaSopCase

# Hours asked for: zero, a quarter, a morning, exactly a day's hours, more
# than a day, a working week and more; plus random amounts.
HOURS = [0, 0.25, 1, 3.5, 4, 8, 9, 16, 24, 40, 60]


def _calendar(env, name, tz, days, periods, leaves):
    """A calendar of ``periods`` ((from, to) hours) on ``days`` (0 =
    Monday) in ``tz``, with global leaves ``leaves`` ((start, stop) naive
    UTC)."""
    calendar = env["resource.calendar"].create(
        {
            "name": name,
            "tz": tz,
            "attendance_ids": [Command.clear()]
            + [
                Command.create(
                    {
                        "name": f"{day} {hour_from}",
                        "dayofweek": str(day),
                        "hour_from": hour_from,
                        "hour_to": hour_to,
                        "day_period": "morning" if hour_from < 12 else "afternoon",
                    }
                )
                for day in days
                for hour_from, hour_to in periods
            ],
        }
    )
    env["resource.calendar.leaves"].create(
        [
            {
                "name": f"Leave {index}",
                "calendar_id": calendar.id,
                "date_from": start,
                "date_to": stop,
                "time_type": "leave",
            }
            for index, (start, stop) in enumerate(leaves)
        ]
    )
    return calendar


@tagged("post_install", "-at_install")
class TestSlaPlanner(GemaSopCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        day = SUITE_NOW.replace(hour=0)  # Monday 23 November 2026, 00:00 UTC
        cls.calendars = [
            # A workshop in Medan: Monday to Saturday with a lunch break,
            # a public holiday (Wednesday, WIB) and a half-day leave.
            _calendar(
                cls.env,
                "Medan",
                "Asia/Jakarta",
                range(6),
                [(8, 12), (13, 17)],
                [
                    (
                        day + timedelta(days=2, hours=-7),
                        day + timedelta(days=3, hours=-7),
                    ),
                    (
                        day + timedelta(days=8, hours=6),
                        day + timedelta(days=8, hours=10),
                    ),
                ],
            ),
            # Makassar (UTC+8), Monday to Friday without a break; a leave
            # from Friday noon to Monday noon.
            _calendar(
                cls.env,
                "Makassar",
                "Asia/Makassar",
                range(5),
                [(7.5, 16)],
                [(day + timedelta(days=4, hours=4), day + timedelta(days=7, hours=4))],
            ),
            # A late desk in UTC: Tuesday, Thursday and Sunday nights around
            # midnight, with a leave across one midnight.
            _calendar(
                cls.env,
                "Late desk",
                "UTC",
                (1, 3, 6),
                [(0, 3), (21, 24)],
                [(day + timedelta(days=3, hours=23), day + timedelta(days=4, hours=2))],
            ),
        ]

    def _cases(self, calendar, count, seed):
        """``count`` (start, hours) pairs: the calendar's edges (each
        attendance's opening and closing over three weeks, each leave's
        bounds) and random minutes over those weeks, with the hours of
        HOURS or random ones."""
        rng = random.Random(seed)
        tz = pytz.timezone(calendar.tz)
        monday = datetime(2026, 11, 23)
        edges = [
            moment
            for leave in calendar.leave_ids.filtered(
                lambda leave: not leave.resource_id
            )
            for moment in (leave.date_from, leave.date_to)
        ]
        for attendance in calendar.attendance_ids:
            for week in range(3):
                day = monday + timedelta(days=int(attendance.dayofweek) + 7 * week)
                for hour in (attendance.hour_from, attendance.hour_to):
                    local = tz.localize(day + timedelta(hours=hour))
                    edges.append(local.astimezone(pytz.utc).replace(tzinfo=None))
        cases = []
        for _index in range(count):
            if rng.random() < 0.4:
                start = rng.choice(edges)
            else:
                start = monday + timedelta(minutes=rng.randrange(0, 21 * 24 * 60))
            hours = rng.choice(HOURS) if rng.random() < 0.7 else rng.uniform(0, 50)
            cases.append((start, hours))
        return cases

    def test_g4_batch_deadlines_are_plan_hours_deadlines(self):
        """G-4: 600 generated clocks (200 per calendar) planned in one batch
        per calendar end where Odoo's ``plan_hours`` (with the leaves) ends
        each of them alone, to the microsecond."""
        for seed, calendar in enumerate(self.calendars):
            cases = self._cases(calendar, 200, seed)
            batch = calendar._gema_plan_hours_many(cases)
            for (start, hours), planned in zip(cases, batch, strict=True):
                with self.subTest(calendar=calendar.name, start=start, hours=hours):
                    self.assertEqual(
                        planned, calendar.plan_hours(hours, start, compute_leaves=True)
                    )

    def test_g4_closing_time_sunday_and_holiday(self):
        """G-4: the named edges of the Medan branch: 4 hours from closing
        time (17:00 WIB) end at 12:00 the next working day; from Saturday's
        closing, Sunday is skipped; a clock started on the Wednesday
        holiday begins on Thursday; a whole day's hours from 08:00 end at
        17:00 the same day, not the next morning."""
        medan = self.calendars[0]

        def wib(day, hour):
            return datetime(2026, 11, day, hour) - timedelta(hours=7)

        cases = [
            (wib(23, 17), 4, wib(24, 12)),
            (wib(28, 17), 4, wib(30, 12)),
            (wib(25, 10), 1, wib(26, 9)),
            (wib(24, 8), 8, wib(24, 17)),
            (wib(24, 11), 2, wib(24, 14)),
        ]
        planned = medan._gema_plan_hours_many(
            [(start, hours) for start, hours, _end in cases]
        )
        self.assertEqual(planned, [end for _start, _hours, end in cases])

    def test_g4_a_batch_reads_the_calendar_once(self):
        """G-4 / scale: 200 clocks with different starts cost the queries of
        2: the calendar's working time and leaves are read once."""
        medan = self.calendars[0]
        counts = []
        for size in (2, 2, 200):
            cases = self._cases(medan, size, 7)
            # A request beyond the span read is planned by plan_hours.
            cases = [(start, min(hours, 40)) for start, hours in cases]
            medan.invalidate_recordset()
            self.env["resource.calendar.attendance"].invalidate_model()
            self.env["resource.calendar.leaves"].invalidate_model()
            before = self.env.cr.sql_log_count
            medan._gema_plan_hours_many(cases)
            counts.append(self.env.cr.sql_log_count - before)
        self.assertEqual(counts[2], counts[1], counts)
