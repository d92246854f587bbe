"""A technician is never double-booked (BK-4, SPEC 6.3).

Sequential cases in one transaction; two transactions at once are in
test_technician_slot_concurrency.py.
"""

from datetime import datetime

import psycopg2.errors

from odoo.exceptions import ValidationError
from odoo.tools import mute_logger

from .common import GemaSopCase


class TestTechnicianSlot(GemaSopCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.activate_indonesian()
        cls.Slot = cls.env["gema.technician.slot"]
        cls.technician = cls.employees["technician"]
        # The technician's own time zone is not the branch's: messages give
        # times in the branch's (``res.company._gema_tz``).
        cls.technician.tz = "UTC"
        cls.other_technician = cls.env["hr.employee"].create(
            {"name": "Budi Santoso", "company_id": cls.branch.id}
        )
        cls.holder = cls.env["res.partner"].create({"name": "Holder Booking"})
        cls.other_holder = cls.env["res.partner"].create({"name": "Other Holder"})
        # 09:00-10:00 Asia/Jakarta on a Monday, in UTC.
        cls.start = datetime(2026, 12, 7, 2, 0)
        cls.stop = datetime(2026, 12, 7, 3, 0)

    def _hold(self, start, stop, technician=None, holder=None):
        return self.Slot._hold(
            holder or self.other_holder, technician or self.technician, start, stop
        )

    def test_bk4_overlap_refused_naming_the_clash(self):
        """BK-4: a second overlapping hold names technician, time and holder,
        in English and Indonesian, and nothing is written."""
        self._hold(self.start, self.stop, holder=self.holder)
        with self.assertRaisesBilingual(
            ValidationError,
            "Employee technician is already booked from",
            "Employee technician sudah dipesan dari",
        ) as run:
            run(
                lambda env: env["gema.technician.slot"]._hold(
                    self.other_holder,
                    self.technician,
                    datetime(2026, 12, 7, 2, 30),
                    datetime(2026, 12, 7, 3, 30),
                )
            )
        with self.assertRaises(ValidationError) as caught:
            self._hold(datetime(2026, 12, 7, 1, 0), datetime(2026, 12, 7, 4, 0))
        # The holder is named and the time is the branch's (09:00, not 02:00 UTC).
        self.assertIn("Holder Booking", str(caught.exception))
        self.assertRegex(str(caught.exception), r"\b0?9[:.]00\b")
        self.assertEqual(
            self.Slot.search_count([("employee_id", "=", self.technician.id)]), 1
        )

    def test_bk4_adjacent_slots_and_other_technicians_are_free(self):
        """BK-4: back-to-back slots and another technician at the same time
        are allowed."""
        self._hold(self.start, self.stop)
        self._hold(self.stop, datetime(2026, 12, 7, 4, 0))
        self._hold(self.start, self.stop, technician=self.other_technician)
        self.assertEqual(self.Slot.search_count([]), 3)

    def test_bk4_released_slot_frees_the_time_and_stays_as_history(self):
        """BK-4: a released (archived) slot no longer holds the technician."""
        slot = self._hold(self.start, self.stop)
        slot.active = False
        again = self._hold(self.start, self.stop)
        self.assertTrue(again.active)
        self.assertEqual(
            self.Slot.with_context(active_test=False).search_count(
                [("employee_id", "=", self.technician.id)]
            ),
            2,
        )
        with self.assertRaises(ValidationError):
            slot.active = True

    def test_bk4_moving_a_slot_onto_another_is_refused(self):
        """BK-4: rescheduling onto a taken time is refused; the slot keeps
        its time."""
        self._hold(self.start, self.stop, holder=self.holder)
        later = self._hold(datetime(2026, 12, 7, 5, 0), datetime(2026, 12, 7, 6, 0))
        with self.assertRaises(ValidationError) as caught:
            later.write({"start": datetime(2026, 12, 7, 2, 30)})
        self.assertIn("Holder Booking", str(caught.exception))
        self.assertEqual(later.start, datetime(2026, 12, 7, 5, 0))
        later.write({"start": datetime(2026, 12, 7, 4, 0)})
        self.assertEqual(later.start, datetime(2026, 12, 7, 4, 0))

    @mute_logger("odoo.sql_db")
    def test_bk4_database_refuses_what_python_did_not_check(self):
        """BK-4: the exclusion constraint holds even for plain SQL."""
        self._hold(self.start, self.stop)
        with (
            self.assertRaises(psycopg2.errors.ExclusionViolation),
            self.env.cr.savepoint(),
        ):
            self.env.cr.execute(
                "INSERT INTO gema_technician_slot (employee_id, start, stop, active) "
                "VALUES (%s, %s, %s, true)",
                [self.technician.id, datetime(2026, 12, 7, 2, 59), self.stop],
            )

    def test_bk4_slot_must_end_after_it_starts(self):
        with self.assertRaisesBilingual(
            ValidationError,
            "must end after it starts",
            "harus berakhir setelah dimulai",
        ) as run:
            run(
                lambda env: env["gema.technician.slot"]._hold(
                    self.holder, self.technician, self.stop, self.start
                )
            )
        self.assertFalse(self.Slot.search_count([]))
