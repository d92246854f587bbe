"""Customers' contact data stay with the desk (G-5; ST, BK-4 and AS-6 roles).

Trust rule: technicians and logistics never read a customer's phone,
mobile, email or address, by any path: the ORM (read, search_read,
name_search, a search through a job, export), the many2one display names,
the chatter (messages, followers, suggested recipients, activities), the
web client's reads and the portal pages. They still read what their work
needs: the job, its plate, vehicle and complaint, the customer's name;
logistics also the recipient, address and number of a return to ship.
Service advisors, CS officers and the roles above them keep every contact.

Every check looks for the customers' actual numbers, email addresses and
streets in what came back.
"""

import json

from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import HttpCase, new_test_user, tagged

from .service_job_common import ServiceJobCase

DESK_ROLES = ("advisor", "cs", "supervisor", "manager", "sopadmin")
# What a display name may carry with show_address / show_email / show_vat.
CONTACT_CONTEXT = {"show_address": 1, "show_email": 1, "show_vat": 1}


@tagged("post_install", "-at_install")
class TestContactPrivacy(ServiceJobCase, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer.write(
            {
                "phone": "061-4151234",
                "street": "Jl. Sisingamangaraja No. 45",
                "city": "Medan",
                "vat": "01.234.567.8-123.000",
            }
        )
        # A customer of the branch with no job of these technicians.
        cls.neighbour = cls.env["res.partner"].create(
            {
                "name": "Sari Lubis",
                "mobile": "0813-9999-8888",
                "email": "sari@example.com",
                "street": "Jl. Iskandar Muda No. 7",
                "company_id": cls.branch.id,
            }
        )
        # ... who also logs in to the portal with her email address.
        new_test_user(
            cls.env,
            login="sari@example.com",
            groups="base.group_portal",
            partner_id=cls.neighbour.id,
            company_id=cls.branch.id,
            company_ids=[Command.set(cls.branch.ids)],
        )
        cls.SECRETS = [
            "0812-3456-7890",
            "6281234567890",
            "4151234",
            "budi@example.com",
            "Sisingamangaraja",
            "01.234.567.8",
            "0813-9999-8888",
            "6281399998888",
            "sari@example.com",
            "Iskandar Muda",
        ]
        cls.technician_user = cls.users["technician"]
        cls.logistics_user = cls.users["logistics"]
        cls.job = cls.Job.create(
            {
                "partner_id": cls.customer.id,
                "vehicle_id": cls.vehicle.id,
                "company_id": cls.branch.id,
                "user_id": cls.advisor.id,
                "technician_ids": [Command.set(cls.technician.ids)],
                "complaint": "Rem berbunyi saat mengerem",
            }
        )
        cls.ticket = cls._return_to_ship()
        cls.booking = (
            cls.env["gema.booking"]
            .with_user(cls.advisor)
            .create(
                {
                    "customer_name": "Budi Santoso",
                    "customer_phone": "0812-3456-7890",
                    "license_plate": "BK 1234 ABC",
                    "vehicle_type": "Toyota Avanza",
                    "complaint": "Servis berkala",
                    "channel": "whatsapp",
                    "company_id": cls.branch.id,
                    "employee_id": cls.technician.id,
                }
            )
        )
        for record in (cls.job, cls.ticket, cls.booking):
            cls._talk_with_the_customer(record)
        # The H-1 reminder activity carries a WhatsApp link with the number.
        cls.booking.with_user(cls.advisor)._plan_reminder_activity()

    @classmethod
    def _return_to_ship(cls):
        """A ticket the technician analysed, solved, with a return that
        logistics is to ship (AS-4)."""
        ticket = (
            cls.env["gema.ticket"]
            .with_user(cls.users["cs"])
            .with_company(cls.branch)
            .create(
                {
                    "partner_id": cls.customer.id,
                    "company_id": cls.branch.id,
                    "channel": "whatsapp",
                    "product_name": "Aki 12V 45Ah",
                    "chronology": "Aki cepat habis sejak minggu lalu.",
                    "technician_id": cls.technician.id,
                    "return_shipping": True,
                }
            )
        )
        ticket.action_check_warranty()
        ticket.action_start_analysis()
        ticket.write(
            {"analysis_report": "Sel aki nomor 3 rusak.", "solution": "repair"}
        )
        ticket.action_choose_solution()
        ticket.resolution_note = "Sel aki diganti."
        ticket.action_resolve()
        return ticket

    @classmethod
    def _talk_with_the_customer(cls, record):
        """What a record's chatter holds once the desk worked with the
        customer: the customer follows it, the service advisor emailed
        them, they answered by email with their number and address in the
        signature, and the technician has an activity."""
        record.message_subscribe(
            partner_ids=(cls.customer | cls.advisor.partner_id).ids
        )
        record.with_user(cls.users["cs"]).message_post(
            body="Kendaraan Anda sedang kami kerjakan.",
            partner_ids=cls.customer.ids,
            message_type="comment",
            subtype_xmlid="mail.mt_comment",
        )
        record.message_post(
            author_id=cls.customer.id,
            email_from=cls.customer.email_formatted,
            body="Terima kasih. Budi, 0812-3456-7890, Jl. Sisingamangaraja No. 45",
            message_type="email",
            subtype_xmlid="mail.mt_comment",
        )
        record.activity_schedule(
            "mail.mail_activity_data_todo",
            user_id=cls.technician_user.id,
            summary="Periksa kampas rem",
        )

    def assertNoContact(self, data, who):
        """None of the customers' numbers, emails, streets or tax ids is in
        ``data`` (any JSON-able value, or text)."""
        text = data if isinstance(data, str) else json.dumps(data, default=str)
        for secret in self.SECRETS:
            self.assertNotIn(secret.lower(), text.lower(), f"{who} got {secret!r}")

    def _as(self, role, record):
        return record.with_user(self.users[role])

    def _restricted(self):
        """(role, user) of the two roles that must not see contacts."""
        return (
            ("technician", self.technician_user),
            ("logistics", self.logistics_user),
        )

    # The contact records ---------------------------------------------------

    def test_g5_contacts_list_no_customer_for_technicians_and_logistics(self):
        """G-5: res.partner search_read, name_search, counts and @mention
        suggestions give technicians and logistics no customer, so no
        customer's number, email or address; their colleagues and the branch
        stay readable (chatter, addresses). The desk roles still find the
        customers with their contact data."""
        customers = self.customer | self.neighbour
        for role, user in self._restricted():
            Partner = self.env["res.partner"].with_user(user)
            with self.subTest(role=role):
                rows = Partner.search_read(
                    ["|", ("mobile", "!=", False), ("email", "!=", False)],
                    ["name", "phone", "mobile", "email", "street", "vat"],
                )
                self.assertNoContact(rows, role)
                self.assertFalse({r["id"] for r in rows} & set(customers.ids))
                self.assertIn(self.advisor.partner_id.id, [r["id"] for r in rows])
                for name in ("Budi", "Sari", "0812", "example.com"):
                    found = dict(Partner.name_search(name, limit=100))
                    self.assertFalse(set(found) & set(customers.ids), name)
                self.assertEqual(
                    Partner.search_count([("mobile", "=", "0812-3456-7890")]), 0
                )
                self.assertEqual(
                    Partner.search_count(
                        [("gema_whatsapp_e164", "=", "+6281399998888")]
                    ),
                    0,
                )
                mentions = Partner.get_mention_suggestions("Sari")
                self.assertNoContact(mentions, role)
                for partner in customers:
                    with self.assertRaises(AccessError):
                        partner.with_user(user).read(["mobile"])
                branch = self.branch.partner_id.with_user(user)
                self.assertEqual(branch.read(["name"])[0]["name"], self.branch.name)
        for role in DESK_ROLES:
            Partner = self.env["res.partner"].with_user(self.users[role])
            with self.subTest(role=role):
                rows = Partner.search_read(
                    [("id", "in", customers.ids)], ["mobile", "email", "street"]
                )
                self.assertEqual(
                    {r["email"] for r in rows}, {"budi@example.com", "sari@example.com"}
                )
                self.assertIn("Sisingamangaraja", json.dumps(rows))

    def test_g5_no_search_for_a_number_through_jobs_tickets_or_vehicles(self):
        """G-5: a domain through the customer (partner_id.mobile = ...)
        cannot tell a technician or logistics whose number it is."""
        checks = [
            ("technician", "gema.service.job"),
            ("technician", "gema.ticket"),
            ("technician", "gema.vehicle"),
            ("logistics", "gema.ticket"),
            ("logistics", "gema.vehicle"),
        ]
        for role, model in checks:
            Model = self.env[model].with_user(self.users[role])
            with self.subTest(role=role, model=model):
                self.assertTrue(Model.search_count([]))
                for domain in (
                    [("partner_id.mobile", "=", "0812-3456-7890")],
                    [("partner_id.email", "ilike", "budi@")],
                    [("partner_id.street", "ilike", "Sisingamangaraja")],
                ):
                    self.assertEqual(Model.search_count(domain), 0, domain)
        advisor_jobs = self.env["gema.service.job"].with_user(self.advisor)
        self.assertEqual(
            advisor_jobs.search([("partner_id.mobile", "=", "0812-3456-7890")]),
            self.job,
        )

    def test_g5_export_of_jobs_and_tickets_gives_no_contact(self):
        """G-5: a technician or logistics user allowed to export (the
        default of users made in Settings) exports no customer's number,
        email or address through the job's or ticket's customer."""
        allow_export = self.env.ref("base.group_allow_export")
        paths = ["name", "partner_id/mobile", "partner_id/email", "partner_id/street"]
        for role, record in (
            ("technician", self.job),
            ("technician", self.ticket),
            ("logistics", self.ticket),
        ):
            self.users[role].groups_id = [Command.link(allow_export.id)]
            with self.subTest(role=role, model=record._name):
                try:
                    rows = self._as(role, record).export_data(paths)
                except AccessError as error:
                    rows = str(error)
                self.assertNoContact(rows, role)
        self.advisor.groups_id = [Command.link(allow_export.id)]
        rows = self._as("advisor", self.job).export_data(paths)["datas"]
        self.assertEqual(
            rows[0][1:],
            ["0812-3456-7890", "budi@example.com", "Jl. Sisingamangaraja No. 45"],
        )

    # What their work needs -------------------------------------------------

    def _web_spec(self, model, view_type, user, view=None):
        """The web_read specification the web client builds for a view: every
        field of the view, many2ones with their display name."""
        views = (
            self.env[model].with_user(user).get_views([(view and view.id, view_type)])
        )
        spec = {}
        for name in views["models"][model]["fields"]:
            field = self.env[model]._fields[name]
            spec[name] = (
                {"fields": {"display_name": {}}} if field.type == "many2one" else {}
            )
        return spec

    def test_st_technician_reads_the_job_and_the_customers_name_only(self):
        """ST / BK-4 / G-5: a technician opens *My Jobs* (kanban) and the job
        form as the web client reads them, with the job number, plate,
        vehicle, complaint and the customer's name, and no contact data;
        asking the name with show_address / show_email / show_vat (which
        add the address and email to a partner's display name) changes
        nothing for them. Same for the ticket they analyse and the vehicle.
        A manager still gets the email in the display name."""
        technician = self.technician_user
        kanban = self.env.ref("gema_sop.gema_service_job_view_kanban_technician")
        Job = self.env["gema.service.job"].with_user(technician)
        for view_type, view in (("kanban", kanban), ("form", None)):
            spec = self._web_spec("gema.service.job", view_type, technician, view)
            with self.subTest(view=view_type):
                rows = Job.web_search_read([], spec)["records"]
                self.assertEqual([r["id"] for r in rows], self.job.ids)
                self.assertNoContact(rows, "technician")
                [row] = Job.browse(self.job.id).web_read(spec)
                self.assertNoContact(row, "technician")
                self.assertEqual(
                    row["vehicle_id"]["display_name"], "BK 1234 ABC (Toyota Avanza)"
                )
        self.assertEqual(row["partner_id"]["display_name"], "Budi Santoso")
        [row] = Job.browse(self.job.id).read(
            ["name", "license_plate", "vehicle_id", "complaint", "partner_id"]
        )
        self.assertEqual(row["license_plate"], "BK 1234 ABC")
        self.assertEqual(row["vehicle_id"][1], "BK 1234 ABC (Toyota Avanza)")
        self.assertEqual(row["complaint"], "Rem berbunyi saat mengerem")
        self.assertEqual(row["partner_id"], (self.customer.id, "Budi Santoso"))
        records = [
            ("technician", self.job),
            ("technician", self.ticket),
            ("technician", self.vehicle),
            ("logistics", self.ticket),
        ]
        for role, record in records:
            as_user = self._as(role, record).with_context(**CONTACT_CONTEXT)
            with self.subTest(role=role, model=record._name):
                [row] = as_user.read(["partner_id"])
                self.assertEqual(row["partner_id"][1], "Budi Santoso")
                [row] = as_user.web_read(
                    {
                        "partner_id": {
                            "fields": {"display_name": {}},
                            "context": CONTACT_CONTEXT,
                        }
                    }
                )
                self.assertEqual(row["partner_id"]["display_name"], "Budi Santoso")
                groups = as_user.web_read_group([], ["partner_id"], ["partner_id"])
                self.assertNoContact(groups, role)
                with self.assertRaises(AccessError):
                    as_user.web_read({"partner_id": {"fields": {"mobile": {}}}})
        manager_job = self._as("manager", self.job).with_context(show_email=1)
        self.assertIn(
            "<budi@example.com>", manager_job.read(["partner_id"])[0]["partner_id"][1]
        )

    def test_as4_logistics_get_the_delivery_data_of_a_return_to_ship(self):
        """AS-4 / G-5: logistics read the recipient, address and number of a
        return while it is to be shipped, on the ticket (not the customer's
        record); the technician never, and nobody once it is received."""
        logistics = self._as("logistics", self.ticket)
        delivery = ["return_recipient", "return_address", "return_phone"]
        [row] = logistics.read(delivery)
        self.assertEqual(row["return_recipient"], "Budi Santoso")
        self.assertIn("Jl. Sisingamangaraja No. 45", row["return_address"])
        self.assertIn("Medan", row["return_address"])
        self.assertEqual(row["return_phone"], "0812-3456-7890")
        form = logistics.get_views([(False, "form")])["views"]["form"]["arch"]
        self.assertIn('name="return_address"', form)
        self.assertEqual(self._as("cs", self.ticket).return_phone, "0812-3456-7890")
        technician = self._as("technician", self.ticket)
        self.assertFalse(set(delivery) & set(technician.fields_get()))
        with self.assertRaises(AccessError):
            technician.read(["return_address"])
        logistics.write({"carrier_type": "own", "expected_arrival": "2026-12-01"})
        logistics.action_ship()
        logistics.action_mark_received()
        self.assertEqual(self.ticket.state, "done")
        self.assertEqual(
            logistics.read(delivery)[0],
            {"id": self.ticket.id, **dict.fromkeys(delivery, False)},
        )

    # The chatter and the web client's other reads, over HTTP -----------------

    def _rpc_as(self, login, route, params):
        self.authenticate(login, login)
        return self.make_jsonrpc_request(route, params)

    def _thread(self, login, record):
        """What the chatter of ``record`` loads for ``login``: the thread
        data (followers, suggested recipients, activities, attachments) and
        its messages."""
        data = self._rpc_as(
            login,
            "/mail/thread/data",
            {
                "thread_model": record._name,
                "thread_id": record.id,
                "request_list": [
                    "activities",
                    "attachments",
                    "followers",
                    "scheduledMessages",
                    "suggestedRecipients",
                ],
            },
        )
        messages = self.make_jsonrpc_request(
            "/mail/thread/messages",
            {"thread_model": record._name, "thread_id": record.id, "limit": 100},
        )
        return data, messages

    def test_g5_chatter_shows_no_customer_contact(self):
        """G-5: the chatter of a job, ticket or booking, loaded over HTTP as
        the web client does, gives a technician or logistics none of the
        customer's data (not the follower's email, not the customer's email
        reply with its signature, not the reminder's WhatsApp link); they
        still see the desk's message and their activity. A manager sees it
        all."""
        for login, record in (
            ("test_technician", self.job),
            ("test_technician", self.ticket),
            ("test_technician", self.booking),
            ("test_logistics", self.ticket),
        ):
            with self.subTest(login=login, model=record._name):
                data, messages = self._thread(login, record)
                self.assertNoContact([data, messages], login)
                text = json.dumps(messages)
                self.assertIn("Kendaraan Anda sedang kami kerjakan.", text)
                if record != self.booking:
                    self.assertIn("Periksa kampas rem", json.dumps(data))
        data, messages = self._thread("test_manager", self.job)
        self.assertIn("budi@example.com", json.dumps(data))
        self.assertIn("Sisingamangaraja", json.dumps(messages))

    def test_g5_tour_technician_and_logistics_work_without_contacts(self):
        """G-5 (ST, AS-4) in Chromium: the technician opens *My Jobs* and the
        job, with the customer's name, the desk's message and their activity,
        without an access error and without any customer contact on the
        page or among the followers; logistics open the return to ship with
        its delivery address and number, and its chatter without the
        customer's reply."""
        self.start_tour(
            "/odoo/action-gema_sop.gema_service_job_action_technician",
            "gema_technician_job_privacy",
            login="test_technician",
        )
        self.start_tour(
            f"/odoo/action-gema_sop.gema_ticket_action/{self.ticket.id}",
            "gema_logistics_ticket_privacy",
            login="test_logistics",
        )

    def _call_kw(self, login, model, method, *args, **kwargs):
        return self._rpc_as(
            login,
            f"/web/dataset/call_kw/{model}/{method}",
            {"model": model, "method": method, "args": list(args), "kwargs": kwargs},
        )

    def test_g5_web_client_reads_and_portal_pages_show_no_customer_contact(self):
        """G-5: /web/dataset/call_kw reads of the chatter's models (messages,
        followers, notifications, activities), of users (a portal customer's
        login is their email) and the portal pages, as a technician and as
        logistics, give no customer contact data."""
        models = [self.job._name, self.ticket._name, self.booking._name]
        for login, record in (
            ("test_technician", self.job),
            ("test_technician", self.booking),
            ("test_logistics", self.ticket),
        ):
            with self.subTest(login=login, model=record._name):
                thread = [("model", "=", record._name), ("res_id", "=", record.id)]
                read = [
                    self._call_kw(
                        login,
                        "mail.message",
                        "search_read",
                        thread,
                        ["body", "email_from", "author_id", "partner_ids", "reply_to"],
                        context=CONTACT_CONTEXT,
                    ),
                    self._call_kw(
                        login,
                        "mail.followers",
                        "search_read",
                        [("res_model", "=", record._name), ("res_id", "=", record.id)],
                        ["name", "email", "partner_id", "display_name"],
                        context=CONTACT_CONTEXT,
                    ),
                    self._call_kw(
                        login,
                        "mail.notification",
                        "search_read",
                        [("mail_message_id.model", "in", models)],
                        ["res_partner_id"],
                        context=CONTACT_CONTEXT,
                    ),
                    self._call_kw(
                        login,
                        "mail.activity",
                        "search_read",
                        [],
                        ["summary", "note", "res_name"],
                    ),
                    self._call_kw(
                        login,
                        "res.users",
                        "search_read",
                        [("share", "=", True)],
                        ["login", "name"],
                    ),
                    self._call_kw(login, "res.users", "name_search", "sari", limit=100),
                ]
                self.assertNoContact(read, login)
                for url in (
                    "/my",
                    "/my/bookings",
                    f"/my/bookings/{self.booking.id}",
                    f"/my/jobs/{self.job.id}",
                    f"/my/tickets/{self.ticket.id}",
                ):
                    self.assertNoContact(self.url_open(url).text, f"{login} {url}")
