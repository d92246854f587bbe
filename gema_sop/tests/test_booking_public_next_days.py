"""The public booking page's next free days (BK-1, BK-4, G-4) and the
focus on the first refused field (BK-3), over real HTTP and in Chromium
at phone size.

The page offers the next ``FREE_DAYS`` days that have a free time, each
with its number of times, computed in one batched planner search; a day
without any (a Sunday, a public holiday, today after its last time) gives
way to the next free day, which the page names and shows. Tests freeze a
Sunday (29 November 2026) and the days around Christmas 2026 (24 December
is collective leave, 25 December Christmas Day).
"""

import random
import re
from datetime import date, datetime, time

import freezegun
import pytz

from odoo.addons.gema_sop.controllers.booking import FREE_DAYS
from odoo.tests import tagged

from .booking_page_common import FREE_TIMES, BookingPageCase

FREE_DAY = re.compile(r'class="btn o_gema_free_day[^"]*"[^>]*data-date="([\d-]+)"')
ACTIVE_DAY = re.compile(r'o_gema_free_day btn-primary active"[^>]*data-date="([\d-]+)"')
SHOWN_DAY = re.compile(r'type="hidden" name="date" value="([\d-]+)"')
AUTOFOCUS = re.compile(
    r'<(?:input|select|textarea|div)\b[^>]*\bautofocus="autofocus"[^>]*>'
)


def wib(day, hour, minute=0):
    """Naive UTC of a WIB moment, as freezegun and Odoo take it."""
    local = pytz.timezone("Asia/Jakarta").localize(
        datetime.combine(day, time(hour, minute))
    )
    return local.astimezone(pytz.utc).replace(tzinfo=None)


class NextDaysCase(BookingPageCase):
    def _page(self, **params):
        """GET /booking with the branch and service chosen (and ``params``)."""
        query = {
            "company_id": self.branch.id,
            "service_type_id": self.service.id,
            **params,
        }
        url = "/booking?" + "&".join(f"{key}={value}" for key, value in query.items())
        response = self.url_open(url)
        self.assertEqual(response.status_code, 200, response.text[:2000])
        return response.text

    def assertShows(self, html, day, notice=None):
        """The page shows ``day``'s free times as the chosen day, and
        ``notice`` (or no next-free-day notice)."""
        self.assertEqual(SHOWN_DAY.findall(html), [day.isoformat()])
        self.assertEqual(ACTIVE_DAY.findall(html), [day.isoformat()])
        self.assertTrue(FREE_TIMES.findall(html), "the shown day must offer times")
        if notice:
            self.assertIn(notice, html)
        else:
            self.assertNotIn("o_gema_next_free_day", html)


