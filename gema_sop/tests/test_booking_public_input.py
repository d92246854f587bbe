"""Malformed posts of the public booking page get the form back with a
clear message, never an error page, and store nothing (BK-3, security,
robustness).

Real HTTP requests through ``url_open``, as a bot would send them: fields
as files (multipart), NUL bytes, keys the client made up or took from
another visitor, numbers and plates the rules refuse.
"""

import secrets
from datetime import timedelta

import requests

from odoo import fields
from odoo.tests import freeze_time, tagged

from .booking_page_common import FORM_KEY, BookingPageCase

POSTED_FIELDS = (
    "customer_name",
    "customer_phone",
    "license_plate",
    "vehicle_type",
    "complaint",
    "company_id",
    "service_type_id",
    "date",
    "time",
    "request_key",
)


@tagged("post_install", "-at_install")
class TestBookingPublicInput(BookingPageCase):
    def _submit_multipart(self, data, files):
        return self.url_open(
            "/booking/submit", data=data, files=files, allow_redirects=False
        )

    def assertForm(self, response, status, *texts, details=True):
        """The page answered ``status`` with the booking form and ``texts``;
        with ``details`` (the branch, service and day were readable), the
        details form with a signed key in it; nothing was stored."""
        self.assertRefused(response, status, *texts)
        self.assertIn('action="/booking"', response.text)
        if details:
            self.assertIn('action="/booking/submit"', response.text)
            self.assertRegex(response.text, r'name="request_key" value="[0-9a-f]{56}"')

    def test_robustness_field_sent_as_a_file_gets_the_form(self):
        """Robustness: any field of the form sent as a file (a multipart
        post) answers 422 with the form and a message, not 500."""
        for name in POSTED_FIELDS:
            with self.subTest(field=name):
                _page, form = self._open_form()
                data = self._details(form)
                value = data.pop(name)
                response = self._submit_multipart(
                    data, {name: ("x.txt", value.encode(), "text/plain")}
                )
                self.assertForm(
                    response,
                    422,
                    "The form was sent with a file or a value",
                    details=name not in ("company_id", "service_type_id", "date"),
                )
        # The first step posted, a file for its day.
        response = self.url_open(
            f"/booking?company_id={self.branch.id}",
            data={"csrf_token": form["csrf_token"]},
            files={"date": ("d.txt", b"2026-12-01", "text/plain")},
        )
        self.assertEqual(response.status_code, 422)
        self.assertIn("The form was sent with a file or a value", response.text)

    def test_robustness_malformed_csrf_token_is_a_wrong_token(self):
        """Robustness, security: a CSRF token sent as a file, or holding
        non-ASCII characters (Odoo's own check fails on both with an error
        500), is refused like a wrong token: 400."""
        _page, form = self._open_form()
        data = self._details(form)
        token = data.pop("csrf_token")
        with self.assertLogs("odoo.addons.gema_sop.models.ir_http", "WARNING"):
            response = self._submit_multipart(
                data, {"csrf_token": ("t.txt", token.encode(), "text/plain")}
            )
        self.assertRefused(response, 400)
        with self.assertLogs("odoo.addons.gema_sop.models.ir_http", "WARNING"):
            response = self._submit(self._details(form, csrf_token=token + "\u00e9"))
        self.assertRefused(response, 400)

    def test_robustness_nul_and_control_characters_get_the_form(self):
        """Robustness: a NUL byte or another control character in any field
        answers 422 with the form, not 500 (PostgreSQL cannot even store a
        NUL)."""
        for name in POSTED_FIELDS:
            for bad in ("\x00", "\x1b[2J", "\u202e"):
                with self.subTest(field=name, bad=repr(bad)):
                    _page, form = self._open_form()
                    data = self._details(form)
                    data[name] = data[name][:3] + bad + data[name][3:]
                    self.assertRefused(self._submit(data), 422)

    def test_security_key_must_be_issued_by_the_page_to_this_visitor(self):
        """Security: the one-time key is the server's: one the client makes
        up (the old 32 hex digits, or the right length), or one issued to
        another visitor's session, is refused with a fresh form; the fresh
        key then works."""
        _page, form = self._open_form()
        stranger = requests.Session()
        their_page = stranger.get(
            f"{self.base_url()}/booking?company_id={self.branch.id}"
            f"&service_type_id={self.service.id}&date={self.day.isoformat()}",
            timeout=30,
        )
        for key in (
            secrets.token_hex(16),
            secrets.token_hex(28),
            form["request_key"][:-1] + ("0" if form["request_key"][-1] != "0" else "1"),
            _key_of(their_page.text),
            "",
        ):
            with self.subTest(key=key):
                response = self._submit(self._details(form, request_key=key))
                self.assertForm(
                    response, 422, "This form was already sent or has expired"
                )
        fresh = _key_of(response.text)
        self.assertNotEqual(fresh, form["request_key"])
        response = self._submit(self._details(form, request_key=fresh))
        self.assertEqual(response.status_code, 303, response.text[:2000])

    def test_security_key_expires(self):
        """Security: a form left open longer than the key lives is refused
        with a fresh form, whose key works."""
        _page, form = self._open_form()
        with freeze_time(fields.Datetime.now() + timedelta(hours=7)):
            response = self._submit(self._details(form))
            self.assertForm(response, 422, "This form was already sent or has expired")
            response = self._submit(
                self._details(form, request_key=_key_of(response.text))
            )
        self.assertEqual(response.status_code, 303, response.text[:2000])

    def test_bk3_landline_refused_foreign_mobile_accepted(self):
        """BK-3: an Indonesian landline cannot take WhatsApp and is refused;
        a foreign mobile with its country code is stored in E.164."""
        _page, form = self._open_form()
        response = self._submit(self._details(form, customer_phone="021 555 1234"))
        self.assertForm(response, 422, "The number 021 555 1234 is not a mobile number")
        response = self._submit(self._details(form, customer_phone="+60 12-345 6789"))
        self.assertEqual(response.status_code, 303, response.text[:2000])
        self.assertEqual(self._website_bookings().customer_phone, "+60123456789")

    def test_bk3_plate_with_other_digits_refused_fullwidth_converted(self):
        """BK-3: Arabic-Indic digits are refused; fullwidth digits (a CJK
        keyboard) are stored as plain ones."""
        _page, form = self._open_form()
        response = self._submit(
            self._details(form, license_plate="BK \u0661\u0662\u0663\u0664 AB")
        )
        self.assertForm(response, 422, "is not valid. Use letters, number and letters")
        response = self._submit(
            self._details(form, license_plate="BK \uff11\uff12\uff13\uff14 AB")
        )
        self.assertEqual(response.status_code, 303, response.text[:2000])
        booking = self._website_bookings()
        self.assertEqual(booking.license_plate, "BK 1234 AB")
        self.assertEqual(booking.vehicle_id.license_plate, "BK 1234 AB")


def _key_of(html):
    return FORM_KEY.search(html).group(1)
