"""The free-slot wizard in a real browser (BK-4, BK-7, BK-5): grouped
times, marks, the preview, then Confirm and Send."""

from odoo.tests import HttpCase, tagged

from .booking_common import BookingCase
from .test_booking_whatsapp_link import _working_morning


@tagged("post_install", "-at_install")
class TestBookingSlotPreviewTour(HttpCase, BookingCase):
    def startClock(self, when):
        """The browser's clock cannot be frozen: this test keeps the real
        one and books a time it computes from it."""

    def test_bk4_bk7_bk5_grouped_slots_preview_then_confirm(self):
        """BK-4, BK-7, BK-5: the advisor sees the free times grouped with
        the nearest ones marked, previews the Indonesian confirmation with
        nothing sent, then Confirm and Send books that slot and prepares
        that very text as a WhatsApp link, not yet logged as sent."""
        start = _working_morning()
        hour = start.replace(minute=0)
        for employee in (self.tech, self.tech2):
            self.env["gema.technician.slot"]._hold(
                self.branch, employee, hour, hour.replace(hour=hour.hour + 1)
            )
        booking = self._request(requested_start=start)
        self.start_tour(
            f"/odoo/action-gema_sop.gema_booking_action/{booking.id}",
            "gema_booking_slot_preview",
            login=self.advisor.login,
        )
        self.assertEqual(booking.state, "confirmed")
        self.assertEqual(abs(booking.start - start).total_seconds(), 3600)
        message = self.env["gema.message"].search(
            [("res_model", "=", "gema.booking"), ("res_id", "=", booking.id)]
        )
        self.assertRecordValues(
            message,
            [
                {
                    "channel": "whatsapp_link",
                    "state": "draft",
                    "user_id": self.advisor.id,
                }
            ],
        )
        self.assertIn("Yth. Bapak/Ibu Budi Santoso", message.body)
        self.assertFalse(message.mail_message_id)
