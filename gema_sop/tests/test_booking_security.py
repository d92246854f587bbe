"""Booking access per role (G-5, DESIGN: record rules map the SOP roles)."""

from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from .booking_common import BookingCase, wib


@tagged("post_install", "-at_install")
class TestBookingSecurity(BookingCase):
    def setUp(self):
        super().setUp()
        self.mine = self._booking(employee=self.tech, start=wib(24, 9))
        self.other = self._booking(
            employee=self.tech2, start=wib(24, 9), license_plate="BK 2 B"
        )

    def test_technician_reads_own_bookings_without_phone(self):
        """G-5: a technician reads only the bookings they work on, never
        the customer's number or contact, and changes nothing."""
        technician = self.users["technician"]
        Booking = self.env["gema.booking"].with_user(technician)
        self.assertEqual(Booking.search([]), self.mine)
        booking = self.mine.with_user(technician)
        self.assertEqual(booking.license_plate, "BK 1234 ABC")
        self.assertEqual(booking.customer_name, "Budi Santoso")
        for field in ("customer_phone", "partner_id"):
            with self.subTest(field=field), self.assertRaises(AccessError):
                booking.read([field])
        self.assertNotIn("customer_phone", Booking.fields_get())
        with self.assertRaises(AccessError):
            self.other.with_user(technician).read(["name"])
        with self.assertRaises(AccessError):
            booking.write({"complaint": "changed"})
        with self.assertRaises(AccessError):
            booking.action_arrive()

    def test_advisor_and_cs_work_on_the_branch(self):
        """BK-1: advisors and CS officers record, read and change every
        booking of their branch, phone number included."""
        for role in ("advisor", "cs"):
            user = self.users[role]
            Booking = self.env["gema.booking"].with_user(user)
            with self.subTest(role=role):
                self.assertLessEqual(self.mine | self.other, Booking.search([]))
                self.assertEqual(
                    self.other.with_user(user).customer_phone, "+6281234567890"
                )
                request = self._request(user=user, license_plate="BK 3 C")
                request.write({"complaint": "AC tidak dingin"})
                self.assertEqual(request.user_id, user)

    def test_supervisor_and_manager_see_the_branch(self):
        """Supervisors and managers read all bookings of their branch."""
        for role in ("supervisor", "manager"):
            Booking = self.env["gema.booking"].with_user(self.users[role])
            with self.subTest(role=role):
                self.assertEqual(Booking.search([]), self.mine | self.other)

    def test_other_branch_is_invisible(self):
        """A service advisor of another branch sees none of these."""
        branch = self.env["res.company"].create(
            {"name": "Test Branch Binjai", "parent_id": self.main_company.id}
        )
        stranger = new_test_user(
            self.env,
            login="test_advisor_binjai",
            groups="gema_sop.group_service_advisor",
            company_id=branch.id,
            company_ids=[Command.set(branch.ids)],
        )
        Booking = self.env["gema.booking"].with_user(stranger)
        self.assertFalse(Booking.search([]))
        with self.assertRaises(AccessError):
            self.mine.with_user(stranger).read(["name"])

    def test_logistics_has_no_access(self):
        """Logistics staff have nothing to do with bookings."""
        with self.assertRaises(AccessError):
            self.env["gema.booking"].with_user(self.users["logistics"]).search([])

    def test_deleting_a_booking_frees_its_technician(self):
        """BK-4: an SOP administrator deleting a booking deletes its slots
        and message log with it; the technician is free again."""
        slot = self.mine.slot_id
        self.mine.with_user(self.users["sopadmin"]).unlink()
        self.assertFalse(slot.exists())
        self.assertFalse(
            self.env["gema.message"].search(
                [("res_model", "=", "gema.booking"), ("res_id", "=", self.mine.id)]
            )
        )
        with self.assertRaises(AccessError):
            self.other.with_user(self.advisor).unlink()

    def test_views_open_for_each_role(self):
        """Every booking view opens for technicians, advisors and managers;
        the technician's form has no customer number or contact."""
        modes = ["list", "form", "kanban", "calendar", "pivot", "graph", "search"]
        for role in ("technician", "advisor", "manager"):
            Booking = self.env["gema.booking"].with_user(self.users[role])
            with self.subTest(role=role):
                views = Booking.get_views([(False, mode) for mode in modes])
                form = views["views"]["form"]["arch"]
                spec = {
                    name: {}
                    for name in views["models"]["gema.booking"]["fields"]
                    if name
                    not in ("activity_ids", "message_ids", "message_follower_ids")
                }
                self.assertTrue(Booking.browse(self.mine.id).web_read(spec))
                if role == "technician":
                    self.assertNotIn("customer_phone", form)
                    self.assertNotIn('name="partner_id"', form)
                else:
                    self.assertIn("customer_phone", form)
