"""Staff record a new customer in their own SOP step, and a number is never
silently linked to someone of another name (BK-1, BK-3, CS-2, AS-1).

CS officers and service advisors have no right to create contacts in
Odoo; the customer of a chat, a walk-in job, a ticket or a booking is
found or created from the name and WhatsApp number they type. When the
number is another-named customer's, the form shows whose it is and asks.
"""

from odoo.exceptions import AccessError, ValidationError
from odoo.tests import Form, tagged

from .booking_common import BookingCase, wib


@tagged("post_install", "-at_install")
class TestCustomerLink(BookingCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.activate_indonesian()
        cls.cs = cls.users["cs"]
        cls.rina = cls.env["res.partner"].create(
            {"name": "Rina Sitorus", "mobile": "0812-7000-1111"}
        )
        cls.Partner = cls.env["res.partner"]

    def _conversation_form(self, user=None):
        return Form(
            self.env["gema.conversation"]
            .with_user(user or self.cs)
            .with_company(self.branch)
        )

    def _customers_of(self, number):
        return self.Partner.search([("gema_whatsapp_e164", "=", number)])

    # Whoever's step records the customer can ------------------------------

    def test_cs2_cs_officer_records_a_new_customer_on_every_channel(self):
        """CS-2: a CS officer, who may not create contacts in Odoo, saves a
        chat of any channel for a number Odoo does not know: the customer
        is created with the name and number typed."""
        with self.assertRaises(AccessError):
            self.Partner.with_user(self.cs).create({"name": "Not This Way"})
        channels = self.env["gema.conversation"]._fields["channel"].selection
        for index, (channel, _label) in enumerate(channels):
            with self.subTest(channel=channel):
                form = self._conversation_form()
                form.channel = channel
                form.customer_name = f"Pelanggan Baru {index}"
                form.customer_phone = f"0813-4000-00{index:02d}"
                conversation = form.save()
                partner = conversation.partner_id
                self.assertEqual(partner.name, f"Pelanggan Baru {index}")
                self.assertEqual(partner.gema_whatsapp_e164, f"+62813400000{index:02d}")
                self.assertEqual(partner.lang, "id_ID")

    def test_st_advisor_records_a_walk_in_customer_and_vehicle(self):
        """A service advisor opens a walk-in job for a customer and a
        vehicle Odoo does not know: the vehicle is created, the customer
        from the name and number typed, and the vehicle is theirs."""
        vehicle = (
            self.env["gema.vehicle"]
            .with_user(self.advisor)
            .create({"license_plate": "bk 88 new", "vehicle_type": "Honda Brio"})
        )
        form = Form(
            self.env["gema.service.job"]
            .with_user(self.advisor)
            .with_company(self.branch)
        )
        form.vehicle_id = vehicle
        self.assertFalse(form.partner_id)
        form.customer_name = "Andi Lubis"
        form.customer_phone = "0852-1111-2222"
        form.complaint = "Mesin bergetar"
        job = form.save()
        self.assertEqual(job.partner_id.name, "Andi Lubis")
        self.assertEqual(job.partner_id.gema_whatsapp_e164, "+6285211112222")
        self.assertEqual(vehicle.partner_id, job.partner_id)

    def test_bk1_advisor_records_a_walk_in_booking(self):
        """BK-1: a walk-in booking by the service advisor creates its
        customer and vehicle."""
        form = Form(self.env["gema.booking"].with_user(self.advisor))
        form.channel = "walk_in"
        form.customer_name = "Dewi Lestari"
        form.customer_phone = "0811-6000-7000"
        form.license_plate = "bk 5 dl"
        form.vehicle_type = "Toyota Rush"
        form.service_type_id = self.service
        booking = form.save()
        self.assertEqual(booking.partner_id.name, "Dewi Lestari")
        self.assertEqual(booking.vehicle_id.partner_id, booking.partner_id)

    def test_as1_cs_officer_records_a_new_caller_on_a_ticket(self):
        """AS-1: a caller who is no customer yet gets a ticket: the CS
        officer types their name and number instead of a contact."""
        form = Form(
            self.env["gema.ticket"].with_user(self.cs).with_company(self.branch)
        )
        form.customer_name = "Hasan Nasution"
        form.customer_phone = "0821-3000-4000"
        form.product_name = "Aki 12V 45Ah"
        form.chronology = "Aki soak setelah dua minggu."
        ticket = form.save()
        self.assertEqual(ticket.partner_id.name, "Hasan Nasution")
        self.assertEqual(ticket.partner_id.gema_whatsapp_e164, "+6282130004000")

    # A number of another name is shown and confirmed -----------------------

    def test_cs2_number_of_another_name_is_shown_and_must_be_confirmed(self):
        """CS-2: Yusuf Harahap typed with Rina Sitorus's number: the form
        shows whose number it is and asks; saving without a choice is
        refused (in both languages), never linked silently."""
        form = self._conversation_form()
        form.channel = "whatsapp"
        form.customer_name = "Yusuf Harahap"
        form.customer_phone = "0812 7000 1111"
        self.assertEqual(form.gema_number_customer, "Rina Sitorus")
        with self.assertRaisesRegex(AssertionError, "customer_link is a required"):
            form.save()
        Conversation = self.env["gema.conversation"].with_user(self.cs)
        with self.assertRaisesBilingual(
            ValidationError,
            "The WhatsApp number +6281270001111 belongs to the customer Rina "
            "Sitorus, not to Yusuf Harahap.",
            "Nomor WhatsApp +6281270001111 milik pelanggan Rina Sitorus, bukan "
            "Yusuf Harahap.",
        ) as run:
            run(
                lambda env: Conversation.with_context(lang=env.lang).create(
                    {
                        "channel": "whatsapp",
                        "customer_name": "Yusuf Harahap",
                        "customer_phone": "0812 7000 1111",
                    }
                )
            )
        self.assertFalse(self.env["gema.conversation"].search([]))
        self.assertEqual(self._customers_of("+6281270001111"), self.rina)

    def test_cs2_confirmed_link_keeps_the_name_typed(self):
        """CS-2: "link to the number's customer": the chat is Rina's, and
        the name typed (a family member on her phone) stays on it."""
        form = self._conversation_form()
        form.channel = "whatsapp"
        form.customer_name = "Yusuf Harahap"
        form.customer_phone = "0812 7000 1111"
        form.customer_link = "existing"
        conversation = form.save()
        self.assertEqual(conversation.partner_id, self.rina)
        self.assertEqual(conversation.customer_name, "Yusuf Harahap")
        self.assertFalse(conversation.gema_number_customer)

    def test_cs2_number_changed_hands_makes_a_new_customer(self):
        """CS-2: "create a new customer": Yusuf gets his own customer with
        the number; later chats find each of them by number and name."""
        form = self._conversation_form()
        form.channel = "whatsapp"
        form.customer_name = "Yusuf Harahap"
        form.customer_phone = "0812 7000 1111"
        form.customer_link = "new"
        yusuf = form.save().partner_id
        self.assertNotEqual(yusuf, self.rina)
        self.assertEqual(yusuf.name, "Yusuf Harahap")
        self.assertEqual(self._customers_of("+6281270001111"), yusuf | self.rina)
        for name, partner in (("Yusuf Harahap", yusuf), ("Ibu Rina", self.rina)):
            form = self._conversation_form()
            form.channel = "instagram"
            form.customer_name = name
            form.customer_phone = "+62 812-7000-1111"
            self.assertFalse(form.gema_number_customer)
            self.assertEqual(form.save().partner_id, partner)

    def test_bk3_same_person_written_otherwise_is_linked_without_asking(self):
        """BK-3: "Pak Budi" or "budi santoso" is the customer Budi Santoso
        (forms of address and case aside); "Budi Harahap" is not."""
        budi = self.Partner.create({"name": "Budi Santoso", "mobile": "0812-1234-0000"})
        for name in ("Pak Budi", "budi  santoso", "BUDI"):
            with self.subTest(name=name):
                booking = self._request(
                    customer_name=name, customer_phone="0812-1234-0000"
                )
                self.assertEqual(booking.partner_id, budi)
        with self.assertRaisesRegex(ValidationError, "belongs to the customer Budi"):
            self._request(customer_name="Budi Harahap", customer_phone="081212340000")

    def test_bk1_g5_website_request_is_linked_and_the_staff_see_the_name(self):
        """BK-1, G-5: the website visitor cannot be asked (nor told whose
        number it is): the request is linked to the number's customer and
        the branch sees that the name given differs."""
        booking = (
            self.env["gema.booking"]
            .sudo()
            ._create_request(
                {
                    "customer_name": "Yusuf Harahap",
                    "customer_phone": "0812-7000-1111",
                    "license_plate": "BK 9 YH",
                    "vehicle_type": "Avanza",
                    "complaint": "Servis berkala",
                    "requested_start": wib(24, 9),
                    "channel": "website",
                    "company_id": self.branch.id,
                }
            )
        )
        self.assertEqual(booking.partner_id, self.rina)
        self.assertEqual(booking.customer_name, "Yusuf Harahap")
        as_advisor = booking.with_user(self.advisor)
        self.assertEqual(as_advisor.gema_number_customer, "Rina Sitorus")
        for role in ("technician", "logistics"):
            with self.subTest(role=role):
                fields = booking.with_user(self.users[role]).fields_get()
                self.assertNotIn("gema_number_customer", fields)
                self.assertNotIn("customer_link", fields)

    # A batch is linked as one record after the other would be -------------

    def _batch_values(self, *people):
        return [
            {
                "customer_name": name,
                "customer_phone": phone,
                "license_plate": plate,
                "vehicle_type": "Toyota Avanza",
                "service_type_id": self.service.id,
                "requested_start": wib(24, 9),
                "channel": "whatsapp",
                "company_id": self.branch.id,
            }
            for name, phone, plate in people
        ]

    def test_bk3_a_batch_finds_creates_and_shares_customers_and_vehicles(self):
        """BK-3: bookings created together (an import, an API call) get the
        customers and vehicles one after the other would: a known number
        its customer, a new number one new customer for every booking of
        the batch with it, a plate one vehicle in the branch, owned by its
        first customer."""
        Booking = self.env["gema.booking"].with_user(self.advisor)
        bookings = Booking.create(
            self._batch_values(
                ("Rina Sitorus", "0812-7000-1111", "BK 1 AA"),
                ("Dewi Lestari", "0813-5000-0001", "BK 2 AA"),
                ("Bu Dewi", "+62 813 5000 0001", "bk2aa"),
                ("Agus Salim", "0813-5000-0002", "BK 3 AA"),
            )
        )
        self.assertEqual(bookings[0].partner_id, self.rina)
        self.assertEqual(bookings[1].partner_id, bookings[2].partner_id)
        self.assertEqual(bookings[1].partner_id.name, "Dewi Lestari")
        self.assertEqual(len(self._customers_of("+6281350000001")), 1)
        self.assertEqual(bookings[3].partner_id.name, "Agus Salim")
        self.assertEqual(bookings[3].partner_id.lang, "id_ID")
        self.assertEqual(bookings[1].vehicle_id, bookings[2].vehicle_id)
        self.assertEqual(bookings[1].vehicle_id.partner_id, bookings[1].partner_id)
        self.assertEqual(len(bookings.vehicle_id), 3)
        self.assertEqual(
            bookings.vehicle_id.mapped("license_plate"),
            ["BK 1 AA", "BK 2 AA", "BK 3 AA"],
        )

    def test_bk3_a_batch_with_one_new_number_under_two_names_asks(self):
        """BK-3: two bookings of one batch with the same new number under two
        names that cannot be one person are refused as the second one alone
        would be, and nothing of the batch is kept."""
        Booking = self.env["gema.booking"].with_user(self.advisor)
        with self.assertRaisesRegex(
            ValidationError,
            "The WhatsApp number \\+6281350000009 belongs to the customer "
            "Dewi Lestari, not to Agus Salim",
        ):
            Booking.create(
                self._batch_values(
                    ("Dewi Lestari", "0813-5000-0009", "BK 4 AA"),
                    ("Agus Salim", "0813-5000-0009", "BK 5 AA"),
                )
            )
        self.assertFalse(self._customers_of("+6281350000009"))
        # Chosen: the second is a new customer of the number.
        values = self._batch_values(
            ("Dewi Lestari", "0813-5000-0009", "BK 4 AA"),
            ("Agus Salim", "0813-5000-0009", "BK 5 AA"),
        )
        values[1]["customer_link"] = "new"
        bookings = Booking.create(values)
        self.assertEqual(
            bookings.partner_id.mapped("name"), ["Dewi Lestari", "Agus Salim"]
        )