@tagged("post_install", "-at_install")
class TestBookingPublicNextDays(NextDaysCase):
    def test_bk1_next_free_days_are_listed_without_sundays(self):
        """BK-1, BK-4: on a Monday morning the page offers the next 14 days
        with free times (from today, Sundays left out), each with its number
        of times, today chosen; no name or technician appears."""
        html = self._page()
        days = [date.fromisoformat(day) for day in FREE_DAY.findall(html)]
        self.assertEqual(len(days), FREE_DAYS)
        self.assertEqual(days[0], date(2026, 11, 23))
        self.assertFalse([day for day in days if day.weekday() == 6])
        self.assertEqual(days, sorted(days))
        self.assertEqual(days[-1], date(2026, 12, 8), "14 days Mon-Sat")
        self.assertIn("17 times", html)
        self.assertShows(html, date(2026, 11, 23))
        self.assertNotIn("Tour Technician", html)

    def test_bk1_sunday_shows_the_next_free_day(self):
        """BK-1, G-4: on a Sunday the page does not say "no more times
        today": it names Monday as the next free day and shows its times,
        for today and for a later Sunday chosen."""
        self.startPatcher(freezegun.freeze_time(wib(date(2026, 11, 29), 10)))
        html = self._page()
        self.assertShows(
            html,
            date(2026, 11, 30),
            "There is no free time left today. The next free day is Monday, "
            "30 November 2026",
        )
        self.assertEqual(FREE_TIMES.findall(html)[0], "08:00")
        self.assertNotIn('data-date="2026-11-29"', html)
        html = self._page(date="2026-12-06")
        self.assertShows(
            html,
            date(2026, 12, 7),
            "There is no free time on Sunday, 6 December 2026. The next free "
            "day is Monday, 7 December 2026",
        )

    def test_bk1_after_the_last_time_of_today(self):
        """BK-1: after today's last free time the page shows tomorrow."""
        self.startPatcher(freezegun.freeze_time(wib(date(2026, 11, 23), 16, 10)))
        self.assertShows(
            self._page(),
            date(2026, 11, 24),
            "There is no free time left today. The next free day is Tuesday, "
            "24 November 2026",
        )

    def test_bk1_full_day_gives_way_to_the_next(self):
        """BK-4: a day whose every time is held is left out of the next free
        days and, chosen, gives way to the next free day."""
        other = self._request("0813-1111-2222")
        self.env["gema.technician.slot"]._hold(
            other,
            self.technician,
            self._utc("08:00", date(2026, 11, 24)),
            self._utc("17:00", date(2026, 11, 24)),
        )
        html = self._page(date="2026-11-24")
        self.assertNotIn('data-date="2026-11-24"', html)
        self.assertShows(html, date(2026, 11, 25), "The next free day is Wednesday")

    def test_g4_public_holidays_offer_no_time(self):
        """G-4, BK-4: with Indonesia's holidays imported, 24 December
        (collective leave) and 25 December (Christmas) offer nothing: the
        evening before, on the holiday itself and when chosen, the page
        names Saturday 26 December as the next free day."""
        self.calendar._gema_import_holidays([2026])
        Planner = self.env["gema.planner"]
        for holiday in (date(2026, 12, 24), date(2026, 12, 25)):
            self.assertEqual(
                Planner._free_slots(self.branch, self.service, holiday), []
            )
        notice = (
            "There is no free time left today. The next free day is Saturday, "
            "26 December 2026"
        )
        with freezegun.freeze_time(wib(date(2026, 12, 23), 18)):
            html = self._page()
            self.assertShows(html, date(2026, 12, 26), notice)
            for holiday in ("2026-12-24", "2026-12-25", "2026-12-27"):
                self.assertNotIn(f'data-date="{holiday}"', html)
        with freezegun.freeze_time(wib(date(2026, 12, 25), 9)):
            self.assertShows(self._page(), date(2026, 12, 26), notice)
        with freezegun.freeze_time(wib(date(2026, 12, 21), 9)):
            self.assertShows(
                self._page(date="2026-12-25"),
                date(2026, 12, 26),
                "There is no free time on Friday, 25 December 2026. The next "
                "free day is Saturday, 26 December 2026",
            )

    def test_bk1_next_free_day_in_indonesian(self):
        """BK-1, G-3: the notice speaks the visitor's language."""
        self.activate_indonesian()
        self.startPatcher(freezegun.freeze_time(wib(date(2026, 11, 29), 10)))
        response = self.url_open(
            f"/booking?company_id={self.branch.id}&service_type_id={self.service.id}",
            headers={"Accept-Language": "id-ID,id;q=0.9"},
        )
        self.assertIn(
            "Hari berikutnya yang masih kosong adalah Senin, 30 November 2026",
            response.text,
        )

    def test_bk4_free_days_query_count_does_not_grow(self):
        """BK-4 (performance): the next 14 free days are read with the same
        number of queries for one technician or five, with or without held
        times: one calendar computation per calendar and one query of held
        times per window, never a query per day or per technician."""
        Planner = self.env["gema.planner"]

        def free_days():
            return Planner._free_days(
                self.branch,
                self.service,
                date(2026, 11, 23),
                FREE_DAYS,
                date(2027, 1, 22),
            )

        self.assertEqual(len(free_days()), FREE_DAYS)
        self.env.invalidate_all()
        with self.assertQueryCount(12):
            free_days()
        for index in range(4):
            self.env["hr.employee"].create(
                {
                    "name": f"Technician {index}",
                    "company_id": self.branch.id,
                    "resource_calendar_id": self.calendar.id,
                    "gema_technician": True,
                }
            )
        other = self._request("0813-1111-2222")
        self.env["gema.technician.slot"]._hold(
            other, self.technician, self._utc("09:00"), self._utc("10:00")
        )
        self.env.invalidate_all()
        with self.assertQueryCount(12):
            self.assertEqual(len(free_days()), FREE_DAYS)

    # Focus on the first error -------------------------------------------

    def test_bk3_first_refused_field_takes_the_focus(self):
        """BK-3: a refused form comes back with the typed details and the
        focus (autofocus) on its first invalid field only, described by its
        message; a missing time focuses the first free time."""
        _page, form = self._open_form()
        response = self._submit(
            self._details(form, customer_phone="12345", license_plate="12345678")
        )
        self.assertRefused(response, 422, "The phone number 12345 is not valid.")
        focused = AUTOFOCUS.findall(response.text)
        self.assertEqual(len(focused), 1, focused)
        self.assertIn('name="customer_phone"', focused[0])
        self.assertIn('aria-describedby="gema_customer_phone_error"', focused[0])
        self.assertIn('id="gema_customer_phone_error"', response.text)
        self.assertIn('value="Budi Santoso"', response.text)
        self.assertIn('value="12345678"', response.text)

        response = self._submit(self._details(form, time=None, customer_name=""))
        focused = AUTOFOCUS.findall(response.text)
        self.assertEqual(len(focused), 1, focused)
        self.assertIn('name="time"', focused[0])
        self.assertIn('value="08:00"', focused[0])

    def test_bk3_form_error_alone_focuses_the_message(self):
        """BK-3: a refusal with no field to blame (an invented one-time key)
        focuses the form's message."""
        _page, form = self._open_form()
        response = self._submit(self._details(form, request_key="0" * 56))
        self.assertRefused(response, 422, "This form was already sent or has expired.")
        focused = AUTOFOCUS.findall(response.text)
        self.assertEqual(len(focused), 1, focused)
        self.assertIn("o_gema_form_error", focused[0])

    # Robustness ----------------------------------------------------------

    def test_robustness_malformed_page_parameters(self):
        """Robustness, security: the page's parameters (branch, service,
        date) malformed in every way answer the page with a clear message
        (200, or 422 for a value that is no text), never 500, and never a
        name of a technician or customer."""
        self._request("0813-1111-2222", name="Rahmat Hidayat", plate="BK 9 ZZ")
        nasty = [
            "",
            "0",
            "-1",
            "abc",
            "1e3",
            "9" * 5000,
            "%00",
            "\u0661",
            "1;DROP TABLE gema_booking",
            "[1]",
            "2026-13-01",
            "2026-02-30",
            "0001-01-01",
            "9999-12-31",
            "2026-11-30T25:00",
            "30/11/2026",
            "2026-11-3",
            "x" * 3000,
            "+2026-11-30",
        ]
        good = {
            "company_id": str(self.branch.id),
            "service_type_id": str(self.service.id),
            "date": "2026-11-30",
        }
        rng = random.Random(20261129)
        failures = []
        for number in range(60):
            params = dict(good)
            for name in rng.sample(sorted(good), rng.randint(1, 3)):
                params[name] = rng.choice(nasty)
            response = self.url_open(
                "/booking?" + "&".join(f"{k}={v}" for k, v in params.items())
            )
            if response.status_code not in (200, 422) or "Rahmat" in response.text:
                failures.append(f"{number} {params!r:.200}: {response.status_code}")
        self.assertFalse(failures, "\n".join(failures))
        html = self._page(date="2026-02-30")
        self.assertIn("Please choose a valid date.", html)
        html = self._page(date="9999-12-31")
        self.assertIn("Bookings can be made at most 60 days ahead.", html)


