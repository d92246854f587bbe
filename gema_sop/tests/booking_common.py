"""Fixtures of the booking tests: two technicians of the test branch, a
one-hour service, and helpers to make requests and bookings.

Time is frozen on Monday 23 November 2026, 08:00 WIB (01:00 UTC) unless a
test freezes it elsewhere; WIB is UTC+7, so 09:00 WIB is 02:00 UTC.
"""

from datetime import datetime

import freezegun

from .common import SUITE_NOW, GemaSopCase

MONDAY_0800 = SUITE_NOW


def wib(day, hour, minute=0):
    """A WIB time in November 2026 as the naive UTC datetime Odoo stores."""
    return datetime(2026, 11, day, hour - 7, minute)


class BookingCase(GemaSopCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.service = cls.env["gema.service.type"].create(
            {"name": "Periodic service", "duration": 1.0}
        )
        cls.tech = cls.employees["technician"]
        cls.tech.write(
            {"gema_technician": True, "resource_calendar_id": cls.calendar.id}
        )
        cls.tech2 = cls.env["hr.employee"].create(
            {
                "name": "Andi Saputra",
                "company_id": cls.branch.id,
                "resource_calendar_id": cls.calendar.id,
                "gema_technician": True,
            }
        )
        cls.advisor = cls.users["advisor"]

    def setUp(self):
        super().setUp()
        self.startClock(MONDAY_0800)

    def startClock(self, when):
        """Freeze the time at ``when`` (naive UTC) for the rest of the test."""
        self.startPatcher(freezegun.freeze_time(when))

    def _request(self, user=None, **values):
        vals = {
            "customer_name": "Budi Santoso",
            "customer_phone": "0812-3456-7890",
            "license_plate": "bk1234abc",
            "vehicle_type": "Toyota Avanza",
            "service_type_id": self.service.id,
            "complaint": "Rem berdecit",
            "requested_start": wib(24, 9),
            "channel": "whatsapp",
            "company_id": self.branch.id,
        }
        vals.update(values)
        Booking = self.env["gema.booking"].with_user(user or self.advisor)
        return Booking._create_request(vals)

    def _booking(self, employee=None, start=None, user=None, **values):
        """A confirmed booking of ``employee`` at ``start``."""
        booking = self._request(user=user, **values)
        booking.write(
            {
                "employee_id": (employee or self.tech).id,
                "start": start or wib(24, 9),
            }
        )
        booking.action_confirm()
        return booking
