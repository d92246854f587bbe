"""Fixtures of the public booking page tests: a bookable branch with a
technician and a one-hour service, a working day two days ahead, and
helpers that read the page and post its form over real HTTP."""

import re
from datetime import datetime, timedelta

import pytz

from odoo.tests import HttpCase

from .common import GemaSopCase

_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
FORM_KEY = re.compile(r'name="request_key" value="([0-9a-f]{56})"')
FREE_TIMES = re.compile(r'name="time"[^>]*value="(\d\d:\d\d)"')


class BookingPageCase(GemaSopCase, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # The page speaks the visitor's language (English or Indonesian);
        # Indonesian, the database's language, is the default.
        cls.env["res.lang"]._activate_lang("en_US")
        cls.branch.write({"street": "Jl. Gatot Subroto No. 1", "city": "Medan"})
        cls.technician = cls.env["hr.employee"].create(
            {
                "name": "Tour Technician",
                "company_id": cls.branch.id,
                "resource_calendar_id": cls.calendar.id,
                "gema_technician": True,
            }
        )
        cls.service = cls.env["gema.service.type"].create(
            {"name": "Tour Oil Change", "duration": 1.0, "company_id": cls.branch.id}
        )
        cls.tz = pytz.timezone("Asia/Jakarta")
        # A working day (Monday-Saturday) at least two days ahead, so that
        # "not in the past" never depends on when the suite runs.
        day = datetime.now(cls.tz).date() + timedelta(days=2)
        while day.weekday() == 6:
            day += timedelta(days=1)
        cls.day = day
        cls.Booking = cls.env["gema.booking"]

    # Helpers -------------------------------------------------------------

    def _utc(self, hhmm, day=None):
        local = datetime.combine(
            day or self.day, datetime.strptime(hhmm, "%H:%M").time()
        )
        return self.tz.localize(local).astimezone(pytz.utc).replace(tzinfo=None)

    def _open_form(self, day=None, headers=None):
        """GET the page with branch, service and day chosen; returns the
        response and the form's hidden values and free times."""
        response = self.url_open(
            f"/booking?company_id={self.branch.id}&service_type_id={self.service.id}"
            f"&date={(day or self.day).isoformat()}",
            headers=headers,
        )
        self.assertEqual(response.status_code, 200)
        csrf = _CSRF.search(response.text)
        key = FORM_KEY.search(response.text)
        return response, {
            "csrf_token": csrf and csrf.group(1),
            "request_key": key and key.group(1),
            "times": FREE_TIMES.findall(response.text),
        }

    def _details(self, form, **overrides):
        data = {
            "csrf_token": form["csrf_token"],
            "request_key": form["request_key"],
            "company_id": str(self.branch.id),
            "service_type_id": str(self.service.id),
            "date": self.day.isoformat(),
            "time": form["times"][0],
            "customer_name": "Budi Santoso",
            "customer_phone": "0812-3456-7890",
            "license_plate": "bk1234abc",
            "vehicle_type": "Toyota Avanza",
            "complaint": "Rem berbunyi saat mengerem.",
        }
        data.update(overrides)
        return {name: value for name, value in data.items() if value is not None}

    def _submit(self, data, headers=None):
        return self.url_open(
            "/booking/submit", data=data, headers=headers, allow_redirects=False
        )

    def _website_bookings(self):
        return self.Booking.search(
            [("channel", "=", "website"), ("company_id", "=", self.branch.id)]
        )

    def _request(
        self, phone, ip=None, name="Siti Aminah", plate="BK 77 XY", channel="phone"
    ):
        """A request recorded directly: by the branch (phone), or by an
        earlier visitor of the page (website)."""
        return self.Booking._create_request(
            {
                "customer_name": name,
                "customer_phone": phone,
                "license_plate": plate,
                "vehicle_type": "Honda Jazz",
                "service_type_id": self.service.id,
                "requested_start": self._utc("10:00"),
                "channel": channel,
                "company_id": self.branch.id,
                "request_ip": ip,
            }
        )

    def assertRefused(self, response, status, *texts):
        """The page answered ``status``, shows ``texts`` and nothing was made."""
        self.assertEqual(response.status_code, status, response.text[:2000])
        for text in texts:
            self.assertIn(text, response.text)
        self.assertFalse(self._website_bookings())
