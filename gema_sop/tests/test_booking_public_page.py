"""The public booking page and the customer's booking pages (BK-1, BK-3,
BK-4, BK-5, G-5).

Every test talks to the running Odoo over real HTTP requests
(``url_open``), the way a phone browser or a bot would: it reads the form
first (CSRF token, one-time request key, free times) and posts it back,
then looks at what the visitor sees and at what reached the backend. The
tour books a free time end to end in headless Chromium.
"""

from datetime import datetime, timedelta
from urllib.parse import parse_qs, urlparse

from odoo import Command
from odoo.addons.gema_sop.controllers.booking import RATE_LIMIT_IP, RATE_LIMIT_PHONE
from odoo.tests import new_test_user, tagged

from .booking_page_common import FREE_TIMES, BookingPageCase


@tagged("post_install", "-at_install")
class TestBookingPublicPage(BookingPageCase):
    # The happy path ------------------------------------------------------

    def test_bk1_bk3_request_reaches_backend_as_website_booking(self):
        """BK-1, BK-3, BK-2: a valid form makes one booking in state request
        with channel website, the chosen free time, the normalised phone
        and plate, the visitor's IP, and its first-response clock running;
        the visitor lands on the page with the booking number."""
        _page, form = self._open_form()
        self.assertTrue(form["times"], "a working day must offer free times")
        self.assertEqual(form["times"][0], "08:00")
        response = self._submit(self._details(form))
        self.assertEqual(response.status_code, 303, response.text[:2000])

        booking = self._website_bookings()
        self.assertEqual(len(booking), 1)
        self.assertEqual(booking.state, "request")
        self.assertEqual(booking.requested_start, self._utc("08:00"))
        self.assertEqual(booking.customer_phone, "+6281234567890")
        self.assertEqual(booking.license_plate, "BK 1234 ABC")
        self.assertEqual(booking.service_type_id, self.service)
        self.assertEqual(booking.request_ip, "127.0.0.1")
        self.assertEqual(booking.request_key, form["request_key"])
        self.assertEqual(booking.partner_id.name, "Budi Santoso")
        frt = booking.gema_sla_status_ids.filtered(
            lambda line: line.policy_id.code == "BK-2"
        )
        self.assertEqual(frt.mapped("state"), ["running"], "BK-2 clock must run")

        location = urlparse(response.headers["Location"])
        self.assertEqual(location.path, f"/my/bookings/{booking.id}")
        self.assertEqual(
            parse_qs(location.query)["access_token"], [booking.access_token]
        )
        result = self.url_open(response.headers["Location"])
        self.assertEqual(result.status_code, 200)
        self.assertIn(booking.name, result.text)
        self.assertIn("The branch will confirm your booking", result.text)
        self.assertIn("BK 1234 ABC", result.text)
        self.assertIn("Jl. Gatot Subroto No. 1", result.text)

    def test_bk1_double_submit_makes_one_booking(self):
        """BK-1: the same form sent twice (double click, reload) leads to the
        same booking, never to a second one."""
        _page, form = self._open_form()
        data = self._details(form)
        first = self._submit(data)
        second = self._submit(data)
        self.assertEqual(first.status_code, 303)
        self.assertEqual(second.status_code, 303)
        self.assertEqual(first.headers["Location"], second.headers["Location"])
        self.assertEqual(len(self._website_bookings()), 1)

    def test_g5_reused_key_never_reveals_the_first_booking(self):
        """G-5: somebody replaying a used request key with other details gets
        an error, not the link to the first visitor's booking."""
        _page, form = self._open_form()
        self.assertEqual(self._submit(self._details(form)).status_code, 303)
        booking = self._website_bookings()
        replay = self._submit(self._details(form, customer_phone="0813-9999-8888"))
        self.assertEqual(replay.status_code, 422)
        self.assertIn("This form was already sent or has expired", replay.text)
        self.assertNotIn(booking.access_token, replay.text)
        self.assertNotIn(booking.name, replay.text)
        self.assertEqual(self._website_bookings(), booking)

    # G-5 and BK-4 on the page --------------------------------------------

    def test_g5_bk4_page_shows_free_times_only(self):
        """BK-4, G-5: a time the technician is held is not offered, and
        nothing of the customer holding it appears on the page."""
        other = self._request("0813-1111-2222", name="Rahmat Hidayat", plate="BK 9 ZZ")
        self.env["gema.technician.slot"]._hold(
            other, self.technician, self._utc("09:00"), self._utc("10:00")
        )
        page, form = self._open_form()
        self.assertNotIn("09:00", form["times"])
        self.assertNotIn("08:30", form["times"], "08:30 + 1 h would overlap 09:00")
        self.assertIn("08:00", form["times"])
        self.assertIn("10:00", form["times"])
        for private in ("Rahmat", "BK 9 ZZ", "1111", other.name, "Tour Technician"):
            self.assertNotIn(private, page.text)

    def test_bk1_page_lists_branches_with_operating_hours_only(self):
        """BK-1: a company without operating hours takes no online bookings."""
        closed = self.env["res.company"].create({"name": "Branch Without Hours"})
        page = self.url_open("/booking")
        self.assertEqual(page.status_code, 200)
        self.assertIn("Test Branch Medan", page.text)
        self.assertNotIn(closed.name, page.text)

    # Bad input -----------------------------------------------------------

    def test_bk3_empty_fields_are_refused(self):
        """BK-3: each required field left empty is named on the page."""
        _page, form = self._open_form()
        response = self._submit(
            self._details(
                form,
                customer_name="  ",
                customer_phone="",
                license_plate="",
                vehicle_type="",
                time=None,
            )
        )
        self.assertRefused(response, 422, "Please fill in this field.")
        for field in (
            "customer_name",
            "customer_phone",
            "license_plate",
            "vehicle_type",
        ):
            self.assertIn(f'data-field="{field}"', response.text)
        self.assertIn("Please choose one of the free times.", response.text)

    def test_bk3_too_long_fields_are_refused(self):
        """BK-3: more characters than a field holds is refused."""
        _page, form = self._open_form()
        response = self._submit(
            self._details(form, customer_name="B" * 101, complaint="x" * 1001)
        )
        self.assertRefused(
            response,
            422,
            "Please use at most 100 characters.",
            "Please use at most 1000 characters.",
        )

    def test_bk3_script_tags_are_refused_and_never_echoed(self):
        """BK-3, G-5: markup is refused, and what was typed comes back
        escaped, never as live HTML."""
        _page, form = self._open_form()
        script = "<script>alert('x')</script>"
        response = self._submit(
            self._details(form, customer_name=script, complaint=f"Rem {script}")
        )
        self.assertRefused(
            response, 422, "Markup such as &lt;b&gt; or &lt;script&gt; is not allowed."
        )
        self.assertNotIn(script, response.text)
        self.assertIn("&lt;script&gt;", response.text)

    def test_bk3_wrong_phone_is_refused(self):
        """BK-3: a number that is no phone number is refused."""
        _page, form = self._open_form()
        response = self._submit(self._details(form, customer_phone="12345"))
        self.assertRefused(response, 422, "The phone number 12345 is not valid.")

    def test_bk3_wrong_plate_is_refused(self):
        """BK-3: a plate that is no Indonesian plate is refused."""
        _page, form = self._open_form()
        response = self._submit(self._details(form, license_plate="12345678"))
        self.assertRefused(response, 422, "The licence plate 12345678 is not valid.")

    def test_bk4_past_date_is_refused(self):
        """BK-4: a day in the past is refused, when shown and when sent."""
        yesterday = datetime.now(self.tz).date() - timedelta(days=1)
        page, form = self._open_form(day=yesterday)
        self.assertIn("The date is in the past.", page.text)
        self.assertFalse(form["times"])
        _page, form = self._open_form()
        response = self._submit(self._details(form, date=yesterday.isoformat()))
        self.assertRefused(response, 422, "The date is in the past.")

    def test_bk4_unknown_branch_service_or_time_is_refused(self):
        """BK-4: only a bookable branch, its services and a free time on the
        slot grid are accepted, whatever the request says."""
        closed = self.env["res.company"].create({"name": "Branch Without Hours"})
        _page, form = self._open_form()
        for overrides, message in (
            ({"company_id": str(closed.id)}, "Please choose a branch."),
            ({"service_type_id": "999999"}, "Please choose a service."),
            ({"date": "2026-02-31"}, "Please choose a valid date."),
            ({"time": "25:00"}, "Please choose one of the free times."),
            ({"time": "08:10"}, "was taken in the meantime"),
        ):
            with self.subTest(overrides=overrides):
                response = self._submit(self._details(form, **overrides))
                self.assertRefused(response, 422, message)

    def test_bk4_slot_taken_meanwhile_shows_fresh_free_times(self):
        """BK-4: the time chosen was booked by the branch while the visitor
        typed; the page says so and offers the times still free."""
        _page, form = self._open_form()
        self.assertIn("08:00", form["times"])
        other = self._request("0813-1111-2222")
        self.env["gema.technician.slot"]._hold(
            other, self.technician, self._utc("08:00"), self._utc("09:00")
        )
        response = self._submit(self._details(form, time="08:00"))
        self.assertRefused(response, 422, "The time 08:00 was taken in the meantime.")
        fresh = FREE_TIMES.findall(response.text)
        self.assertNotIn("08:00", fresh)
        self.assertIn("09:00", fresh)

    def test_bk1_post_without_csrf_token_is_refused(self):
        """BK-1: a form posted from another site (no or a wrong CSRF token)
        is refused by Odoo before anything is read."""
        _page, form = self._open_form()
        with self.assertLogs("odoo.http", "WARNING"):
            response = self._submit(self._details(form, csrf_token=None))
        self.assertRefused(response, 400)
        with self.assertLogs("odoo.http", "WARNING"):
            response = self._submit(self._details(form, csrf_token="0" * 40 + "o9"))
        self.assertRefused(response, 400)

    def test_bk1_rate_limit_per_phone_number(self):
        """BK-1: at most RATE_LIMIT_PHONE website requests per WhatsApp
        number within an hour; another number still gets through."""
        for index in range(RATE_LIMIT_PHONE):
            self._request("0812-3456-7890", ip=f"10.0.0.{index}", channel="website")
        earlier = self._website_bookings()
        _page, form = self._open_form()
        response = self._submit(self._details(form))
        self.assertEqual(response.status_code, 429)
        self.assertIn("This WhatsApp number already sent", response.text)
        self.assertEqual(self._website_bookings(), earlier)
        response = self._submit(self._details(form, customer_phone="0813-5555-6666"))
        self.assertEqual(response.status_code, 303)

    def test_bk1_rate_limit_per_ip_address(self):
        """BK-1: at most RATE_LIMIT_IP website requests per IP address within
        an hour, whatever the numbers typed."""
        for index in range(RATE_LIMIT_IP):
            self._request(f"0812-0000-{index:04d}", ip="127.0.0.1", channel="website")
        earlier = self._website_bookings()
        _page, form = self._open_form()
        response = self._submit(self._details(form))
        self.assertEqual(response.status_code, 429)
        self.assertIn("Too many booking requests", response.text)
        self.assertEqual(self._website_bookings(), earlier)

    def test_bk3_errors_in_the_visitors_language(self):
        """BK-3, G-3: a visitor whose browser asks for Indonesian gets the
        page and its error messages in Indonesian."""
        self.activate_indonesian()
        headers = {"Accept-Language": "id-ID,id;q=0.9"}
        page, form = self._open_form(headers=headers)
        self.assertIn("Pesan Servis", page.text)
        response = self._submit(
            self._details(form, customer_name="", customer_phone="12345"),
            headers=headers,
        )
        self.assertRefused(
            response, 422, "Mohon isi kolom ini.", "Nomor telepon 12345 tidak valid."
        )

    # The customer's pages -----------------------------------------------

    def test_bk5_g5_token_opens_its_own_booking_only(self):
        """BK-5, G-5: a booking's token link shows that booking; with another
        booking's token, a wrong one or none, the page answers 404 and shows
        nothing of it."""
        mine = self._request("0812-3456-7890", name="Budi Santoso", plate="BK 1 AA")
        theirs = self._request("0813-1111-2222", name="Rahmat Hidayat", plate="BK 2 BB")
        mine_token = mine._portal_ensure_token()
        theirs._portal_ensure_token()

        page = self.url_open(f"/my/bookings/{mine.id}?access_token={mine_token}")
        self.assertEqual(page.status_code, 200)
        self.assertIn(mine.name, page.text)
        self.assertIn("BK 1 AA", page.text)
        self.assertIn("Tour Oil Change", page.text)
        self.assertNotIn("BK 2 BB", page.text)

        for url, status in (
            (f"/my/bookings/{theirs.id}?access_token={mine_token}", 404),
            (f"/my/bookings/{theirs.id}?access_token=wrong", 404),
            (f"/my/bookings/{theirs.id}", 404),
            (f"/my/bookings/{theirs.id + 1000}?access_token={mine_token}", 404),
        ):
            with self.subTest(url=url):
                refused = self.url_open(url)
                self.assertEqual(refused.status_code, status)
                self.assertNotIn("BK 2 BB", refused.text)
                self.assertNotIn("Rahmat", refused.text)
                self.assertNotIn(theirs.name, refused.text)

    def test_bk5_portal_user_sees_only_own_bookings(self):
        """BK-5, G-5: a portal customer lists and opens their own bookings,
        never another customer's, in the portal and through the ORM."""
        mine = self._request("0812-3456-7890", name="Budi Santoso", plate="BK 1 AA")
        theirs = self._request("0813-1111-2222", name="Rahmat Hidayat", plate="BK 2 BB")
        portal = new_test_user(
            self.env,
            login="budi_portal",
            groups="base.group_portal",
            partner_id=mine.partner_id.id,
            company_id=self.branch.id,
            company_ids=[Command.set(self.branch.ids)],
        )
        self.assertEqual(self.Booking.with_user(portal).search([]), mine)

        self.authenticate("budi_portal", "budi_portal")
        listing = self.url_open("/my/bookings")
        self.assertEqual(listing.status_code, 200)
        self.assertIn(mine.name, listing.text)
        self.assertIn("BK 1 AA", listing.text)
        self.assertNotIn(theirs.name, listing.text)
        self.assertNotIn("BK 2 BB", listing.text)
        self.assertEqual(self.url_open(f"/my/bookings/{mine.id}").status_code, 200)
        self.assertEqual(self.url_open(f"/my/bookings/{theirs.id}").status_code, 404)
        counters = self.make_jsonrpc_request(
            "/my/counters", {"counters": ["gema_booking_count"]}
        )
        self.assertEqual(counters["gema_booking_count"], 1)

    # End to end in a browser ---------------------------------------------

    def test_bk1_bk3_tour_books_a_free_time_in_the_browser(self):
        """BK-1, BK-3, BK-4, BK-2: in headless Chromium a visitor picks the
        branch, the service, the first free time, fills the BK-3 details and
        gets the booking number; the branch sees a website request with its
        first-response clock running."""
        self.start_tour(
            f"/booking?date={self.day.isoformat()}", "gema_booking_public_tour"
        )
        booking = self._website_bookings()
        self.assertEqual(len(booking), 1)
        self.assertEqual(booking.state, "request")
        self.assertEqual(booking.channel, "website")
        self.assertEqual(booking.customer_name, "Budi Santoso")
        self.assertEqual(booking.customer_phone, "+6281234567890")
        self.assertEqual(booking.license_plate, "BK 1234 ABC")
        self.assertEqual(booking.requested_start, self._utc("08:00"))
        frt = booking.gema_sla_status_ids.filtered(
            lambda line: line.policy_id.code == "BK-2"
        )
        self.assertEqual(frt.mapped("state"), ["running"])
