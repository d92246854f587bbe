"""Retention per branch of bookings that never became a job and of closed
after-sales tickets (G-5): what goes, what stays, what is untouched."""

from datetime import date, timedelta

from freezegun import freeze_time

from odoo.exceptions import ValidationError
from odoo.tests import tagged
from odoo.tools import SQL

from .booking_common import MONDAY_0800, BookingCase

MONTH = timedelta(days=31)


@tagged("post_install", "-at_install")
class TestRetention(BookingCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.branch.write(
            {"gema_booking_retention_months": 12, "gema_ticket_retention_months": 24}
        )
        cls.customer = cls.env["res.partner"].create(
            {
                "name": "Rudi Siregar",
                "mobile": "0813-7654-3210",
                "street": "Jl. Gatot Subroto 12",
                "company_id": cls.branch.id,
            }
        )

    def _messages(self, record):
        return self.env["mail.message"].search(
            [("model", "=", record._name), ("res_id", "=", record.id)]
        )

    def _old_request(self, months_ago, **values):
        with freeze_time(MONDAY_0800 - months_ago * MONTH):
            return self._request(**values)

    def _closed_ticket(self, months_ago, cancel=False):
        Ticket = (
            self.env["gema.ticket"]
            .with_user(self.users["cs"])
            .with_company(self.branch)
        )
        with freeze_time(MONDAY_0800 - months_ago * MONTH):
            ticket = Ticket.create(
                {
                    "partner_id": self.customer.id,
                    "company_id": self.branch.id,
                    "channel": "whatsapp",
                    "product_name": "Aki 12V 45Ah",
                    "serial_number": "SN-778899",
                    "chronology": "Aki cepat habis sejak minggu lalu.",
                    "purchase_date": date(2023, 9, 1),
                }
            )
            if cancel:
                ticket.action_cancel()
                return ticket
            ticket.technician_id = self.employees["technician"]
            ticket.action_check_warranty()
            ticket.action_start_analysis()
            ticket.write(
                {"analysis_report": "Sel aki nomor 3 rusak.", "solution": "education"}
            )
            ticket.action_choose_solution()
            ticket.resolution_note = "Cara pengisian aki dijelaskan."
            ticket.action_resolve()
            ticket.sudo()._rate(4, "Rudi puas, terima kasih.")
        return ticket

    def test_g5_old_bookings_that_never_became_jobs_lose_their_content(self):
        """G-5: past the branch's retention period (counted from creation),
        a cancelled, no-show, request or pending booking loses its chatter,
        message log, customer's name, number, partner, plate, vehicle and
        texts; its number, branch, channel, service, state and dates stay.
        A young one and an arrived (a job's) or confirmed booking are
        untouched; 0 months keeps everything."""
        cancelled = self._old_request(13)
        cancelled.action_cancel()
        request = self._old_request(14, customer_phone="0812-1111-2222")
        young = self._old_request(11, customer_phone="0812-3333-4444")
        young.action_cancel()
        confirmed = self._booking(customer_phone="0812-5555-6666")
        self.env.cr.execute(
            SQL(
                "UPDATE gema_booking SET create_date = %s WHERE id = %s",
                MONDAY_0800 - 20 * MONTH,
                confirmed.id,
            )
        )
        confirmed.invalidate_recordset(["create_date"])
        cancelled.message_post(body="Pelanggan membatalkan lewat telepon.")
        self.assertTrue(self._messages(cancelled))
        name, created = cancelled.name, cancelled.create_date
        self.env["gema.booking"]._cron_remove_old_content()
        for old in cancelled | request:
            self.assertTrue(old.content_removed_date)
            self.assertFalse(self._messages(old))
            self.assertFalse(
                self.env["gema.message"].search(
                    [("res_model", "=", old._name), ("res_id", "=", old.id)]
                )
            )
            self.assertEqual(
                (old.customer_name, old.customer_phone, old.license_plate),
                ("-", "-", "-"),
            )
            self.assertFalse(old.partner_id or old.vehicle_id)
            self.assertEqual(old.complaint, "-")
            self.assertFalse(old.message_partner_ids)
        self.assertEqual(
            (cancelled.name, cancelled.state, cancelled.create_date),
            (name, "cancelled", created),
        )
        self.assertEqual(
            (cancelled.channel, cancelled.service_type_id), ("whatsapp", self.service)
        )
        self.assertEqual(request.state, "request")
        for kept in young | confirmed:
            self.assertFalse(kept.content_removed_date)
            self.assertEqual(kept.customer_name, "Budi Santoso")
            self.assertTrue(kept.partner_id)
            self.assertEqual(kept.complaint, "Rem berdecit")
        self.branch.gema_booking_retention_months = 0
        self.startClock(MONDAY_0800 + 3 * 12 * MONTH)
        self.env["gema.booking"]._cron_remove_old_content()
        self.assertFalse(young.content_removed_date)

    def test_g5_old_closed_tickets_keep_what_the_warranty_needs(self):
        """G-5: past the branch's retention period (counted from the
        resolution or the cancellation), a solved or cancelled ticket loses
        the chatter, the customer's name, numbers and partner (so no return
        recipient, address or number), the chronology and the rating
        comment; product, serial number, dates, warranty, solution and
        rating stay. A young ticket and an open one are untouched."""
        done = self._closed_ticket(25)
        cancelled = self._closed_ticket(26, cancel=True)
        young = self._closed_ticket(23)
        with freeze_time(MONDAY_0800 - 30 * MONTH):
            open_ticket = (
                self.env["gema.ticket"]
                .with_user(self.users["cs"])
                .create(
                    {
                        "partner_id": self.customer.id,
                        "company_id": self.branch.id,
                        "channel": "phone",
                        "product_name": "Ban 185/65",
                        "chronology": "Ban benjol.",
                    }
                )
            )
        done.message_post(body="Pelanggan mengirim foto aki.")
        self.assertTrue(self._messages(done))
        self.assertTrue(cancelled.cancelled_date)
        self.assertEqual(done.closed_date, done.resolved_date)
        resolved = done.resolved_date
        self.env["gema.ticket"]._cron_remove_old_content()
        for old in done | cancelled:
            self.assertTrue(old.content_removed_date)
            self.assertFalse(self._messages(old))
            self.assertFalse(old.partner_id or old.customer_name or old.customer_phone)
            self.assertEqual((old.chronology, old.rating_comment), ("-", False))
            self.assertFalse(
                old.return_recipient or old.return_address or old.return_phone
            )
            self.assertEqual(
                (old.product_name, old.serial_number, old.purchase_date),
                ("Aki 12V 45Ah", "SN-778899", date(2023, 9, 1)),
            )
        self.assertEqual(done.warranty_status, "expired")
        self.assertEqual(
            (done.state, done.solution, done.rating, done.resolved_date),
            ("done", "education", "4", resolved),
        )
        self.assertEqual(done.analysis_report, "Sel aki nomor 3 rusak.")
        self.assertEqual(cancelled.state, "cancelled")
        for kept in young | open_ticket:
            self.assertFalse(kept.content_removed_date)
            self.assertEqual(kept.partner_id, self.customer)
            self.assertTrue(kept.chronology)
        self.assertEqual(young.rating_comment, "Rudi puas, terima kasih.")
        # The customer is required again as soon as the content is kept.
        with self.assertRaisesBilingual(
            ValidationError, "needs its customer", "memerlukan pelanggan"
        ) as run:
            run(lambda env: young.with_env(env).write({"partner_id": False}))
        self.assertEqual(young.partner_id, self.customer)