@tagged("post_install", "-at_install")
class TestBookingPublicNextDaysTour(NextDaysCase):
    """The next free days and the focus on a phone-sized screen."""

    browser_size = "390x844"
    touch_enabled = True

    def test_bk1_tour_picks_a_next_free_day_on_phone(self):
        """BK-1, BK-4, G-4: on a Sunday a visitor on a phone is shown Monday
        as the next free day, picks Tuesday among the next free days and
        09:00, and sends the request: it is for Tuesday 09:00."""
        self.startPatcher(freezegun.freeze_time(wib(date(2026, 11, 29), 10)))
        self.start_tour(
            f"/booking?company_id={self.branch.id}&service_type_id={self.service.id}",
            "gema_booking_next_days_tour",
        )
        booking = self._website_bookings()
        self.assertEqual(len(booking), 1)
        self.assertEqual(booking.requested_start, wib(date(2026, 12, 1), 9))

    def test_bk3_tour_focuses_the_refused_field_on_phone(self):
        """BK-3: on a phone, a refused number comes back focused and on the
        screen with its message, the other details kept; corrected, the
        request goes through."""
        self.start_tour(
            f"/booking?company_id={self.branch.id}&service_type_id={self.service.id}"
            f"&date={self.day.isoformat()}",
            "gema_booking_error_focus_tour",
        )
        booking = self._website_bookings()
        self.assertEqual(len(booking), 1)
        self.assertEqual(booking.customer_phone, "+6281234567890")
