"""BK-4, BK-7: the free-slot search and the nearest alternatives."""

from datetime import date, datetime

from odoo.tests import Form, tagged

from .booking_common import BookingCase, wib

TUESDAY = date(2026, 11, 24)


@tagged("post_install", "-at_install")
class TestBookingSlots(BookingCase):
    def _free(self, day=TUESDAY, employees=None, service=None):
        return self.env["gema.planner"]._free_slots(
            self.branch, service or self.service, day, employees=employees
        )

    def _starts(self, slots, employee):
        return [
            s["start"].strftime("%H:%M")
            for s in slots
            if s["employee_id"] == employee.id
        ]

    def _hold(self, employee, start, stop):
        """Another booking's slot (any record holds a technician)."""
        return self.env["gema.technician.slot"]._hold(
            self.branch, employee, start, stop
        )

    def test_bk4_grid_within_working_calendar(self):
        """BK-4: every half hour from 08:00 to 16:00 WIB (a one-hour service
        must end by 17:00), for each technician, sorted by start."""
        slots = self._free()
        expected = [f"{h:02d}:{m:02d}" for h in range(1, 10) for m in (0, 30)][:-1]
        self.assertEqual(self._starts(slots, self.tech), expected)
        self.assertEqual(self._starts(slots, self.tech2), expected)
        self.assertEqual(
            slots, sorted(slots, key=lambda s: (s["start"], s["employee_id"]))
        )
        self.assertEqual(slots[0]["start"], wib(24, 8))
        self.assertEqual(slots[0]["stop"], wib(24, 9))
        self.assertEqual(set(slots[0]), {"employee_id", "start", "stop"})

    def test_bk4_only_flagged_technicians_by_default(self):
        """BK-4: the advisor (no technician flag) is never proposed."""
        employees = {s["employee_id"] for s in self._free()}
        self.assertEqual(employees, {self.tech.id, self.tech2.id})

    def test_bk4_slot_grid_setting(self):
        """BK-4: a branch with a 60-minute grid offers hourly starts."""
        self.branch.gema_booking_slot_minutes = 60
        starts = self._starts(self._free(), self.tech)
        self.assertEqual(starts[:3], ["01:00", "02:00", "03:00"])
        self.assertEqual(len(starts), 9)

    def test_bk4_existing_slots_are_taken(self):
        """BK-4: a technician held 10:00-11:00 is not proposed for a
        one-hour service from 09:30 to 10:30; the other one is."""
        self._hold(self.tech, wib(24, 10), wib(24, 11))
        mine = self._starts(self._free(), self.tech)
        for taken in ("02:30", "03:00", "03:30"):
            self.assertNotIn(taken, mine)
        self.assertIn("02:00", mine)
        self.assertIn("04:00", mine)
        self.assertIn("03:00", self._starts(self._free(), self.tech2))

    def test_bk4_released_slots_free_the_time(self):
        """BK-4: an archived (released) slot does not hold anybody."""
        slot = self._hold(self.tech, wib(24, 10), wib(24, 11))
        slot.active = False
        self.assertIn("03:00", self._starts(self._free(), self.tech))

    def test_bk4_time_off_of_one_technician(self):
        """BK-4: a technician's afternoon off removes only their afternoon."""
        self.env["resource.calendar.leaves"].create(
            {
                "name": "Dentist",
                "calendar_id": self.calendar.id,
                "resource_id": self.tech.resource_id.id,
                "date_from": wib(24, 13),
                "date_to": wib(24, 17),
                "time_type": "leave",
            }
        )
        mine = self._starts(self._free(), self.tech)
        self.assertEqual(mine[-1], "05:00")  # 12:00 WIB, ends at 13:00
        self.assertEqual(self._starts(self._free(), self.tech2)[-1], "09:00")

    def test_bk4_public_holiday(self):
        """BK-4: a public holiday (a leave of the whole calendar) has no
        free slot at all."""
        self.env["resource.calendar.leaves"].create(
            {
                "name": "Hari Raya",
                "calendar_id": self.calendar.id,
                "date_from": datetime(2026, 11, 23, 17, 0),
                "date_to": datetime(2026, 11, 24, 16, 59),
                "time_type": "leave",
            }
        )
        self.assertEqual(self._free(), [])
        self.assertTrue(self._free(date(2026, 11, 25)))

    def test_bk4_closed_day(self):
        """BK-4: the branch is closed on Sunday."""
        self.assertEqual(self._free(date(2026, 11, 29)), [])

    def test_bk4_never_in_the_past(self):
        """BK-4: today at 10:10 WIB, the first proposal is 10:30; yesterday
        has none."""
        self.startClock(datetime(2026, 11, 23, 3, 10))
        starts = self._starts(self._free(date(2026, 11, 23)), self.tech)
        self.assertEqual(starts[0], "03:30")
        self.assertEqual(self._free(date(2026, 11, 21)), [])

    def test_bk4_service_bays(self):
        """BK-4: with one service bay, a technician busy 10:00-11:00 takes
        the bay: nobody else is proposed then; with no limit they are."""
        self._hold(self.tech, wib(24, 10), wib(24, 11))
        self.branch.gema_service_bays = 1
        other = self._starts(self._free(), self.tech2)
        self.assertNotIn("03:00", other)
        self.assertNotIn("02:30", other)
        self.assertIn("02:00", other)
        self.assertIn("04:00", other)
        self.branch.gema_service_bays = 0
        self.assertIn("03:00", self._starts(self._free(), self.tech2))

    def test_bk4_archived_technician_not_proposed(self):
        """BK-4: an archived technician has no free slot."""
        self.tech2.active = False
        self.assertEqual(
            {s["employee_id"] for s in self._free(employees=self.tech | self.tech2)},
            {self.tech.id},
        )

    def test_bk4_long_service_fits_the_day(self):
        """BK-4: a 3-hour service starts at 14:00 at the latest."""
        long = self.env["gema.service.type"].create({"name": "Overhaul", "duration": 3})
        self.assertEqual(self._starts(self._free(service=long), self.tech)[-1], "07:00")

    def test_bk4_query_count_does_not_grow_per_slot(self):
        """BK-4: one query for the day's slots, calendars computed once per
        calendar: the count is the same for 2 and for 8 technicians, with
        slots held in between."""
        more = self.env["hr.employee"].create(
            [
                {
                    "name": f"Technician {i}",
                    "company_id": self.branch.id,
                    "resource_calendar_id": self.calendar.id,
                    "gema_technician": True,
                }
                for i in range(6)
            ]
        )
        for i, employee in enumerate(more):
            self._hold(employee, wib(24, 8 + i), wib(24, 9 + i))
        self.env.invalidate_all()
        self._free(employees=self.tech | self.tech2)
        self.env.invalidate_all()
        with self.assertQueryCount(__system__=12):
            two = self._free(employees=self.tech | self.tech2)
        self.env.invalidate_all()
        with self.assertQueryCount(__system__=12):
            eight = self._free(employees=self.tech | self.tech2 | more)
        self.assertGreater(len(eight), len(two))

    def test_bk7_nearest_alternatives(self):
        """BK-7: both technicians taken at 10:00 Tuesday; the nearest free
        times come before and after it, nearest first, one per time."""
        self._hold(self.tech, wib(24, 9), wib(24, 12))
        self._hold(self.tech2, wib(24, 9), wib(24, 12))
        nearest = self.env["gema.planner"]._nearest_slots(
            self.branch, self.service, wib(24, 10), limit=4
        )
        self.assertEqual(
            [s["start"] for s in nearest],
            [wib(24, 8), wib(24, 12), wib(24, 12, 30), wib(24, 13)],
        )

    def test_bk7_nearest_next_day_when_day_full(self):
        """BK-7: a fully booked day proposes the nearest times of the days
        around it: for 16:00, the next morning before the day before."""
        self._hold(self.tech, wib(25, 8), wib(25, 17))
        self._hold(self.tech2, wib(25, 8), wib(25, 17))
        nearest = self.env["gema.planner"]._nearest_slots(
            self.branch, self.service, wib(25, 16), limit=3
        )
        self.assertEqual(
            [s["start"] for s in nearest], [wib(26, 8), wib(26, 8, 30), wib(26, 9)]
        )
        nearest = self.env["gema.planner"]._nearest_slots(
            self.branch, self.service, wib(25, 9), limit=1
        )
        self.assertEqual([s["start"] for s in nearest], [wib(24, 16)])

    def test_bk4_bk7_wizard_proposes_and_books_in_one_click(self):
        """BK-4, BK-7, BK-5: the requested time is taken; the wizard lists
        the nearest alternatives first and one click confirms the booking."""
        self._hold(self.tech, wib(24, 9), wib(24, 10))
        self._hold(self.tech2, wib(24, 9), wib(24, 10))
        booking = self._request()
        action = booking.with_user(self.advisor).action_find_slots()
        wizard = self.env["gema.booking.slot.wizard"].browse(action["res_id"])
        self.assertFalse(wizard.requested_free)
        first = wizard.line_ids[0]
        self.assertTrue(first.nearest)
        self.assertIn(first.start, (wib(24, 8), wib(24, 10)))
        result = first.with_user(self.advisor).action_book()
        # The confirmation's WhatsApp link, for the advisor to send.
        self.assertEqual(
            (result["type"], result["res_model"]),
            ("ir.actions.act_window", "gema.message"),
        )
        self.assertEqual(booking.state, "confirmed")
        self.assertEqual(booking.start, first.start)
        self.assertEqual(booking.employee_id, first.employee_id)
        self.assertTrue(booking.slot_id.active)

    def test_bk4_wizard_other_day_and_technician(self):
        """BK-4: searching another day for one technician lists that
        technician's free times of that day."""
        booking = self._request()
        action = booking.with_user(self.advisor).action_find_slots()
        form = Form(
            self.env["gema.booking.slot.wizard"]
            .with_user(self.advisor)
            .browse(action["res_id"])
        )
        form.day = date(2026, 11, 25)
        form.employee_id = self.tech2
        wizard = form.save()
        wizard.action_search()
        self.assertTrue(wizard.line_ids)
        self.assertEqual(wizard.line_ids.employee_id, self.tech2)
        self.assertTrue(all(line.start.day == 25 for line in wizard.line_ids))
