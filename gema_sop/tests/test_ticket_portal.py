"""The customer's ticket page over real HTTP (SPEC AS-1, AS-4, AS-5, G-5)."""

import re
from datetime import date

from odoo.tests import HttpCase, tagged
from odoo.tools import mute_logger

from .common import GemaSopCase

CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')
# G-3: the customer's phone asks for Indonesian.
INDONESIAN = {"Accept-Language": "id-ID"}


class TicketPortalCase(HttpCase, GemaSopCase):
    """A customer's ticket with a return, and another customer's."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer = cls.env["res.partner"].create(
            {"name": "Andi Nasution", "mobile": "0812-9000-1122"}
        )
        cls.stranger = cls.env["res.partner"].create(
            {"name": "Maria Simanjuntak", "mobile": "0821-6789-4321"}
        )
        Ticket = cls.env["gema.ticket"].with_company(cls.branch)
        cls.ticket = Ticket.create(
            {
                "partner_id": cls.customer.id,
                "company_id": cls.branch.id,
                "product_name": "Kunci remote alarm",
                "chronology": "Rahasia internal: pelanggan marah sekali.",
                "purchase_date": date.today(),
                "return_shipping": True,
                "technician_id": cls.employees["technician"].id,
            }
        )
        cls.other = Ticket.create(
            {
                "partner_id": cls.stranger.id,
                "company_id": cls.branch.id,
                "product_name": "Ban depan",
                "chronology": "Ban bocor halus.",
            }
        )
        cls.token = cls.ticket._portal_ensure_token()
        cls.other_token = cls.other._portal_ensure_token()

    def _page(self, ticket, token):
        return self.url_open(
            f"/my/tickets/{ticket.id}?access_token={token}", headers=INDONESIAN
        )

    def _to_shipped(self):
        ticket = self.ticket
        ticket.action_check_warranty()
        ticket.action_start_analysis()
        ticket.write({"analysis_report": "Modul rusak.", "solution": "replacement"})
        ticket.action_choose_solution()
        ticket.write(
            {
                "resolution_note": "Remote diganti baru.",
                "carrier_type": "third_party",
                "carrier_name": "JNE",
                "tracking_number": "JNE0012345678",
                "expected_arrival": date.today(),
            }
        )
        ticket.action_resolve()
        ticket.action_ship()

    def _rate(self, ticket, token, rating, comment=""):
        page = self._page(ticket, token)
        return self.url_open(
            f"/my/tickets/{ticket.id}/rate",
            data={
                "csrf_token": CSRF_RE.search(page.text).group(1),
                "access_token": token,
                "rating": rating,
                "comment": comment,
            },
            headers=INDONESIAN,
        )


@tagged("post_install", "-at_install")
class TestTicketPortal(TicketPortalCase):
    def test_as4_page_shows_status_and_tracking_not_internal_data(self):
        """AS-1, AS-4, G-5: the token page shows the ticket, its warranty
        and the shipment; never the internal chronology or another
        customer's data."""
        self._to_shipped()
        page = self._page(self.ticket, self.token)
        self.assertEqual(page.status_code, 200)
        self.assertIn(self.ticket.name, page.text)
        self.assertIn("Dalam Garansi", page.text)
        self.assertIn("JNE0012345678", page.text)
        self.assertNotIn("Rahasia internal", page.text)
        self.assertNotIn("Maria Simanjuntak", page.text)
        self.assertNotIn('name="rating"', page.text)

    @mute_logger("odoo.http")
    def test_g5_wrong_missing_or_foreign_token_is_404(self):
        """G-5: no token, a guessed one, or another ticket's token: 404,
        which does not tell that the ticket exists."""
        for url in (
            f"/my/tickets/{self.ticket.id}",
            f"/my/tickets/{self.ticket.id}?access_token=guess",
            f"/my/tickets/{self.ticket.id}?access_token={self.other_token}",
            f"/my/tickets/999999?access_token={self.token}",
        ):
            with self.subTest(url=url):
                self.assertEqual(self.url_open(url).status_code, 404)
        response = self.url_open(
            f"/my/tickets/{self.ticket.id}/rate",
            data={"access_token": self.other_token, "rating": "1"},
        )
        self.assertIn(response.status_code, (400, 404))
        self.assertFalse(self.ticket.rating)

    def test_as5_customer_rates_once_when_solved(self):
        """AS-5: the satisfaction rating, 1 to 5, once, after the solution."""
        self._to_shipped()
        self.ticket.action_mark_received()
        csrf = CSRF_RE.search(self._page(self.ticket, self.token).text).group(1)
        response = self._rate(self.ticket, self.token, "9")
        self.assertIn("error=rating", response.url)
        self.assertFalse(self.ticket.rating)
        response = self._rate(self.ticket, self.token, "5", "Cepat dan ramah")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(
            (self.ticket.rating, self.ticket.rating_comment), ("5", "Cepat dan ramah")
        )
        self.assertIn("Terima kasih atas penilaian", response.text)
        # The form is gone; a replayed post is refused and changes nothing.
        page = self._page(self.ticket, self.token)
        self.assertNotIn('name="rating"', page.text)
        response = self.url_open(
            f"/my/tickets/{self.ticket.id}/rate",
            data={
                "csrf_token": csrf,
                "access_token": self.token,
                "rating": "1",
            },
        )
        self.assertIn("error=refused", response.url)
        self.assertEqual(self.ticket.rating, "5")


@tagged("post_install", "-at_install")
class TestTicketPortalTour(TicketPortalCase):
    """AS-5 in a real browser on a phone-sized screen."""

    browser_size = "390x844"
    touch_enabled = True

    def test_as5_tour_customer_rates_on_phone(self):
        """AS-4 / AS-5: the customer opens the token link in Chromium, sees
        the tracking number and rates 4 of 5 with a comment; the backend
        records it once."""
        self._to_shipped()
        self.ticket.action_mark_received()
        self.start_tour(
            f"/my/tickets/{self.ticket.id}?access_token={self.token}",
            "gema_ticket_portal_rating",
        )
        self.assertEqual(
            (self.ticket.rating, self.ticket.rating_comment),
            ("4", "Cepat, terima kasih"),
        )
        self.assertTrue(self.ticket.rated_date)
