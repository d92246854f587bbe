"""What a booking, a vehicle, a chat and a follow-up accept, whoever sends
it: the backend form, a chat handover, XML-RPC or the public page (BK-3,
robustness).

One validator (``gema.booking._validate_values``) checks the BK-3
data for every caller: text only, no control characters or markup, the
field's length, a mobile number, a plate of ASCII letters and digits.
"""

from odoo.exceptions import ValidationError
from odoo.tests import tagged

from ..tools import normalize_plate, normalize_whatsapp
from .booking_common import BookingCase, wib


@tagged("post_install", "-at_install")
class TestBookingInput(BookingCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.activate_indonesian()
        cls.Booking = cls.env["gema.booking"].with_user(cls.advisor)

    def _create(self, lang="en_US", **values):
        """A booking made through the ORM's create, as the backend form and
        XML-RPC do."""
        vals = {
            "customer_name": "Budi Santoso",
            "customer_phone": "0812-3456-7890",
            "license_plate": "BK 1234 ABC",
            "vehicle_type": "Toyota Avanza",
            "service_type_id": self.service.id,
            "channel": "phone",
            "company_id": self.branch.id,
            "requested_start": wib(24, 9),
        }
        vals.update(values)
        return self.Booking.with_context(lang=lang).create(vals)

    # Plates ----------------------------------------------------------------

    def test_bk3_plate_digits_and_letters_are_ascii(self):
        """BK-3: fullwidth letters and digits (a CJK keyboard) become plain
        ones; Arabic-Indic digits, a dotless i (which upper-cases to I) or
        an eszett (to SS) are refused, never converted."""
        env = self.env
        self.assertEqual(
            normalize_plate(env, "\uff22\uff2b \uff11\uff12\uff13\uff14 ab"),
            "BK 1234 AB",
        )
        self.assertEqual(normalize_plate(env, "b.k/12_34-ab"), "BK 1234 AB")
        for wrong in (
            "BK \u0661\u0662\u0663\u0664 AB",
            "BK \u0967\u0968 AB",
            "BK 1234 \u0131X",
            "BK 12 \u00df",
            "BK\n1234",
            "BK\x001234",
            "B" + " " * 30 + "K 1",
        ):
            with self.subTest(plate=wrong), self.assertRaises(ValidationError):
                normalize_plate(env, wrong)

    def test_bk3_empty_or_blank_plate_refused_by_name(self):
        """BK-3: a vehicle, and a booking, without a plate, with an empty or
        a blank one is refused with the field named (not Odoo's anonymous
        "a mandatory field is not set"); nothing is created."""
        Vehicle = self.env["gema.vehicle"].with_user(self.advisor)
        for plate in ("", "   ", "\u3000", False):
            with self.assertRaisesBilingual(
                ValidationError,
                "License Plate: Please fill in this field.",
                "Nomor Polisi: Mohon isi kolom ini.",
            ) as run:
                run(
                    lambda env, plate=plate: Vehicle.with_context(lang=env.lang).create(
                        {"license_plate": plate, "vehicle_type": "Avanza"}
                    )
                )
                run(
                    lambda env, plate=plate: self._create(
                        lang=env.lang, license_plate=plate
                    )
                )
        with self.assertRaises(ValidationError) as caught:
            Vehicle.create({"vehicle_type": "Avanza"})
        self.assertIn(
            "License Plate: Please fill in this field.", str(caught.exception)
        )
        booking = self._create()
        with self.assertRaises(ValidationError):
            booking.write({"license_plate": " "})
        with self.assertRaises(ValidationError):
            booking.vehicle_id.with_user(self.advisor).write({"license_plate": ""})
        self.assertEqual(booking.license_plate, "BK 1234 ABC")
        self.assertEqual(self.env["gema.booking"].search_count([]), 1)

    # Numbers ---------------------------------------------------------------

    def test_bk3_whatsapp_number_is_a_mobile_number(self):
        """BK-3, CS-2, FU-1: the customer's number must reach WhatsApp:
        Indonesian mobiles in any typing and foreign mobiles with their
        country code are accepted; a landline, a toll-free number, letters
        or an extension are refused."""
        env = self.env
        for typed, e164 in (
            ("0812-3456-7890", "+6281234567890"),
            ("+62 812 3456 7890", "+6281234567890"),
            ("6281234567890", "+6281234567890"),
            ("\uff10\uff18\uff11\uff12 3456 7890", "+6281234567890"),
            ("+60 12-345 6789", "+60123456789"),
            ("+65 9123 4567", "+6591234567"),
            # The United States do not tell mobiles from landlines.
            ("+1 650 253 0000", "+16502530000"),
        ):
            with self.subTest(typed=typed):
                self.assertEqual(normalize_whatsapp(env, typed), e164)
        for wrong in (
            "021 555 1234",
            "+62 21 555 1234",
            "0800 1234 567",
            "0812-CALL-ME",
            "0812 3456 7890 ext. 1",
            "\u0660\u0668\u0661\u0662\u0663\u0664\u0665\u0666\u0667\u0668",
            "0812\x003456",
        ):
            with self.subTest(typed=wrong), self.assertRaises(ValidationError):
                normalize_whatsapp(env, wrong)
        with self.assertRaisesBilingual(
            ValidationError,
            "WhatsApp Number: The number 021 555 1234 is not a mobile number",
            "Nomor WhatsApp: Nomor 021 555 1234 bukan nomor ponsel",
        ) as run:
            run(lambda env: self._create(lang=env.lang, customer_phone="021 555 1234"))

    def test_cs2_fu1_chat_and_follow_up_take_mobile_numbers(self):
        """CS-2, FU-1: a chat typed in with a landline is refused; a
        follow-up of a customer with a landline only is marked "not valid"
        (the review link goes by WhatsApp); a number WhatsApp itself
        delivered is taken as it is (a business may write from a
        landline)."""
        Conversation = self.env["gema.conversation"].with_user(self.users["cs"])
        with self.assertRaisesBilingual(
            ValidationError, "is not a mobile number", "bukan nomor ponsel"
        ) as run:
            run(
                lambda env: Conversation.with_context(lang=env.lang).create(
                    {"customer_phone": "021 555 1234", "channel": "instagram"}
                )
            )
        inbound = (
            self.env["gema.conversation"]
            .sudo()
            ._receive_whatsapp(
                self.branch, "+62215551234", "PT Armada Medan", "Halo", None, None
            )
        )
        self.assertEqual(inbound.customer_phone, "+62215551234")
        self.assertEqual(inbound.partner_id.gema_whatsapp_e164, "+62215551234")
        landline = self.env["res.partner"].create(
            {"name": "Toko Sejahtera", "phone": "021 555 1234"}
        )
        mobile_in_phone = self.env["res.partner"].create(
            {"name": "Rudi", "mobile": "021 555 9999", "phone": "0813-2222-3333"}
        )
        followups = self.env["gema.followup"].new({"partner_id": landline.id})
        followups |= self.env["gema.followup"].new({"partner_id": mobile_in_phone.id})
        self.assertEqual(followups.mapped("phone_status"), ["invalid", "valid"])
        self.assertEqual(followups[1].customer_phone, "+6281322223333")

    def test_cs2_whatsapp_profile_name_kept_only_as_plain_text(self):
        """CS-2, robustness: a WhatsApp profile name is the sender's choice;
        one with markup or control characters is not kept."""
        conversation = (
            self.env["gema.conversation"]
            .sudo()
            ._receive_whatsapp(
                self.branch, "+6281299990000", "<b>Promo</b>\x00", "Halo", None, None
            )
        )
        self.assertEqual(conversation.partner_id.name, "+6281299990000")
        self.assertEqual(conversation.customer_name, "+6281299990000")

    # Text ------------------------------------------------------------------

    def test_robustness_only_plain_text_is_stored(self):
        """Robustness: the BK-3 text fields take text only (no list, number,
        dictionary or bytes), without NUL or other control characters, bidi
        overrides or markup, within their length; each refusal names the
        field, through create, write and the request alike, and nothing is
        stored."""
        cases = [
            ("customer_name", ["Budi"], "Customer Name: Please type text here."),
            ("customer_name", {"a": 1}, "Customer Name: Please type text here."),
            ("vehicle_type", 42, "Vehicle Type: Please type text here."),
            ("complaint", b"Rem", "Complaint or Request: Please type text here."),
            ("customer_phone", 81234567890, "WhatsApp Number: The phone number"),
            ("license_plate", ["BK 1 A"], "License Plate: The licence plate must"),
            ("customer_name", "Budi\x00", "Customer Name: Please use letters"),
            ("customer_name", "Budi\nSantoso", "Customer Name: Please use letters"),
            ("customer_name", "\u202eosotnaS", "Customer Name: Please use letters"),
            ("vehicle_type", "Avanza\x1b[31m", "Vehicle Type: Please use letters"),
            ("complaint", "Rem\x00", "Complaint or Request: Please use letters"),
            ("complaint", "<img src=x>", "Complaint or Request: Markup such as"),
            ("complaint", "x" * 1001, "at most 1000 characters"),
            ("customer_name", "B" * 101, "at most 100 characters"),
        ]
        for name, value, message in cases:
            for make in (self._create, self._request):
                with (
                    self.subTest(field=name, value=value, make=make.__name__),
                    self.assertRaises(ValidationError) as caught,
                ):
                    make(**{name: value})
                self.assertIn(message, str(caught.exception))
        booking = self._create()
        with self.assertRaises(ValidationError):
            booking.write({"customer_name": "Budi\x00"})
        self.assertEqual(self.env["gema.booking"].search_count([]), 1)
        self.assertEqual(booking.customer_name, "Budi Santoso")

    def test_robustness_plain_text_kept_as_typed(self):
        """Robustness: what people really write is kept: line breaks and
        tabs in the complaint, a lone < or > (``<3``, ``< 2 bar``), emoji,
        accents; names lose their outer and repeated spaces."""
        booking = self._request(
            customer_name="  Budi   Santoso ",
            complaint="Rem bunyi <3 kali\n\ttekanan < 2 bar > 1 \U0001f697",
            vehicle_type="Daihatsu Xenia \u00e9",
        )
        self.assertEqual(booking.customer_name, "Budi Santoso")
        self.assertEqual(
            booking.complaint, "Rem bunyi <3 kali\n\ttekanan < 2 bar > 1 \U0001f697"
        )
        self.assertEqual(booking.vehicle_type, "Daihatsu Xenia \u00e9")

    def test_robustness_ids_no_record_can_have_are_refused(self):
        """Robustness: a branch or service id that no record can have (past
        PostgreSQL's 32 bits, negative, text) is "choose a branch", not a
        database error."""
        for wrong in (2**40, -1, "1; DROP TABLE", [1]):
            with (
                self.subTest(company_id=wrong),
                self.assertRaisesRegex(ValidationError, "Choose a branch."),
            ):
                self._request(company_id=wrong)
        with self.assertRaisesRegex(ValidationError, "The request key is not valid"):
            self._request(request_key="key\x00")
