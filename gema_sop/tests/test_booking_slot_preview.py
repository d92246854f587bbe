"""BK-4, BK-5, BK-7, BK-9: the free-slot wizard lists the times grouped,
marks the requested (or nearest) one, and shows the confirmation before
it books and sends it."""

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import tagged

from .booking_common import BookingCase, wib

CONFIRMATION = "gema_sop.mail_template_booking_confirmation"


@tagged("post_install", "-at_install")
class TestBookingSlotPreview(BookingCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.activate_indonesian()

    def _wizard(self, booking, user=None):
        user = user or self.advisor
        action = booking.with_user(user).action_find_slots()
        return (
            self.env["gema.booking.slot.wizard"]
            .with_user(user)
            .browse(action["res_id"])
        )

    def _hold(self, employee, start, stop):
        """Another booking's slot (any record holds a technician)."""
        return self.env["gema.technician.slot"]._hold(
            self.branch, employee, start, stop
        )

    def _messages(self, booking):
        return self.env["gema.message"].search(
            [("res_model", "=", "gema.booking"), ("res_id", "=", booking.id)]
        )

    def _line(self, wizard, start, employee=None):
        return wizard.line_ids.filtered(
            lambda line: line.start == start
            and line.employee_id == (employee or self.tech)
        )

    def assertUntouched(self, booking, chatter):
        """Nothing booked, held, sent or logged."""
        booking.invalidate_recordset()
        self.assertRecordValues(
            booking,
            [
                {
                    "state": "request",
                    "employee_id": False,
                    "start": False,
                    "access_token": False,
                    "slot_id": False,
                }
            ],
        )
        self.assertFalse(self._messages(booking))
        self.assertEqual(booking.message_ids, chatter)
        self.assertFalse(
            self.env["gema.technician.slot"].search(
                [("res_model", "=", "gema.booking"), ("res_id", "=", booking.id)]
            )
        )

    def test_bk4_bk7_grouped_by_time_requested_first_and_marked(self):
        """BK-4, BK-7: the free slots are grouped by time, each time listing
        its technicians under one heading; the customer's requested time
        comes first, marked Requested."""
        wizard = self._wizard(self._request())
        lines = wizard.line_ids
        self.assertTrue(wizard.requested_free)
        self.assertEqual(
            [(line.start, line.employee_id, line.mark) for line in lines[:2]],
            [
                (wib(24, 9), self.tech2, "requested"),
                (wib(24, 9), self.tech, "requested"),
            ],
        )
        self.assertEqual(lines[:2].mapped("group_first"), [True, False])
        self.assertFalse((lines - lines[:2]).filtered("mark"))
        # One heading per time, and each time's lines together.
        headings = lines.filtered("group_first").mapped("start")
        self.assertEqual(len(headings), len(set(lines.mapped("start"))))
        self.assertEqual(headings[1:], sorted(headings[1:]))
        for line, previous in zip(lines[1:], lines, strict=False):
            self.assertEqual(line.group_first, line.start != previous.start)
        self.assertEqual(
            dict(
                wizard.line_ids._fields["mark"]._description_selection(
                    self.env(context={"lang": "id_ID"})
                )
            ),
            {"requested": "Sesuai permintaan", "nearest": "Terdekat"},
        )

    def test_bk7_nearest_marked_when_requested_taken(self):
        """BK-7: when the requested time is taken, the nearest free times
        come first; the nearest of them (one hour before and one hour after)
        are marked Nearest, with every technician free then."""
        self._hold(self.tech, wib(24, 9), wib(24, 10))
        self._hold(self.tech2, wib(24, 9), wib(24, 10))
        wizard = self._wizard(self._request())
        self.assertFalse(wizard.requested_free)
        nearest = wizard.line_ids.filtered(lambda line: line.mark == "nearest")
        self.assertEqual(nearest, wizard.line_ids[:4])
        self.assertEqual(
            sorted((line.start, line.employee_id.id) for line in nearest),
            sorted(
                (start, employee.id)
                for start in (wib(24, 8), wib(24, 10))
                for employee in (self.tech, self.tech2)
            ),
        )
        self.assertEqual(nearest.mapped("group_first"), [True, False, True, False])
        self.assertFalse(
            wizard.line_ids.filtered(lambda line: line.mark == "requested")
        )

    def test_bk5_preview_in_indonesian_then_confirm_and_send(self):
        """BK-5, BK-10: Book shows the Indonesian confirmation, channel,
        number, technician and time while the booking stays untouched and
        nothing is sent or logged; Back leaves it so; Confirm and Send
        books that slot and prepares exactly that text, logged only once the
        advisor has sent it."""
        booking = self._request()
        chatter = booking.message_ids
        wizard = self._wizard(booking)
        line = self._line(wizard, wib(24, 9))
        action = line.action_preview()
        self.assertEqual(
            (action["res_model"], action["res_id"]), (wizard._name, wizard.id)
        )
        self.assertRecordValues(
            wizard,
            [
                {
                    "line_id": line.id,
                    "preview_employee_id": self.tech.id,
                    "preview_start": wib(24, 9),
                    "preview_stop": wib(24, 10),
                    "preview_channel": "whatsapp_link",
                    "preview_recipient": "+6281234567890",
                }
            ],
        )
        self.assertIn("Yth. Bapak/Ibu Budi Santoso", wizard.preview_body)
        self.assertIn("Selasa, 24 November 2026", wizard.preview_body)
        self.assertIn("09:00", wizard.preview_body)
        self.assertIn(f"access_token={wizard.preview_token}", wizard.preview_body)
        self.assertUntouched(booking, chatter)

        wizard.action_back()
        self.assertFalse(wizard.line_id)
        self.assertFalse(wizard.preview_body)
        self.assertUntouched(booking, chatter)

        line.action_preview()
        shown = wizard.preview_body
        result = wizard.action_confirm_send()
        self.assertRecordValues(
            booking,
            [{"state": "confirmed", "employee_id": self.tech.id, "start": wib(24, 9)}],
        )
        message = self._messages(booking)
        self.assertRecordValues(
            message,
            [
                {
                    "state": "draft",
                    "channel": "whatsapp_link",
                    "phone": "+6281234567890",
                    "body": shown,
                    "template_id": self.env.ref(CONFIRMATION).id,
                }
            ],
        )
        self.assertFalse(message.mail_message_id)
        self.follow_whatsapp_link(result)
        self.assertEqual(message.state, "sent")

    def test_bk5_preview_in_english(self):
        """BK-5, G-3: an English-speaking customer's confirmation is shown
        in English."""
        self.env["res.lang"]._activate_lang("en_US")
        booking = self._request()
        booking.partner_id.sudo().lang = "en_US"
        wizard = self._wizard(booking)
        self._line(wizard, wib(24, 9), self.tech2).action_preview()
        self.assertIn("Dear Budi Santoso", wizard.preview_body)
        self.assertIn("Tuesday, 24 November 2026", wizard.preview_body)
        self.assertEqual(wizard.preview_employee_id, self.tech2)
        self.assertFalse(self._messages(booking))

    def test_bk5_preview_then_gateway_queues_on_confirm(self):
        """BK-5: with the branch's gateway on, the preview says the message
        goes automatically; it is queued only on Confirm and Send (the
        customer agreed to WhatsApp messages, G-5)."""
        self.branch.write(
            {
                "gema_whatsapp_gateway_enabled": True,
                "gema_whatsapp_api_url": "http://127.0.0.1:9",
                "gema_whatsapp_phone_number_id": "123",
            }
        )
        booking = self._request(whatsapp_opt_in=True)
        chatter = booking.message_ids
        wizard = self._wizard(booking)
        self._line(wizard, wib(24, 9)).action_preview()
        self.assertEqual(wizard.preview_channel, "whatsapp_api")
        self.assertUntouched(booking, chatter)
        self.assertEqual(
            wizard.action_confirm_send(), {"type": "ir.actions.act_window_close"}
        )
        message = self._messages(booking)
        self.assertEqual((message.channel, message.state), ("whatsapp_api", "queued"))
        self.assertEqual(booking.state, "confirmed")

    def test_bk9_reschedule_preview_keeps_the_booking_until_confirmed(self):
        """BK-9: the preview of a move shows the new time; the booking keeps
        its time and its technician's hold until Confirm and Send."""
        booking = self._booking()
        slot = booking.slot_id
        sent = self._messages(booking)
        action = booking.with_user(self.advisor).action_reschedule()
        wizard = (
            self.env["gema.booking.slot.wizard"]
            .with_user(self.advisor)
            .browse(action["res_id"])
        )
        line = self._line(wizard, wib(24, 11), self.tech2)
        line.action_preview()
        self.assertIn("11:00", wizard.preview_body)
        booking.invalidate_recordset()
        self.assertRecordValues(
            booking,
            [{"employee_id": self.tech.id, "start": wib(24, 9), "slot_id": slot.id}],
        )
        self.assertTrue(slot.active)
        self.assertEqual(self._messages(booking), sent)
        wizard.action_confirm_send()
        self.assertRecordValues(
            booking, [{"employee_id": self.tech2.id, "start": wib(24, 11)}]
        )
        self.assertFalse(slot.active)

    def test_refusals_in_both_languages_leave_everything_untouched(self):
        """BK-4, G-3, robustness: a slot taken since the list was made, a
        booking cancelled meanwhile, and Confirm and Send without a preview
        are refused in English and Indonesian; nothing is booked or sent."""
        booking = self._request()
        chatter = booking.message_ids
        wizard = self._wizard(booking)
        with self.assertRaisesBilingual(
            UserError, "Choose a free slot with Book first", "Pilih slot kosong"
        ) as run:
            run(lambda env: wizard.with_env(env).action_confirm_send())
        line = self._line(wizard, wib(24, 9))
        self._hold(self.tech, wib(24, 9), wib(24, 10))
        with self.assertRaisesBilingual(
            ValidationError, "is already booked from", "sudah dipesan dari"
        ) as run:
            run(lambda env: line.with_env(env).action_preview())
        self.assertFalse(wizard.line_id)
        self.assertUntouched(booking, chatter)

        line = self._line(wizard, wib(24, 9), self.tech2)
        booking.action_cancel()
        with self.assertRaisesBilingual(
            UserError,
            "cannot go from Cancelled to Confirmed",
            "tidak dapat diubah dari Dibatalkan ke Dikonfirmasi",
        ) as run:
            run(lambda env: line.with_env(env).action_preview())
        self.assertFalse(wizard.line_id)
        self.assertFalse(self._messages(booking))

    def test_security_roles_of_the_preview(self):
        """Security, BK-5: the service advisor and the CS officer preview and
        confirm; the technician and logistics reach neither the wizard's
        slots nor its preview or confirmation."""
        for role, employee in (("advisor", self.tech), ("cs", self.tech2)):
            with self.subTest(role=role):
                user = self.users[role]
                booking = self._request(user=user, license_plate=f"BK {len(role)} SP")
                wizard = self._wizard(booking, user)
                self._line(wizard, wib(24, 9), employee).action_preview()
                self.assertTrue(wizard.preview_body)
                self.assertTrue(wizard.action_confirm_send())
                self.assertEqual(booking.state, "confirmed")
        booking = self._request(license_plate="BK 77 SP")
        wizard = self._wizard(booking)
        line = self._line(wizard, wib(24, 10))
        for role in ("technician", "logistics"):
            with self.subTest(role=role):
                user = self.users[role]
                with self.assertRaises(AccessError):
                    line.with_user(user).action_preview()
                with self.assertRaises(AccessError):
                    wizard.with_user(user).action_confirm_send()
                with self.assertRaises(AccessError):
                    wizard.with_user(user).action_back()
        self.assertFalse(wizard.line_id)
        self.assertEqual(booking.state, "request")
        self.assertFalse(self._messages(booking))
