"""The bookings calendar of the front desk (BK-4, BK-5, BK-9): what an
event reads, the hours the grid shows, and a drag that moves a booking
through Reschedule's checks (``action_calendar_move``)."""

from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import HttpCase, new_test_user, tagged

from .booking_common import BookingCase, wib


def calendar_time(moment):
    """A naive UTC datetime as the calendar writes it."""
    return moment.strftime("%Y-%m-%d %H:%M:%S")


@tagged("post_install", "-at_install")
class TestBookingCalendar(BookingCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.activate_indonesian()

    def _confirmations(self, booking):
        return self.env["gema.message"].search(
            [
                ("res_model", "=", "gema.booking"),
                ("res_id", "=", booking.id),
                (
                    "template_id",
                    "=",
                    self.env.ref("gema_sop.mail_template_booking_confirmation").id,
                ),
            ]
        )

    def _move(self, booking, start, user=None):
        return booking.with_user(user or self.advisor).action_calendar_move(
            calendar_time(start)
        )

    def _assert_unmoved(self, booking, slot):
        """Nothing of a refused move is written: time, technician, slot,
        messages."""
        self.assertEqual(
            (booking.start, booking.stop, booking.employee_id, booking.state),
            (wib(24, 9), wib(24, 10), self.tech, "confirmed"),
        )
        self.assertEqual(booking.slot_id, slot)
        self.assertEqual(
            (slot.start, slot.stop, slot.active), (wib(24, 9), wib(24, 10), True)
        )
        self.assertEqual(len(self._confirmations(booking)), 1)
        self.assertFalse(
            booking.message_ids.filtered(lambda m: "Rescheduled from" in (m.body or ""))
        )

    def test_bk9_event_reads_customer_plate_and_service(self):
        """BK-9: an event reads who comes, with which car, for what (a
        booking without a service: the start of its complaint)."""
        booking = self._booking()
        self.assertEqual(
            booking.calendar_label, "Budi Santoso · BK 1234 ABC · Periodic service"
        )
        request = self._request(
            service_type_id=False,
            license_plate="BK 2 B",
            complaint="Mesin bergetar keras saat idle dan lampu cek mesin menyala",
        )
        self.assertEqual(
            request.calendar_label,
            "Budi Santoso · BK 2 B · Mesin bergetar keras saat idle dan...",
        )

    def test_bk9_calendar_hours_are_the_branch_opening_hours(self):
        """BK-9: the grid shows the branch's hours (08:00-17:00 WIB here),
        whichever role opens it."""
        for role in ("advisor", "cs", "technician", "manager"):
            with self.subTest(role=role):
                self.assertEqual(
                    self.env["gema.booking"]
                    .with_user(self.users[role])
                    .with_company(self.branch)
                    .calendar_hours(),
                    [{"tz": "Asia/Jakarta", "hour_from": 8.0, "hour_to": 17.0}],
                )

    def test_bk9_drag_moves_as_reschedule_does(self):
        """BK-9: a booking dragged to a free time is rescheduled: same
        technician and length, its slot moved, the chatter says from when to
        when, and the confirmation is sent again (its WhatsApp link opens,
        as after Reschedule)."""
        booking = self._booking()
        slot = booking.slot_id
        action = self._move(booking, wib(24, 14))
        self.assertEqual(
            (booking.start, booking.stop, booking.employee_id, booking.state),
            (wib(24, 14), wib(24, 15), self.tech, "confirmed"),
        )
        self.assertEqual(booking.slot_id, slot)
        self.assertEqual(
            (slot.start, slot.stop, slot.active), (wib(24, 14), wib(24, 15), True)
        )
        self.assertTrue(
            booking.message_ids.filtered(lambda m: "Rescheduled from" in (m.body or ""))
        )
        message = self.env["gema.message"].browse(action["res_id"])
        self.assertIn(message, self._confirmations(booking))
        self.assertIn("14:00", message.body)
        self.assertTrue(self.follow_whatsapp_link(action).startswith("https://wa.me/"))
        self.assertEqual(message.state, "sent")
        # The first technician's 09:00 is free again.
        self.assertTrue(self._booking(start=wib(24, 9), license_plate="BK 2 B").slot_id)

    def test_bk9_drag_of_a_no_show_confirms_it_again(self):
        """BK-9: a no-show dragged to a free time is confirmed again and
        holds its technician, as Reschedule does."""
        booking = self._booking()
        self.startClock(wib(24, 9, 31))
        self.env["gema.booking"]._cron_mark_no_show()
        self.assertEqual(booking.state, "no_show")
        self._move(booking, wib(25, 10))
        self.assertEqual((booking.state, booking.start), ("confirmed", wib(25, 10)))
        self.assertTrue(booking.slot_id.active)

    def test_bk4_drag_onto_a_clash_is_refused(self):
        """BK-4: dropped onto another booking of the technician, the move is
        refused with the clash message, in both languages; nothing moved."""
        booking = self._booking()
        slot = booking.slot_id
        self._booking(start=wib(24, 14), license_plate="BK 2 B")
        with self.assertRaisesBilingual(
            ValidationError, "is already booked from", "sudah dipesan dari"
        ) as run:
            run(
                lambda env: booking.with_env(env)
                .with_user(self.advisor)
                .action_calendar_move(calendar_time(wib(24, 14, 30)))
            )
        self._assert_unmoved(booking, slot)

    def test_bk4_drag_outside_the_hours_is_refused(self):
        """BK-4: dropped outside the branch's hours (18:00, a Sunday) or in
        the past, the move is refused as Reschedule refuses it; nothing
        moved."""
        booking = self._booking()
        slot = booking.slot_id
        for moment, english, indonesian in (
            (wib(24, 18), "outside the operating hours", "di luar jam operasional"),
            (wib(29, 10), "outside the operating hours", "di luar jam operasional"),
            (wib(23, 7), "is in the past", "sudah lewat"),
        ):
            with self.subTest(moment=moment):
                with self.assertRaisesBilingual(
                    ValidationError, english, indonesian
                ) as run:
                    run(
                        lambda env, moment=moment: booking.with_env(env)
                        .with_user(self.advisor)
                        .action_calendar_move(calendar_time(moment))
                    )
                self._assert_unmoved(booking, slot)

    def test_bk9_drag_refused_in_a_state_reschedule_refuses(self):
        """BK-9: a request (even with a time) or an arrived booking is not
        moved by a drag, with Reschedule's message; a booking without a
        technician is sent to Reschedule."""
        request = self._request()
        request.write({"employee_id": self.tech.id, "start": wib(24, 9)})
        arrived = self._booking(start=wib(24, 11), license_plate="BK 2 B")
        arrived.with_context(gema_early_arrival=True).action_arrive()
        for booking in (request, arrived):
            with self.subTest(state=booking.state):
                with self.assertRaisesBilingual(
                    UserError, "can be rescheduled", "dapat dijadwalkan ulang"
                ) as run:
                    run(
                        lambda env, booking=booking: booking.with_env(env)
                        .with_user(self.advisor)
                        .action_calendar_move(calendar_time(wib(24, 14)))
                    )
        self.assertEqual((request.start, request.state), (wib(24, 9), "request"))
        self.assertEqual(arrived.start, wib(24, 11))
        pending = self._request(license_plate="BK 3 C")
        pending.write({"start": wib(24, 13)})
        pending.action_set_pending()
        with self.assertRaisesBilingual(
            UserError, "use Reschedule to choose one", "gunakan Jadwalkan Ulang"
        ) as run:
            run(
                lambda env: pending.with_env(env)
                .with_user(self.advisor)
                .action_calendar_move(calendar_time(wib(24, 14)))
            )
        self.assertEqual((pending.start, pending.state), (wib(24, 13), "pending"))

    def test_security_drag_by_roles_and_malformed_times(self):
        """Security: a technician (read only), logistics (no bookings) and
        the customer on the portal cannot move a booking; the CS officer
        can; a time that is not one is refused in both languages; nothing
        moved by the refusals."""
        booking = self._booking()
        slot = booking.slot_id
        # The booking's own customer, logged in to the portal, reads it only.
        portal = new_test_user(
            self.env,
            login="budi_portal",
            groups="base.group_portal",
            partner_id=booking.partner_id.id,
            company_id=self.branch.id,
            company_ids=[Command.set(self.branch.ids)],
        )
        for user in (self.users["technician"], self.users["logistics"], portal):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                self._move(booking, wib(24, 14), user=user)
        self._assert_unmoved(booking, slot)
        for value in ("tomorrow", "", None, 42, ["2026-11-24 07:00:00"]):
            with self.subTest(value=value):
                with self.assertRaisesBilingual(
                    UserError, "to a date and time", "ke tanggal dan jam"
                ) as run:
                    run(
                        lambda env, value=value: booking.with_env(env)
                        .with_user(self.advisor)
                        .action_calendar_move(value)
                    )
        self._assert_unmoved(booking, slot)
        self._move(booking, wib(24, 14), user=self.users["cs"])
        self.assertEqual(booking.start, wib(24, 14))

    def test_bk4_direct_write_still_goes_through_reschedule(self):
        """BK-4: the dates of a confirmed booking are still not written
        directly (a list edit, a script's write): only the calendar's move
        and Reschedule move it."""
        booking = self._booking()
        with self.assertRaisesRegex(UserError, "Use Reschedule"):
            booking.with_user(self.advisor).write(
                {
                    "start": calendar_time(wib(24, 14)),
                    "stop": calendar_time(wib(24, 15)),
                }
            )


@tagged("post_install", "-at_install")
class TestBookingCalendarTour(BookingCase, HttpCase):
    def setUp(self):
        super().setUp()
        # Robustness: the first page of a fresh database builds the asset
        # bundles, which under load can outlast Chromium's 20 s navigation
        # limit (seen with the clock moved); build them before the tour.
        self.authenticate("test_advisor", "test_advisor")
        self.assertEqual(self.url_open("/odoo", timeout=300).status_code, 200)

    def test_bk9_day_per_technician_in_chromium(self):
        """BK-9 in Chromium: the bookings calendar opens on the day, its
        grid within the branch's hours, the technician in the filter panel,
        the event reading customer, plate and service."""
        self._booking()
        action = self.env.ref("gema_sop.gema_booking_action").copy(
            {"context": "{'initial_date': '2026-11-24 02:00:00'}"}
        )
        self.start_tour(
            f"/odoo/action-{action.id}?view_type=calendar",
            "gema_booking_calendar_day",
            login="test_advisor",
        )

    def test_bk9_day_per_technician_list_in_chromium(self):
        """BK-9 in Chromium: *Day per Technician* groups the bookings by
        technician, each in order of time (the later booking made first),
        with customer, plate and service."""
        self._booking(start=wib(24, 14), license_plate="BK 2 B")
        self._booking(start=wib(24, 9))
        action = self.env.ref("gema_sop.gema_booking_action_day")
        self.assertEqual(
            action.context,
            "{'search_default_today': 1, 'search_default_group_employee': 1}",
        )
        # The browser's today is not the test's: only the grouping.
        test_action = action.copy({"context": "{'search_default_group_employee': 1}"})
        self.start_tour(
            f"/odoo/action-{test_action.id}",
            "gema_booking_day_per_technician",
            login="test_advisor",
        )
