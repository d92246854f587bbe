"""The booking SOP (BK-1 ... BK-12) from request to arrival or no-show."""

from datetime import datetime, timedelta

from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged

from .booking_common import MONDAY_0800, BookingCase, wib


@tagged("post_install", "-at_install")
class TestBooking(BookingCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # New customers get Indonesian (dates are then written in it).
        cls.activate_indonesian()
        cls.branch.partner_id.write(
            {"street": "Jl. Gatot Subroto 100", "city": "Medan"}
        )
        cls.advisor_employee = cls.employees["advisor"]

    def _slot_of(self, booking):
        return (
            self.env["gema.technician.slot"]
            .with_context(active_test=False)
            .search([("res_model", "=", "gema.booking"), ("res_id", "=", booking.id)])
        )

    def _sla_lines_of(self, bookings, xmlid):
        return self.env["gema.sla.status"].search(
            [
                ("res_model", "=", "gema.booking"),
                ("res_id", "in", bookings.ids),
                ("policy_id", "=", self.env.ref(xmlid).id),
            ]
        )

    def _sla_line(self, booking, xmlid):
        return self.env["gema.sla.status"].search(
            [
                ("res_model", "=", "gema.booking"),
                ("res_id", "=", booking.id),
                ("policy_id", "=", self.env.ref(xmlid).id),
            ]
        )

    # BK-1, BK-3 ------------------------------------------------------------

    def test_bk3_batch_create_queries_do_not_grow_with_the_batch(self):
        """BK-3, G-4 / scale: a batch of new bookings (an import, the API)
        finds and creates its customers and vehicles, numbers the bookings
        and starts their SLA clocks for the whole batch at once: 50 new
        bookings of 50 new customers cost the same queries as 10 (one
        booking at a time cost 14.6 queries each)."""
        Booking = self.env["gema.booking"].with_user(self.advisor)
        counts = {}
        # The first batch fills the caches (references, access rules).
        for size, series in ((2, 1), (10, 2), (50, 3)):
            values = [
                {
                    "customer_name": f"Pelanggan {series} {index}",
                    "customer_phone": f"0813-{series}{index:03d}-0000",
                    "license_plate": f"BK {index + 1} A{'ABC'[series - 1]}",
                    "vehicle_type": "Toyota Avanza",
                    "service_type_id": self.service.id,
                    "requested_start": wib(24, 9),
                    "channel": "whatsapp",
                    "company_id": self.branch.id,
                }
                for index in range(size)
            ]
            self.env.flush_all()
            self.env.invalidate_all()
            before = self.env.cr.sql_log_count
            bookings = Booking.create(values)
            self.env.flush_all()
            counts[size] = self.env.cr.sql_log_count - before
            self.assertEqual(len(bookings.partner_id), size)
            self.assertEqual(len(bookings.vehicle_id), size)
            self.assertEqual(len(set(bookings.mapped("name"))), size)
            self.assertEqual(
                len(
                    self._sla_lines_of(
                        bookings, "gema_sop.sla_policy_bk2_first_response"
                    )
                ),
                size,
            )
        self.assertEqual(counts[50], counts[10], counts)
        self.assertLessEqual(counts[50], 50, counts)

    def test_bk1_every_channel_is_recorded(self):
        """BK-1: requests from each channel keep their channel."""
        for channel in ("whatsapp", "instagram", "facebook", "phone", "walk_in"):
            booking = self._request(channel=channel)
            self.assertEqual(booking.channel, channel)
            self.assertEqual(booking.state, "request")
        with self.assertRaises(ValidationError):
            self._request(channel="telegram")

    def test_bk3_request_normalised_customer_and_vehicle(self):
        """BK-3: the plate and number are normalised; the customer is found
        or created by number (in Indonesian), the vehicle by plate."""
        self.activate_indonesian()
        booking = self._request()
        self.assertRecordValues(
            booking,
            [
                {
                    "license_plate": "BK 1234 ABC",
                    "customer_phone": "+6281234567890",
                    "customer_name": "Budi Santoso",
                    "state": "request",
                    "user_id": self.advisor.id,
                }
            ],
        )
        self.assertTrue(booking.name.startswith("BK/"))
        self.assertEqual(booking.partner_id.mobile, "+6281234567890")
        self.assertEqual(booking.partner_id.lang, "id_ID")
        self.assertEqual(booking.vehicle_id.license_plate, "BK 1234 ABC")
        self.assertEqual(booking.vehicle_id.partner_id, booking.partner_id)
        again = self._request(
            customer_phone="+62 812 3456 7890", license_plate="BK-1234-ABC"
        )
        self.assertEqual(again.partner_id, booking.partner_id)
        self.assertEqual(again.vehicle_id, booking.vehicle_id)
        self.assertNotEqual(again.name, booking.name)

    def test_bk3_g5_nothing_beyond_bk3_is_stored(self):
        """BK-3, G-5: extra values (an email, an address) are ignored."""
        booking = self._request(email="budi@example.com", street="Jl. Mawar 1")
        self.assertFalse(booking.partner_id.email)
        self.assertFalse(booking.partner_id.street)

    def test_bk3_bad_input_refused(self):
        """BK-3: empty, too long, markup and wrong numbers are refused with
        every problem named; nothing is created."""
        count = self.env["gema.booking"].search_count([])
        cases = {
            "customer_name": ("", "Customer Name: Please fill in this field."),
            "vehicle_type": (
                "x" * 65,
                "Vehicle Type: Please use at most 64 characters",
            ),
            "complaint": (
                "<script>alert(1)</script>",
                "Complaint or Request: Markup such as <b> or <script> is not allowed.",
            ),
            "customer_phone": ("12345", "WhatsApp Number: The phone number 12345"),
            "license_plate": ("HELLO WORLD", "License Plate: The licence plate"),
            "requested_start": (datetime(2026, 11, 20, 2, 0), "in the past"),
        }
        for field, (value, message) in cases.items():
            with (
                self.subTest(field=field),
                self.assertRaises(ValidationError) as caught,
            ):
                self._request(**{field: value})
            self.assertIn(message, str(caught.exception))
        with self.assertRaises(ValidationError) as caught:
            self._request(
                customer_name="",
                customer_phone="1",
                service_type_id=False,
                complaint="",
            )
        text = str(caught.exception)
        self.assertIn("Name", text)
        self.assertIn("is not valid", text)
        self.assertIn("describe the complaint", text)
        self.assertEqual(self.env["gema.booking"].search_count([]), count)

    def test_bk3_request_key_makes_one_booking(self):
        """BK-1: the same form submitted twice gives one booking."""
        first = self._request(request_key="form-123", request_ip="10.0.0.1")
        second = self._request(request_key="form-123", customer_name="Other")
        self.assertEqual(first, second)
        self.assertEqual(
            self.env["gema.booking"].search_count([("request_key", "=", "form-123")]), 1
        )

    def test_bk1_website_request_must_be_free(self):
        """BK-1, BK-4: a website request for a time that was taken meanwhile
        is refused; a free one arrives unassigned with its clock running."""
        self.env["gema.technician.slot"]._hold(
            self.branch, self.tech, wib(24, 9), wib(24, 10)
        )
        self.env["gema.technician.slot"]._hold(
            self.branch, self.tech2, wib(24, 9), wib(24, 10)
        )
        Booking = self.env["gema.booking"].sudo()
        values = {
            "customer_name": "Budi",
            "customer_phone": "081234567890",
            "license_plate": "BK 1 A",
            "vehicle_type": "Avanza",
            "service_type_id": self.service.id,
            "requested_start": wib(24, 9),
            "channel": "website",
            "company_id": self.branch.id,
        }
        with self.assertRaisesRegex(ValidationError, "no longer free"):
            Booking._create_request(values)
        booking = Booking._create_request(dict(values, requested_start=wib(24, 10)))
        self.assertEqual(booking.channel, "website")
        self.assertFalse(booking.user_id)
        self.assertTrue(
            self._sla_line(booking, "gema_sop.sla_policy_bk2_first_response")
        )

    # BK-2 ------------------------------------------------------------------

    def test_bk2_first_response_clock_stopped_by_answer(self):
        """BK-2: 5 working minutes from the request; the first outgoing
        message stops the clock, on time."""
        booking = self._request()
        line = self._sla_line(booking, "gema_sop.sla_policy_bk2_first_response")
        self.assertEqual(line.state, "running")
        self.assertEqual(line.deadline, datetime(2026, 11, 23, 1, 5))
        self.assertEqual(booking.frt_result, "on_time")
        action = booking.with_user(self.advisor).action_send_alternatives()
        self.assertEqual(line.state, "running", "a link not sent yet stops nothing")
        self.follow_whatsapp_link(action)
        self.assertEqual(line.state, "done")
        self.assertEqual(booking.frt_result, "on_time")

    def test_bk2_counts_working_time_only(self):
        """BK-2, G-4: a request on Sunday evening is due Monday 08:05."""
        self.startClock(datetime(2026, 11, 22, 13, 0))
        booking = self._request(requested_start=wib(24, 9))
        line = self._sla_line(booking, "gema_sop.sla_policy_bk2_first_response")
        self.assertEqual(line.deadline, datetime(2026, 11, 23, 1, 5))

    def test_bk2_walk_in_has_no_clock(self):
        """BK-2: a walk-in customer is answered in person."""
        booking = self._request(channel="walk_in")
        self.assertFalse(
            self._sla_line(booking, "gema_sop.sla_policy_bk2_first_response")
        )

    def test_bk2_bk11_no_reply_is_a_violation_once(self):
        """BK-2, BK-11: unanswered after 5 minutes, the breach is recorded
        against the advisor, once, however often the cron runs."""
        booking = self._request()
        self.startClock(datetime(2026, 11, 23, 1, 10))
        Status = self.env["gema.sla.status"]
        Status._cron_process_due()
        Status._cron_process_due()
        violations = self.env["gema.violation"].search(
            [("res_model", "=", "gema.booking"), ("res_id", "=", booking.id)]
        )
        self.assertEqual(len(violations), 1)
        self.assertEqual(violations.violation_type, "bk_no_reply")
        self.assertEqual(violations.employee_id, self.advisor_employee)
        self.assertEqual(booking.frt_result, "breached")
        self.assertEqual(booking.gema_sla_result, "breached")

    # BK-5 ------------------------------------------------------------------

    def test_bk5_confirm_holds_sends_and_proves(self):
        """BK-5, BK-10: confirming holds the technician, sends the
        confirmation (click-to-chat link for the advisor) with every detail
        and the token link, attaches the booking proof to that chatter
        message, and stops the first-response clock."""
        booking = self._request()
        booking.write({"employee_id": self.tech.id, "start": wib(24, 9)})
        action = booking.with_user(self.advisor).action_confirm()
        self.assertEqual(booking.state, "confirmed")
        self.assertEqual(booking.stop, wib(24, 10))
        self.assertRecordValues(
            booking.slot_id,
            [
                {
                    "employee_id": self.tech.id,
                    "start": wib(24, 9),
                    "stop": wib(24, 10),
                    "active": True,
                }
            ],
        )
        line = self._sla_line(booking, "gema_sop.sla_policy_bk2_first_response")
        self.assertEqual(line.state, "running", "the link is not sent yet")
        url = self.follow_whatsapp_link(action)
        self.assertTrue(url.startswith("https://wa.me/6281234567890?text="))
        message = self.env["gema.message"].search(
            [("res_model", "=", "gema.booking"), ("res_id", "=", booking.id)]
        )
        self.assertEqual(len(message), 1)
        self.assertEqual(
            message.template_id,
            self.env.ref("gema_sop.mail_template_booking_confirmation"),
        )
        for text in (
            booking.name,
            "Selasa, 24 November 2026",
            "09:00",
            "BK 1234 ABC",
            "Periodic service",
            "Jl. Gatot Subroto 100",
            f"/my/bookings/{booking.id}?access_token={booking.access_token}",
        ):
            self.assertIn(text, message.body)
        self.assertTrue(booking.access_token)
        posted = message.mail_message_id
        self.assertEqual(posted.attachment_ids, booking.proof_attachment_id)
        proof = booking.proof_attachment_id.raw.decode(errors="ignore")
        self.assertIn(booking.name, proof)
        self.assertIn("BK 1234 ABC", proof)
        self.assertEqual(line.state, "done")

    def test_bk5_confirmation_through_gateway_when_configured(self):
        """BK-5: with the branch's WhatsApp gateway on, the confirmation is
        queued for automatic sending, not a link."""
        self.branch.write(
            {
                "gema_whatsapp_gateway_enabled": True,
                "gema_whatsapp_api_url": "http://127.0.0.1:9",
                "gema_whatsapp_phone_number_id": "123",
            }
        )
        booking = self._request(whatsapp_opt_in=True)
        booking.write({"employee_id": self.tech.id, "start": wib(24, 9)})
        self.assertIs(booking.with_user(self.advisor).action_confirm(), True)
        message = self.env["gema.message"].search(
            [("res_model", "=", "gema.booking"), ("res_id", "=", booking.id)]
        )
        self.assertEqual((message.channel, message.state), ("whatsapp_api", "queued"))
        # The proof goes with the confirmation's log entry once it has left.
        self.assertTrue(booking.proof_attachment_id)
        self.assertNotIn(
            booking.proof_attachment_id, booking.message_ids.attachment_ids
        )

    def test_bk5_in_the_calendar(self):
        """BK-5: the confirmed booking is in the calendar of its day, for
        its technician."""
        booking = self._booking()
        found = (
            self.env["gema.booking"]
            .with_user(self.advisor)
            .search_read(
                [
                    ("start", "<", datetime(2026, 11, 24, 17)),
                    ("stop", ">", datetime(2026, 11, 23, 17)),
                    ("employee_id", "in", self.tech.ids),
                ],
                ["start", "stop", "color", "employee_id"],
            )
        )
        self.assertEqual([r["id"] for r in found], booking.ids)
        views = self.env["gema.booking"].get_views([(False, "calendar")])
        self.assertIn('date_start="start"', views["views"]["calendar"]["arch"])

    # State machine and refusals ---------------------------------------------

    def test_bk5_confirm_costs_at_most_105_queries(self):
        """BK-5 / scale: confirming a booking (the checks, the technician's
        slot, the confirmation message, the proof, the checklist plan and
        the three checklist items the system does itself, the H-1 clock)
        costs at most 105 queries once the caches are warm, for the second
        booking of the day as for the third (measured: 100 and 94; the
        items done by the system cost about 11 queries each)."""
        counts = []
        for index in range(3):
            booking = self._request(
                customer_name=f"Pelanggan {index}",
                customer_phone=f"0813-9000-000{index}",
                license_plate=f"BK {index + 1} C",
            )
            booking.write({"employee_id": self.tech.id, "start": wib(24, 9 + index)})
            self.env.flush_all()
            self.env.invalidate_all()
            before = self.env.cr.sql_log_count
            booking.with_user(self.advisor).action_confirm()
            self.env.flush_all()
            counts.append(self.env.cr.sql_log_count - before)
            self.assertEqual(booking.state, "confirmed")
        self.assertLessEqual(max(counts[1:]), 105, counts)

    def test_bk4_confirm_needs_technician_and_time(self):
        """BK-4: a request cannot be confirmed without technician and time."""
        booking = self._request()
        with self.assertRaisesRegex(UserError, "Choose the service, the technician"):
            booking.action_confirm()

    def test_state_machine_refuses_illegal_transitions(self):
        """BK-8, BK-9: one state machine; illegal moves are refused, by the
        buttons and by a plain write alike."""
        booking = self._request()
        with self.assertRaisesRegex(UserError, "cannot go from Request to Arrived"):
            booking.action_arrive()
        with self.assertRaisesRegex(UserError, "cannot go from Request to No-show"):
            booking.write({"state": "no_show"})
        booking.action_cancel()
        for action in ("action_confirm", "action_arrive", "action_set_pending"):
            with self.subTest(action=action), self.assertRaises(UserError):
                getattr(booking, action)()
        arrived = self._booking(start=wib(24, 11))
        arrived.with_context(gema_early_arrival=True).action_arrive()
        with self.assertRaisesRegex(UserError, "cannot go from Arrived to Cancelled"):
            arrived.action_cancel()

    def test_bk4_refusals(self):
        """BK-4: in the past, outside operating hours, longer than the
        technician's remaining day, on time off, archived technician."""
        cases = [
            (self.tech, wib(23, 7), "is in the past"),
            (self.tech, wib(24, 18), "outside the operating hours"),
            (self.tech, wib(29, 10), "outside the operating hours"),
            (self.tech, wib(24, 16, 30), "longer than"),
        ]
        for employee, start, message in cases:
            booking = self._request()
            booking.write({"employee_id": employee.id, "start": start})
            with (
                self.subTest(message=message),
                self.assertRaisesRegex(ValidationError, message),
            ):
                booking.action_confirm()
            self.assertEqual(booking.state, "request")
            self.assertFalse(self._slot_of(booking))
        self.env["resource.calendar.leaves"].create(
            {
                "name": "Sick",
                "calendar_id": self.calendar.id,
                "resource_id": self.tech.resource_id.id,
                "date_from": wib(24, 8),
                "date_to": wib(24, 12),
                "time_type": "leave",
            }
        )
        booking = self._request()
        booking.write({"employee_id": self.tech.id, "start": wib(24, 9)})
        with self.assertRaisesRegex(ValidationError, "does not work at"):
            booking.action_confirm()
        booking.write({"employee_id": self.tech2.id})
        self.tech2.active = False
        with self.assertRaisesRegex(ValidationError, "is archived"):
            booking.action_confirm()

    def test_bk4_technician_never_double_booked(self):
        """BK-4 (6.3): a second booking of the same technician at an
        overlapping time is refused, naming the clash."""
        first = self._booking(start=wib(24, 9))
        second = self._request(license_plate="BK 9 Z")
        second.write({"employee_id": self.tech.id, "start": wib(24, 9, 30)})
        with self.assertRaisesRegex(ValidationError, f"already booked.*{first.name}"):
            second.action_confirm()
        self.assertEqual(second.state, "request")

    def test_bk4_bays_refused_at_confirm(self):
        """BK-4: with every service bay taken, confirming is refused."""
        self.branch.gema_service_bays = 1
        self._booking(start=wib(24, 9))
        other = self._request(license_plate="BK 9 Z")
        other.write({"employee_id": self.tech2.id, "start": wib(24, 9)})
        with self.assertRaisesRegex(ValidationError, "service bays"):
            other.action_confirm()

    # BK-7 ------------------------------------------------------------------

    def test_bk7_alternatives_offered_then_pending(self):
        """BK-7: the offer lists the nearest free times; a customer who
        declines them all is pending and appears in the follow-up list."""
        self._booking(employee=self.tech, start=wib(24, 9))
        self._booking(employee=self.tech2, start=wib(24, 9), license_plate="BK 2 B")
        booking = self._request(license_plate="BK 3 C")
        action = booking.with_user(self.advisor).action_send_alternatives()
        self.assertIn("wa.me", self.follow_whatsapp_link(action))
        message = self.env["gema.message"].search(
            [("res_model", "=", "gema.booking"), ("res_id", "=", booking.id)]
        )
        self.assertIn(
            "Selasa, 24 November 2026 08:00; Selasa, 24 November 2026 10:00",
            message.body,
        )
        booking.with_user(self.advisor).action_set_pending()
        pending_action = self.env.ref("gema_sop.gema_booking_action_pending")
        self.assertIn("search_default_pending", pending_action.context)
        self.assertIn(
            booking, self.env["gema.booking"].search([("state", "=", "pending")])
        )
        # Later the customer accepts a time: confirmed from pending.
        booking.write({"employee_id": self.tech.id, "start": wib(25, 9)})
        booking.action_confirm()
        self.assertEqual(booking.state, "confirmed")

    # BK-6 ------------------------------------------------------------------

    def test_bk6_reminder_clock(self):
        """BK-6: a booking on Thursday must be reminded by Wednesday 17:00;
        one for tomorrow needs no separate reminder."""
        thursday = self._booking(start=wib(26, 9))
        line = self._sla_line(thursday, "gema_sop.sla_policy_bk6_reminder")
        self.assertEqual(line.state, "running")
        self.assertEqual(line.deadline, wib(25, 17))
        tomorrow = self._booking(start=wib(24, 13), license_plate="BK 2 B")
        self.assertFalse(self._sla_line(tomorrow, "gema_sop.sla_policy_bk6_reminder"))

    def test_bk6_cron_without_gateway_plans_activity_once(self):
        """BK-6: on H-1 morning without gateway, the advisor gets one
        activity, and the reminder is prepared once; Send Reminder opens it,
        and only marking it sent stops the clock."""
        booking = self._booking(start=wib(26, 9), user=self.advisor)
        self.startClock(wib(25, 7, 30))
        Booking = self.env["gema.booking"]
        Booking._cron_remind()
        Booking._cron_remind()
        reminder_type = self.env.ref("gema_sop.mail_activity_type_booking_reminder")
        activity = booking.activity_ids.filtered(
            lambda a: a.activity_type_id == reminder_type
        )
        self.assertEqual(len(activity), 1)
        self.assertEqual(activity.user_id, self.advisor)
        self.assertIn("Send Reminder", activity.note)
        self.assertNotIn("wa.me", activity.note, "a link from the note is not logged")
        template = self.env.ref("gema_sop.mail_template_booking_reminder")
        prepared = self.env["gema.message"].search([("template_id", "=", template.id)])
        self.assertEqual(len(prepared), 1)
        self.assertEqual(prepared.state, "draft")
        self.assertFalse(booking.reminder_sent_date)
        action = booking.with_user(self.advisor).action_send_reminder()
        self.assertEqual(action["res_id"], prepared.id)
        self.assertFalse(booking.reminder_sent_date, "not sent yet")
        self.assertIn("wa.me", self.follow_whatsapp_link(action))
        self.assertEqual(prepared.user_id, self.advisor)
        self.assertTrue(booking.reminder_sent_date)
        self.assertEqual(
            self._sla_line(booking, "gema_sop.sla_policy_bk6_reminder").state, "done"
        )
        booking.invalidate_recordset(["activity_ids"])
        self.assertFalse(
            booking.activity_ids.filtered(lambda a: a.activity_type_id == reminder_type)
        )

    def test_bk6_reminders_cost_the_same_queries_for_2_or_10_bookings(self):
        """BK-6 / scale: the H-1 reminder cron plans a whole batch at once:
        one rendering of the template, one search of the reminders that
        exist, one create of the messages, one batch of notes for the
        customers who did not consent, the advisors' activities with one
        create per advisor and no assignment email: 10 bookings cost the
        same queries as 2, by WhatsApp link and by the gateway (one at a
        time, they cost 9.5 queries each, 34 before that)."""
        Booking = self.env["gema.booking"]
        Message = self.env["gema.message"]
        reminder_type = self.env.ref("gema_sop.mail_activity_type_booking_reminder")
        template = self.env.ref("gema_sop.mail_template_booking_reminder")
        counts = {}
        # The first round of each channel fills the caches (references,
        # access rules); each round books another working day, at 08:00 WIB.
        rounds = [("link", 2), ("link", 2), ("link", 10)]
        rounds += [("gateway", 2), ("gateway", 2), ("gateway", 10)]
        days = [(11, 26), (11, 27), (11, 28), (11, 30), (12, 1), (12, 2)]
        for (month, day), (channel, size) in zip(days, rounds, strict=True):
            if channel == "gateway":
                self.branch.write(
                    {
                        "gema_whatsapp_gateway_enabled": True,
                        "gema_whatsapp_api_url": "http://127.0.0.1:9",
                        "gema_whatsapp_phone_number_id": "123",
                    }
                )
            self.startClock(MONDAY_0800)
            start = datetime(2026, month, day, 1)
            bookings = Booking.concat(
                *(
                    self._booking(
                        employee=(self.tech, self.tech2)[index % 2],
                        start=start + timedelta(hours=index // 2),
                        requested_start=start + timedelta(hours=index // 2),
                        license_plate=f"BK {index + 1} A",
                        customer_name=f"Pelanggan {day} {index}",
                        customer_phone=f"0813-7{day:02d}{index:02d}-0000",
                        # Half of them agreed to WhatsApp messages: the
                        # gateway holds the others' reminder, with a note.
                        whatsapp_opt_in=bool(index % 2),
                    )
                    for index in range(size)
                )
            )
            self.env.flush_all()
            self.env.invalidate_all()
            self.startClock(start - timedelta(days=1, hours=-6))
            mails = self.env["mail.mail"].search_count([])
            before = self.env.cr.sql_log_count
            self.assertEqual(Booking._cron_remind(), bookings)
            self.env.flush_all()
            counts.setdefault(channel, []).append(self.env.cr.sql_log_count - before)
            self.assertEqual(self.env["mail.mail"].search_count([]), mails)
            messages = Message.search(
                [("template_id", "=", template.id), ("res_id", "in", bookings.ids)]
            )
            self.assertEqual(sorted(messages.mapped("res_id")), bookings.ids)
            if channel == "link":
                self.assertEqual(set(messages.mapped("state")), {"draft"})
                activities = bookings.activity_ids.filtered(
                    lambda a: a.activity_type_id == reminder_type
                )
                self.assertEqual(len(activities), size)
            else:
                held = messages.filtered(lambda m: m.state == "no_consent")
                self.assertEqual(len(held), size // 2)
                self.assertEqual(len(messages - held), size // 2)
                self.assertEqual(set((messages - held).mapped("state")), {"queued"})
                for message in held:
                    self.assertIn(
                        "not sent",
                        Booking.browse(message.res_id).message_ids[0].body,
                    )
            bookings.action_cancel()
        self.assertEqual(counts["link"][2], counts["link"][1], counts)
        self.assertEqual(counts["gateway"][2], counts["gateway"][1], counts)

    def test_bk6_cron_with_gateway_sends_once(self):
        """BK-6: with the gateway on, the cron queues the reminder itself,
        once (also when run again); the booking counts as reminded only
        once it has left; a booking two days ahead is not reminded yet."""
        self.branch.write(
            {
                "gema_whatsapp_gateway_enabled": True,
                "gema_whatsapp_api_url": "http://127.0.0.1:9",
                "gema_whatsapp_phone_number_id": "123",
            }
        )
        booking = self._booking(start=wib(26, 9), whatsapp_opt_in=True)
        later = self._booking(start=wib(27, 9), license_plate="BK 2 B")
        self.startClock(wib(25, 7, 30))
        Booking = self.env["gema.booking"]
        Booking._cron_remind()
        Booking._cron_remind()
        template = self.env.ref("gema_sop.mail_template_booking_reminder")
        sent = self.env["gema.message"].search([("template_id", "=", template.id)])
        self.assertEqual(sent.mapped("res_id"), booking.ids)
        self.assertEqual(sent.channel, "whatsapp_api")
        self.assertEqual(sent.state, "queued")
        self.assertFalse(booking.reminder_sent_date)
        self.assertFalse(later.reminder_sent_date)
        # Pressed by the advisor meanwhile: the same reminder, not a second.
        self.assertIs(booking.with_user(self.advisor).action_send_reminder(), True)
        self.assertEqual(
            self.env["gema.message"].search([("template_id", "=", template.id)]), sent
        )

    def test_bk6_bk11_missing_reminder_is_a_violation(self):
        """BK-6, BK-11: not reminded by H-1 17:00, the breach is recorded
        (bk_no_reminder) against the advisor."""
        booking = self._booking(start=wib(26, 9))
        self.startClock(wib(25, 17, 5))
        self.env["gema.sla.status"]._cron_process_due()
        violation = self.env["gema.violation"].search(
            [("res_id", "=", booking.id), ("violation_type", "=", "bk_no_reminder")]
        )
        self.assertEqual(violation.employee_id, self.advisor_employee)

    def test_bk6_monday_booking_reminded_on_saturday(self):
        """BK-6, G-4: H-1 of a Monday is the last working day, Saturday."""
        booking = self._booking(start=wib(30, 9))
        line = self._sla_line(booking, "gema_sop.sla_policy_bk6_reminder")
        self.assertEqual(line.deadline, wib(28, 17))

    # BK-8 ------------------------------------------------------------------

    def test_bk8_checkin_search_and_arrive(self):
        """BK-8: found by plate in any typing or by number; Arrived sets
        the date, releases the technician and tells the chatter."""
        booking = self._booking()
        Booking = self.env["gema.booking"].with_user(self.advisor)
        for text in ("bk1234abc", "BK-1234-ABC", "bk 1234 abc", booking.name):
            with self.subTest(text=text):
                self.assertEqual(
                    Booking.search([("checkin_query", "ilike", text)]), booking
                )
        self.assertEqual(Booking.name_search("bk1234abc")[0][0], booking.id)
        self.startClock(wib(24, 8, 50))
        action = booking.with_user(self.advisor).action_arrive()
        self.assertEqual(booking.state, "arrived")
        self.assertEqual(booking.arrived_date, wib(24, 8, 50))
        self.assertFalse(booking.slot_id.active)
        # The service job for vehicle reception opens, holding the booked
        # technician for the booked time in the booking's place.
        job = booking.service_job_ids
        self.assertEqual(action["res_model"], "gema.service.job")
        self.assertEqual(action["res_id"], job.id)
        self.assertRecordValues(
            job,
            [
                {
                    "state": "reception",
                    "booking_id": booking.id,
                    "vehicle_id": booking.vehicle_id.id,
                    "partner_id": booking.partner_id.id,
                    "user_id": booking.user_id.id or self.advisor.id,
                    "company_id": booking.company_id.id,
                    "planned_start": booking.start,
                    "planned_stop": booking.stop,
                }
            ],
        )
        self.assertEqual(job.technician_ids, booking.employee_id)
        self.assertEqual(job.slot_ids.mapped("active"), [True])
        self.assertEqual(booking.service_job_count, 1)
        self.assertIn(job.name, booking.message_ids[0].body)
        self.assertIn("vehicle reception", booking.message_ids[0].body)

    def test_bk8_checkin_before_the_booking_day_only_as_early_arrival(self):
        """BK-8: a car checked in before its booking day is refused (in
        both languages), nothing changed, unless the advisor chooses Early
        Arrival; the job then plans the service's hours, not 00:00."""
        booking = self._booking(start=wib(24, 9))
        with self.assertRaisesBilingual(
            UserError, "for a later day", "hari yang akan datang"
        ) as run:
            run(
                lambda env: booking.with_env(env)
                .with_user(self.advisor)
                .action_arrive()
            )
        self.assertEqual(booking.state, "confirmed")
        self.assertTrue(booking.slot_id.active)
        booking.with_user(self.advisor).with_context(
            gema_early_arrival=True
        ).action_arrive()
        self.assertEqual(booking.state, "arrived")
        self.assertEqual(booking.service_job_ids.estimated_duration, 1.0)

    def test_bk5_the_advisor_who_confirms_becomes_the_service_advisor(self):
        """BK-5, BK-9: a booking the customer made (no Service Advisor) gets
        the advisor who answers or confirms it, so My Bookings finds it; one
        that has a Service Advisor keeps them."""
        # As from the website: no Service Advisor.
        booking = self._request()
        booking.write(
            {"user_id": False, "employee_id": self.tech.id, "start": wib(24, 9)}
        )
        booking.with_user(self.advisor).action_confirm()
        self.assertEqual(booking.user_id, self.advisor)
        answered = self._request(license_plate="bk77xy")
        answered.user_id = False
        answered.with_user(self.users["cs"]).action_send_alternatives()
        self.assertEqual(answered.user_id, self.users["cs"])
        kept = self._booking(license_plate="bk88xy", start=wib(24, 11))
        self.assertEqual(kept.user_id, self.advisor)

    # BK-9 ------------------------------------------------------------------

    def test_bk9_no_show_cron_after_grace_once(self):
        """BK-9: 30 minutes after the start the booking becomes a no-show,
        the technician is free again and the advisor must contact the
        customer; running again changes nothing."""
        booking = self._booking(user=self.advisor)
        Booking = self.env["gema.booking"]
        self.startClock(wib(24, 9, 29))
        Booking._cron_mark_no_show()
        self.assertEqual(booking.state, "confirmed")
        self.startClock(wib(24, 9, 30))
        Booking._cron_mark_no_show()
        Booking._cron_mark_no_show()
        self.assertEqual(booking.state, "no_show")
        self.assertFalse(booking.slot_id.active)
        contact = booking.activity_ids.filtered(
            lambda a: a.activity_type_id
            == self.env.ref("gema_sop.mail_activity_type_booking_no_show")
        )
        self.assertEqual(len(contact), 1)
        self.assertEqual(contact.user_id, self.advisor)

    def test_bk9_no_show_cron_works_in_batches(self):
        """BK-9: the cron takes one batch per run, oldest first."""
        first = self._booking(start=wib(24, 9))
        second = self._booking(start=wib(24, 10), license_plate="BK 2 B")
        self.startClock(wib(24, 12))
        Booking = self.env["gema.booking"]
        self.assertEqual(Booking._cron_mark_no_show(batch_size=1), first)
        self.assertEqual(second.state, "confirmed")
        self.assertEqual(Booking._cron_mark_no_show(batch_size=1), second)
        self.assertFalse(Booking._cron_mark_no_show(batch_size=1))

    def test_bk9_grace_is_per_branch(self):
        """BK-9: a branch with a 60-minute grace waits longer."""
        self.branch.gema_booking_no_show_grace = 60
        booking = self._booking()
        self.startClock(wib(24, 9, 45))
        self.env["gema.booking"]._cron_mark_no_show()
        self.assertEqual(booking.state, "confirmed")

    def test_bk9_reschedule_keeps_history(self):
        """BK-9: a no-show rescheduled is confirmed again; the old slot is
        kept archived and the chatter says from when to when."""
        booking = self._booking()
        old_slot = booking.slot_id
        self.startClock(wib(24, 9, 31))
        self.env["gema.booking"]._cron_mark_no_show()
        action = booking.with_user(self.advisor).action_reschedule()
        wizard = self.env["gema.booking.slot.wizard"].browse(action["res_id"])
        line = wizard.line_ids.filtered(
            lambda slot: slot.start == wib(24, 10) and slot.employee_id == self.tech2
        )
        line.with_user(self.advisor).action_book()
        self.assertEqual(booking.state, "confirmed")
        self.assertEqual(booking.start, wib(24, 10))
        self.assertEqual(booking.employee_id, self.tech2)
        self.assertNotEqual(booking.slot_id, old_slot)
        self.assertFalse(old_slot.active)
        self.assertEqual(len(self._slot_of(booking)), 2)
        note = booking.message_ids.filtered(
            lambda m: "Rescheduled from" in (m.body or "")
        )
        self.assertEqual(len(note), 1)
        self.assertIn("Andi Saputra", note.body)

    def test_bk4_confirmed_booking_moves_only_by_reschedule(self):
        """BK-4, BK-11: the time of a confirmed booking cannot be edited
        behind the technician's slot (a wrong schedule); Reschedule does it."""
        booking = self._booking()
        with self.assertRaisesRegex(UserError, "Use Reschedule"):
            booking.with_user(self.advisor).write({"start": wib(24, 13)})
        with self.assertRaisesRegex(UserError, "Use Reschedule"):
            booking.with_user(self.advisor).write({"employee_id": self.tech2.id})
        self.assertEqual(booking.slot_id.start, wib(24, 9))

    def test_bk9_reschedule_confirmed_moves_its_slot(self):
        """BK-9: a confirmed booking moved keeps one slot, at the new time."""
        booking = self._booking()
        slot = booking.slot_id
        booking.with_user(self.advisor)._reschedule(self.tech, wib(25, 14), wib(25, 15))
        self.assertEqual(booking.slot_id, slot)
        self.assertEqual(
            (slot.start, slot.stop, slot.active), (wib(25, 14), wib(25, 15), True)
        )
        self.assertTrue(
            booking.message_ids.filtered(lambda m: "Rescheduled from" in (m.body or ""))
        )

    def test_bk9_reschedule_to_another_technician_keeps_the_first_as_history(self):
        """BK-9 / BK-4: a confirmed booking moved to another technician
        releases the first one's slot (archived: the history, as a job's)
        and holds the other one; the first technician is free again."""
        booking = self._booking()
        slot = booking.slot_id
        booking.with_user(self.advisor)._reschedule(
            self.tech2, wib(25, 14), wib(25, 15)
        )
        self.assertFalse(slot.active)
        self.assertEqual((slot.employee_id, slot.start), (self.tech, wib(24, 9)))
        held = booking.slot_id
        self.assertEqual(
            (held.employee_id, held.start, held.active), (self.tech2, wib(25, 14), True)
        )
        self.assertEqual(len(self._slot_of(booking)), 2)
        self.assertTrue(self._booking(start=wib(24, 9), license_plate="BK 2 B").slot_id)

    def test_bk9_daily_list_report(self):
        """BK-9: the daily booking list groups bookings per branch and day."""
        tuesday = self._booking(start=wib(24, 9))
        wednesday = self._booking(start=wib(25, 9), license_plate="BK 2 B")
        html = (
            self.env["ir.actions.report"]
            ._render_qweb_html(
                "gema_sop.action_report_gema_booking_daily", (tuesday | wednesday).ids
            )[0]
            .decode()
        )
        self.assertEqual(html.count("Daily Booking List"), 2)
        self.assertIn(tuesday.name, html)
        self.assertIn(wednesday.name, html)

    # BK-12 -----------------------------------------------------------------

    def test_bk12_checklist_progress(self):
        """BK-12: confirming starts the 7-item checklist; the system ticks
        what it did (schedule confirmed, in the calendar, proof sent), the
        reminder ticks item 7, the advisor the others with a note."""
        booking = self._booking(start=wib(26, 9), user=self.advisor)
        self.assertEqual((booking.checklist_done, booking.checklist_total), (3, 7))
        action = booking.with_user(self.advisor).action_send_reminder()
        booking.invalidate_recordset(["checklist_done"])
        self.assertEqual(booking.checklist_done, 3, "the reminder is not sent yet")
        self.follow_whatsapp_link(action)
        booking.invalidate_recordset(["checklist_done"])
        self.assertEqual(booking.checklist_done, 4)
        device = booking.activity_ids.filtered(
            lambda a: a.activity_type_id
            == self.env.ref("gema_sop.mail_activity_type_booking_device")
        )
        device.with_user(self.advisor).action_feedback(feedback="HP siap")
        booking.invalidate_recordset(["checklist_done", "checklist_progress"])
        self.assertEqual(booking.checklist_done, 5)
        self.assertAlmostEqual(booking.checklist_progress, 500 / 7)
        done = (
            self.env["mail.activity"]
            .with_context(active_test=False)
            .search(
                [
                    ("res_id", "=", booking.id),
                    ("res_model", "=", "gema.booking"),
                    ("active", "=", False),
                ]
            )
        )
        self.assertEqual(len(done), 5)
        self.assertIn(device, done)
        self.assertEqual(device.user_id, self.advisor)
        self.assertTrue(device.date_done)
        noted = booking.message_ids.filtered(
            lambda m: m.mail_activity_type_id == device.activity_type_id
        )
        self.assertIn("HP siap", noted.body)
        booking.action_launch_checklist()
        booking.invalidate_recordset(["checklist_total"])
        self.assertEqual(booking.checklist_total, 7)

    # BK-10, G-3: both languages ---------------------------------------------

    def test_refusals_in_both_languages(self):
        """G-3: refusals are clear in English and in Indonesian."""
        booking = self._request()
        with self.assertRaisesBilingual(
            UserError,
            "cannot go from Request to Arrived",
            "tidak dapat diubah dari Permintaan ke Datang",
        ) as run:
            run(lambda env: booking.with_env(env).action_arrive())
        booking.write({"employee_id": self.tech.id, "start": wib(23, 7)})
        with self.assertRaisesBilingual(
            ValidationError, "is in the past", "sudah lewat"
        ) as run:
            run(lambda env: booking.with_env(env).action_confirm())

    def test_bk10_g3_confirmation_in_the_customer_language(self):
        """BK-10, G-3: an Indonesian customer gets the polite Indonesian
        confirmation; an English one the English text."""
        booking = self._booking()
        self.assertEqual(booking.partner_id.lang, "id_ID")
        body = (
            self.env["gema.message"]
            .search([("res_model", "=", "gema.booking"), ("res_id", "=", booking.id)])
            .body
        )
        self.assertIn("Yth. Bapak/Ibu Budi Santoso", body)
        self.assertIn("Terima kasih", body)
        self.assertIn("Selasa, 24 November 2026", body)
        self.env["res.lang"]._activate_lang("en_US")
        english = self._request(customer_phone="0812-9999-0000", license_plate="BK 5 E")
        english.partner_id.sudo().lang = "en_US"
        english.write({"employee_id": self.tech2.id, "start": wib(24, 9)})
        english.action_confirm()
        body = (
            self.env["gema.message"]
            .search([("res_model", "=", "gema.booking"), ("res_id", "=", english.id)])
            .body
        )
        self.assertIn("Dear Budi Santoso", body)
        self.assertIn("Tuesday, 24 November 2026", body)
