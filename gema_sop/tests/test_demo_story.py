"""The demo data tells one story, whatever the day and hour it is installed.

Each test loads the addon's demo files, in the manifest's order and through
Odoo's own loader (what ``odoo -i gema_sop`` does with demo data), on a
frozen clock, into the test's transaction: on a Sunday night in WIB, when
the branch is closed and the days around are a Saturday and a Monday, and
on a weekday morning before the first bookings. Then it reads what was
made and checks it against the rules the code enforces.
"""

from datetime import datetime, time, timedelta

import freezegun
import pytz

from odoo.modules.module import get_manifest
from odoo.tests import TransactionCase, tagged
from odoo.tools.convert import convert_file

from ..models.gema_service_job_line import CLOSED_JOB_STATES
from ..models.gema_sla_status import OPEN_STATES

# Sunday 27 December 2026, 22:30 WIB: closed, two days after Christmas,
# whose joint holiday is the Thursday before.
SUNDAY_NIGHT = datetime(2026, 12, 27, 15, 30)
# Monday 23 November 2026, 08:30 WIB: open, the last working day a Saturday.
WEEKDAY_MORNING = datetime(2026, 11, 23, 1, 30)
# The job states in which the work is not finished yet.
WORK_STATES = ("reception", "inspection", "waiting_approval", "in_progress")


@tagged("post_install", "-at_install")
class TestDemoStory(TransactionCase):
    def _install_demo(self, moment):
        """Load the demo at ``moment`` (naive UTC) and stay there (the
        checks of the confirm button read the clock)."""
        self.startPatcher(freezegun.freeze_time(moment))
        for path in get_manifest("gema_sop")["demo"]:
            convert_file(
                self.env, "gema_sop", path, {}, mode="init", noupdate=True, kind="demo"
            )
        self.env.flush_all()
        self.branch = self.env.ref("gema_sop.res_company_medan_demo")
        self.tz = pytz.timezone(self.branch._gema_tz())
        self.calendar = self.branch._gema_operating_calendar()
        return moment

    def _local(self, moment):
        return pytz.utc.localize(moment).astimezone(self.tz)

    def _is_working_day(self, day):
        intervals = self.calendar._work_intervals_batch(
            self.tz.localize(datetime.combine(day, time.min)),
            self.tz.localize(datetime.combine(day, time.max)),
        )[False]
        return bool(list(intervals))

    def assertOpeningHours(self, moment, what):
        """``moment`` (naive UTC) is on a working day of the branch (no
        Sunday, no public holiday) within 08:00-17:00 WIB."""
        local = self._local(moment)
        self.assertTrue(self._is_working_day(local.date()), f"{what}: {local}")
        self.assertTrue(time(8) <= local.time() <= time(17), f"{what}: {local}")

    def _check_story(self, now):
        """The invariants of the demo's story at the install moment ``now``."""
        domain = [("company_id", "=", self.branch.id)]
        today = self._local(now).date()

        # BK-5, BK-9: what is past happened on past working days, what is
        # booked is to come; a no-show's booked time has passed.
        bookings = self.env["gema.booking"].search(domain)
        self.assertEqual(
            set(bookings.mapped("state")),
            {"request", "pending", "confirmed", "arrived", "no_show", "cancelled"},
        )
        for booking in bookings:
            for name in ("requested_start", "start", "stop", "confirmed_date"):
                if booking[name]:
                    self.assertOpeningHours(booking[name], f"{booking.name} {name}")
            if booking.confirmed_date:
                self.assertLess(booking.confirmed_date, booking.start)
                self.assertLess(booking.confirmed_date, now)
            if booking.state in ("request", "pending", "confirmed"):
                self.assertGreater(booking.start or booking.requested_start, now)
            if booking.state == "no_show":
                self.assertLess(booking.start, booking.no_show_date)
                self.assertLess(booking.no_show_date, now)
            if booking.state == "arrived":
                self.assertEqual(booking.arrived_date, booking.start)
                self.assertLess(booking.arrived_date, now)
                self.assertEqual(booking.service_job_ids.state_date, booking.start)
        confirmed = bookings.filtered(lambda b: b.state == "confirmed")
        for booking in confirmed:
            # The schedule the confirm button checks (hours, technician,
            # bays) holds for each confirmed booking.
            self.env["gema.planner"]._check_schedule(
                booking.company_id,
                booking.employee_id,
                booking.start,
                booking.stop,
                booking.slot_id,
            )

        # ST-5, ST-8: a job whose work is not finished has a promise to
        # come, or shows its delay; what happened is in the past, in hours.
        jobs = self.env["gema.service.job"].search(domain)
        for job in jobs:
            self.assertLessEqual(job.state_date, now, job.name)
            self.assertOpeningHours(job.state_date, f"{job.name} state_date")
            for name in ("planned_start", "planned_stop", "promised_date"):
                if job[name]:
                    self.assertOpeningHours(job[name], f"{job.name} {name}")
            if job.state in WORK_STATES and job.promised_date:
                self.assertTrue(job.promised_date > now or job.delay_required, job.name)
                self.assertGreaterEqual(job.promised_date, job.planned_stop)
            if job.state == "delivered" and job.planned_stop:
                self.assertLessEqual(job.planned_stop, job.state_date)
            for line in job.line_ids.filtered(
                lambda li: li.approval_state == "proposed"
            ):
                self.assertGreater(line.approval_expires, now, job.name)
        self.assertTrue(
            any(jobs.filtered(lambda j: j.state in WORK_STATES).mapped("promised_date"))
        )

        # FU-1: a follow-up only for a vehicle handed over, which is no
        # longer in the workshop, from its hand-over.
        followups = self.env["gema.followup"].search(domain)
        self.assertTrue(followups)
        in_workshop = jobs.filtered(lambda j: j.state not in CLOSED_JOB_STATES)
        for followup in followups:
            job = followup.service_job_id
            self.assertEqual(job.state, "delivered", followup.name)
            self.assertNotIn(job.vehicle_id, in_workshop.vehicle_id, followup.name)
            self.assertEqual(followup.service_date, job.state_date)
            for name in ("first_attempt_date", "contact_date"):
                if followup[name]:
                    self.assertOpeningHours(followup[name], f"{followup.name} {name}")
                    self.assertGreater(followup[name], followup.service_date)
                    self.assertLess(followup[name], now)
            if followup.next_attempt_date:
                # FU-6: the next working day after the unanswered call.
                self.assertEqual(
                    followup.next_attempt_date,
                    self.calendar._gema_shift_day(
                        self._local(followup.last_attempt_date).date(), 1
                    ),
                )
                self.assertGreaterEqual(followup.next_attempt_date, today)

        # CS: chats answered and closed in the past, in opening hours.
        for chat in self.env["gema.conversation"].search(domain):
            self.assertLessEqual(chat.received_date, now)
            for name in ("first_response_date", "closed_date"):
                if chat[name]:
                    self.assertOpeningHours(chat[name], f"{chat.name} {name}")
                    self.assertLessEqual(chat.received_date, chat[name])
                    self.assertLess(chat[name], now)

        for violation in self.env["gema.violation"].search(domain):
            self.assertLess(violation.date, today)
            self.assertTrue(self._is_working_day(violation.date), violation.date)

        # G-4: no time standard is breached by the story, none is already
        # overdue (the first scheduled run escalates nothing), and none runs
        # on a record in a state that cancels it.
        lines = self.env["gema.sla.status"].search(
            [("company_id", "=", self.branch.id)]
        )
        self.assertTrue(lines)
        for line in lines:
            record = self.env[line.res_model].browse(line.res_id)
            what = f"{line.policy_id.code} {record.display_name}"
            self.assertNotIn(line.state, ("breached", "late"), what)
            if line.state in OPEN_STATES:
                self.assertGreater(line.deadline, now, what)
                if "state" in record._fields:
                    self.assertNotIn(
                        record.state, line.policy_id._states("cancel"), what
                    )
            self.assertNotEqual(record.gema_sla_result, "breached", what)

        # No record contradicts a constraint of its model.
        for records in (bookings, jobs, followups, jobs.line_ids):
            records._validate_fields(records._fields)

    def test_demo_installed_on_a_sunday_night(self):
        """BK-9, ST-5, FU-1, G-4: installed on Sunday 22:30 WIB after
        Christmas, the demo's past is on the working days before (not the
        holidays), its bookings and promises are to come, its no-show is
        past, its follow-ups are for delivered cars only."""
        self._check_story(self._install_demo(SUNDAY_NIGHT))
        no_show = self.env.ref("gema_sop.gema_booking_no_show_demo")
        self.assertEqual(
            self._local(no_show.start).date(), datetime(2026, 12, 26).date()
        )
        # Two working days back: Christmas (Friday) and its joint holiday
        # (Thursday) are skipped.
        delivered = self.env.ref("gema_sop.gema_service_job_delivered_demo")
        self.assertEqual(
            self._local(delivered.planned_start).date(), datetime(2026, 12, 23).date()
        )

    def test_demo_installed_on_a_weekday_morning(self):
        """BK-9, ST-5, FU-1, G-4: installed on Monday 08:30 WIB, the same
        story, the previous working day being Saturday."""
        self._check_story(self._install_demo(WEEKDAY_MORNING))
        confirmed = self.env.ref("gema_sop.gema_booking_confirmed_demo")
        self.assertEqual(
            self._local(confirmed.start),
            self.tz.localize(datetime(2026, 11, 24, 13, 0)),
        )
        self.assertEqual(
            self._local(
                self.env.ref("gema_sop.gema_booking_no_show_demo").start
            ).date(),
            (self._local(WEEKDAY_MORNING) - timedelta(days=2)).date(),
        )
