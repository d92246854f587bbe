"""After-sales tickets (SPEC AS-1 ... AS-6)."""

from datetime import date, datetime, timedelta

from odoo.exceptions import AccessError, UserError
from odoo.tests import freeze_time, tagged

from .common import GemaSopCase


def wib(day, hour, minute=0, month=11):
    """A moment of 2026 in Asia/Jakarta (UTC+7), as naive UTC."""
    return datetime(2026, month, day, hour, minute) - timedelta(hours=7)


# 2026-11-30 is a Monday; the test branch works Monday-Saturday 08-17 WIB.
MONDAY_0900 = wib(30, 9)


@tagged("post_install", "-at_install")
class TestTicket(GemaSopCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.activate_indonesian()
        cls.branch.gema_warranty_months = 6
        cls.customer = cls.env["res.partner"].create(
            {
                "name": "Rudi Siregar",
                "mobile": "0813-7654-3210",
                "company_id": cls.branch.id,
            }
        )
        cls.cs = cls.users["cs"]
        cls.Ticket = cls.env["gema.ticket"].with_user(cls.cs).with_company(cls.branch)

    def _ticket(self, at=MONDAY_0900, **values):
        with freeze_time(at):
            return self.Ticket.create(
                {
                    "partner_id": self.customer.id,
                    "company_id": self.branch.id,
                    "channel": "whatsapp",
                    "product_name": "Aki 12V 45Ah",
                    "chronology": "Aki cepat habis sejak minggu lalu.",
                    "purchase_date": date(2026, 9, 1),
                    **values,
                }
            )

    def _analysed(self, ticket, solution="repair", **values):
        ticket.technician_id = self.employees["technician"]
        ticket.action_check_warranty()
        ticket.action_start_analysis()
        ticket.write(
            {
                "analysis_report": "Sel aki nomor 3 rusak.",
                "solution": solution,
                **values,
            }
        )
        ticket.action_choose_solution()
        return ticket

    def _line(self, ticket, policy):
        return self.env["gema.sla.status"].search(
            [
                ("res_model", "=", "gema.ticket"),
                ("res_id", "=", ticket.id),
                ("policy_id", "=", self.env.ref(f"gema_sop.sla_policy_{policy}").id),
            ],
            order="id desc",
            limit=1,
        )

    # AS-1 ---------------------------------------------------------------------

    def test_as1_ticket_number_is_given_and_logged(self):
        """AS-1: the ticket has its number at once; sending it to the
        customer logs the message and stops the 1-hour standard."""
        ticket = self._ticket()
        self.assertRegex(ticket.name, r"^AS/2026/\d{5}$")
        line = self._line(ticket, "as1_ticket_number")
        self.assertEqual(line.state, "running")
        self.assertEqual(line.deadline, wib(30, 10))
        with freeze_time(wib(30, 9, 20)):
            url = self.follow_whatsapp_link(ticket.action_send_ticket_number())
        self.assertTrue(url.startswith("https://wa.me/6281376543210?text="))
        message = self.env["gema.message"].search(
            [("res_model", "=", "gema.ticket"), ("res_id", "=", ticket.id)]
        )
        self.assertEqual(
            message.template_id, self.env.ref("gema_sop.mail_template_ticket_number")
        )
        self.assertIn(ticket.name, message.body)
        self.assertEqual(line.state, "done")
        self.assertEqual(ticket.ticket_number_sent_date, wib(30, 9, 20))

    def test_as1_number_not_given_in_time_is_a_violation(self):
        """AS-1, G-2: no ticket number within an hour: breach and violation
        against the CS officer."""
        ticket = self._ticket()
        with freeze_time(wib(30, 10, 30)):
            self.env["gema.sla.status"]._cron_process_due()
        line = self._line(ticket, "as1_ticket_number")
        self.assertEqual(line.state, "breached")
        self.assertEqual(
            (line.violation_id.employee_id, line.violation_id.violation_type),
            (self.employees["cs"], "as_no_ticket_number"),
        )

    # AS-2 ---------------------------------------------------------------------

    def test_as2_warranty_status_from_purchase_date_and_terms(self):
        """AS-2: in warranty, expired, void with a reason, not verifiable."""
        in_warranty = self._ticket(purchase_date=date(2026, 9, 1))
        expired = self._ticket(purchase_date=date(2026, 3, 1))
        void = self._ticket(warranty_void_reason="Segel aki rusak.")
        unknown = self._ticket(purchase_date=False)
        longer = self._ticket(purchase_date=date(2026, 3, 1), warranty_months=12)
        tickets = in_warranty | expired | void | unknown | longer
        with freeze_time(wib(30, 10)):
            tickets.action_check_warranty()
        self.assertEqual(
            tickets.mapped("warranty_status"),
            ["in_warranty", "expired", "void", "unverifiable", "in_warranty"],
        )
        self.assertEqual(in_warranty.warranty_end, date(2027, 3, 1))
        self.assertEqual(set(tickets.mapped("state")), {"verified"})

    def test_as2_future_purchase_date_refused_in_both_languages(self):
        """AS-2: a purchase date in the future is a typing error."""
        ticket = self._ticket(purchase_date=date(2027, 1, 1))
        with self.assertRaisesBilingual(
            UserError,
            "the purchase date cannot be in the future",
            "tanggal pembelian tidak boleh di masa depan",
        ) as run:
            run(lambda env: ticket.with_env(env).action_check_warranty())
        self.assertEqual(ticket.state, "new")
        self.assertFalse(ticket.warranty_status)

    def test_as2_warranty_status_told_stops_its_clock(self):
        """AS-2: the customer is told the warranty status (template), which
        stops the 1-working-day standard; not before it is decided."""
        ticket = self._ticket()
        with self.assertRaises(UserError):
            ticket.action_send_warranty_status()
        ticket.action_check_warranty()
        line = self._line(ticket, "as2_warranty_status")
        self.assertEqual(line.state, "running")
        self.assertEqual(line.deadline, wib(1, 9, month=12))
        with freeze_time(wib(30, 10)):
            self.follow_whatsapp_link(
                ticket.with_context(
                    gema_channel="whatsapp_link"
                ).action_send_warranty_status()
            )
        self.assertTrue(ticket.warranty_told_date)
        self.assertEqual(line.state, "done")
        message = self.env["gema.message"].search(
            [("res_model", "=", "gema.ticket"), ("res_id", "=", ticket.id)]
        )
        label = ticket.with_context(lang=ticket.partner_id.lang).warranty_status_label
        self.assertIn(label, message.body)

    def test_as1_as2_as4_a_link_not_sent_tells_nothing(self):
        """AS-1, AS-2, AS-4, G-3: pressing a button prepares the WhatsApp
        link; until the staff member marks it sent, the customer was told
        nothing: no date, the time standard keeps running. Marked sent, the
        date is the moment it left and the standard is met once."""
        ticket = self._ticket()
        ticket.action_check_warranty()
        Ticket = ticket.with_context(gema_channel="whatsapp_link")
        with freeze_time(wib(30, 9, 30)):
            action = Ticket.action_send_warranty_status()
            Ticket.action_send_ticket_number()
        self.assertFalse(ticket.ticket_number_sent_date)
        self.assertFalse(ticket.warranty_told_date)
        self.assertEqual(self._line(ticket, "as2_warranty_status").state, "running")
        self.assertEqual(self._line(ticket, "as1_ticket_number").state, "running")
        with freeze_time(wib(30, 9, 45)):
            self.follow_whatsapp_link(action)
        self.assertEqual(ticket.warranty_told_date, wib(30, 9, 45))
        self.assertFalse(ticket.ticket_number_sent_date)
        line = self._line(ticket, "as2_warranty_status")
        self.assertEqual((line.state, line.reached), ("done", wib(30, 9, 45)))
        with freeze_time(wib(30, 10)):
            self.follow_whatsapp_link(Ticket.action_send_warranty_status())
        self.assertEqual(ticket.warranty_told_date, wib(30, 9, 45), "told once")

    # AS-3 ---------------------------------------------------------------------

    def test_as3_each_solution_has_its_standard(self):
        """AS-3: repair in 3 working days, replacement in 5, education in 1,
        from the moment the solution is chosen; solving stops it."""
        expected = {
            "repair": ("as3_repair", wib(3, 9, month=12)),
            "replacement": ("as3_replacement", wib(5, 9, month=12)),
            "education": ("as3_education", wib(1, 9, month=12)),
        }
        for solution, (policy, deadline) in expected.items():
            with self.subTest(solution=solution), freeze_time(MONDAY_0900):
                ticket = self._analysed(self._ticket(), solution)
                line = self._line(ticket, policy)
                self.assertEqual((line.state, line.deadline), ("running", deadline))
                others = {p for p, _d in expected.values()} - {policy}
                for other in others:
                    self.assertFalse(self._line(ticket, other))
                ticket.resolution_note = "Aki diganti dengan yang baru."
                ticket.action_resolve()
                self.assertEqual((ticket.state, line.state), ("done", "done"))

    def test_as3_solution_needs_the_analysis_in_both_languages(self):
        """AS-3: no solution without the technician's analysis."""
        ticket = self._ticket(technician_id=self.employees["technician"].id)
        ticket.action_check_warranty()
        ticket.action_start_analysis()
        ticket.solution = "repair"
        with self.assertRaisesBilingual(
            UserError, "the damage analysis", "analisis kerusakan"
        ) as run:
            run(lambda env: ticket.with_env(env).action_choose_solution())
        self.assertEqual(ticket.state, "analysis")

    def test_as3_late_solution_is_a_violation(self):
        """AS-3, G-2: a repair still open after 3 working days is breached."""
        with freeze_time(MONDAY_0900):
            ticket = self._analysed(self._ticket())
        with freeze_time(wib(3, 10, month=12)):
            self.env["gema.sla.status"]._cron_process_due()
        line = self._line(ticket, "as3_repair")
        self.assertEqual(line.state, "breached")
        self.assertEqual(line.violation_id.violation_type, "as_sla_missed")

    def test_as3_steps_in_order_only(self):
        """The ticket moves only by its buttons, in the SOP's order."""
        ticket = self._ticket()
        with self.assertRaises(UserError):
            ticket.action_start_analysis()
        with self.assertRaisesBilingual(
            UserError, "Use the buttons of AS/", "Gunakan tombol pada AS/"
        ) as run:
            run(lambda env: ticket.with_context(lang=env.lang).write({"state": "done"}))
        with self.assertRaises(UserError):
            ticket.action_resolve()
        ticket.action_check_warranty()
        with self.assertRaises(UserError):
            # AS-3: a technician is named before the analysis starts.
            ticket.action_start_analysis()
        self.assertEqual(ticket.state, "verified")

    # AS-4 ---------------------------------------------------------------------

    def test_as4_return_shipping_and_notice(self):
        """AS-4: a third-party shipment needs carrier, tracking number and
        expected arrival; once shipped, the customer is told within 2
        working hours (the notice stops the clock); received closes it."""
        ticket = self._analysed(self._ticket(return_shipping=True), "replacement")
        ticket.resolution_note = "Remote diganti baru."
        ticket.action_resolve()
        self.assertEqual(ticket.state, "shipping")
        logistics = ticket.with_user(self.users["logistics"])
        logistics.carrier_type = "third_party"
        with self.assertRaisesBilingual(
            UserError, "the carrier and its tracking number", "kurir dan nomor resinya"
        ) as run:
            run(lambda env: logistics.with_context(lang=env.lang).action_ship())
        logistics.write(
            {
                "carrier_name": "JNE",
                "tracking_number": "JNE0012345678",
                "expected_arrival": date(2026, 12, 3),
            }
        )
        with freeze_time(wib(30, 14)):
            logistics.action_ship()
        line = self._line(ticket, "as4_shipping_notice")
        self.assertEqual((line.state, line.deadline), ("running", wib(30, 16)))
        with freeze_time(wib(30, 15)):
            self.follow_whatsapp_link(
                ticket.with_context(
                    gema_channel="whatsapp_link"
                ).action_send_shipping_notice()
            )
        self.assertEqual(line.state, "done")
        message = self.env["gema.message"].search(
            [("res_model", "=", "gema.ticket"), ("res_id", "=", ticket.id)]
        )
        self.assertIn("JNE0012345678", message.body)
        logistics.action_mark_received()
        self.assertEqual(ticket.state, "done")
        self.assertTrue(ticket.delivered_date)

    # AS-5 ---------------------------------------------------------------------

    def test_as5_solved_confirmed_with_root_cause_and_one_rating(self):
        """AS-5: confirming needs the root cause (complaint recap); the
        customer rates once, 1 to 5, only when solved."""
        ticket = self._analysed(self._ticket(), "education")
        with self.assertRaises(UserError):
            ticket.sudo()._rate(5, "")
        ticket.resolution_note = "Cara pengisian aki dijelaskan."
        ticket.action_resolve()
        line = self._line(ticket, "as5_solved_confirmed")
        self.assertEqual(line.state, "running")
        with self.assertRaisesBilingual(UserError, "root cause", "akar masalah") as run:
            run(lambda env: ticket.with_env(env).action_confirm_solved())
        ticket.root_cause = "usage"
        ticket.with_context(gema_channel="whatsapp_link").action_confirm_solved()
        self.assertEqual(line.state, "done")
        with self.assertRaises(UserError):
            ticket.sudo()._rate(7, "")
        ticket.sudo()._rate(4, "  Penjelasannya jelas.  ")
        self.assertEqual(
            (ticket.rating, ticket.rating_comment), ("4", "Penjelasannya jelas.")
        )
        with self.assertRaises(UserError):
            ticket.sudo()._rate(1, "")
        self.assertEqual(ticket.rating, "4")

    def test_cancel_stops_every_standard(self):
        """A cancelled ticket has no running time standard left."""
        ticket = self._ticket()
        ticket.action_cancel()
        lines = self.env["gema.sla.status"].search(
            [("res_model", "=", "gema.ticket"), ("res_id", "=", ticket.id)]
        )
        self.assertTrue(lines)
        self.assertEqual(set(lines.mapped("state")), {"cancelled"})

    # AS-6: roles --------------------------------------------------------------

    def test_as6_technician_sees_and_writes_only_the_analysis(self):
        """AS-6: a technician reads the tickets they analyse, without the
        customer's number, and writes only the analysis."""
        mine = self._ticket(technician_id=self.employees["technician"].id)
        self._ticket()
        technician = self.users["technician"]
        Ticket = self.env["gema.ticket"].with_user(technician)
        self.assertEqual(Ticket.search([]), mine)
        mine.action_check_warranty()
        mine.action_start_analysis()
        as_technician = mine.with_user(technician)
        as_technician.write({"analysis_report": "Sel 3 rusak.", "solution": "repair"})
        as_technician.action_choose_solution()
        self.assertEqual(mine.state, "in_progress")
        with self.assertRaisesBilingual(
            UserError, "only change your part", "hanya dapat mengubah bagian"
        ) as run:
            run(
                lambda env: as_technician.with_context(lang=env.lang).write(
                    {"chronology": "x"}
                )
            )
        with self.assertRaises(AccessError):
            as_technician.read(["partner_phone"])
        with self.assertRaises(AccessError):
            Ticket.create(
                {"partner_id": self.customer.id, "product_name": "x", "chronology": "x"}
            )

    def test_as6_logistics_see_returns_only(self):
        """AS-6: logistics see the tickets with a return to ship, and write
        only the shipping part."""
        ship = self._analysed(self._ticket(return_shipping=True))
        self._analysed(self._ticket())
        Ticket = self.env["gema.ticket"].with_user(self.users["logistics"])
        self.assertEqual(Ticket.search([]), ship)
        with self.assertRaises(UserError):
            ship.with_user(self.users["logistics"]).write({"resolution_note": "x"})

    def test_as6_service_advisor_has_no_access(self):
        """AS-6: after-sales tickets are the CS desk's, not the front desk's."""
        self._ticket()
        with self.assertRaises(AccessError):
            self.env["gema.ticket"].with_user(self.users["advisor"]).search([])

    def test_as6_other_branch_tickets_are_invisible(self):
        """A CS officer sees only the tickets of their branches."""
        other_branch = self.env["res.company"].create(
            {"name": "Other Branch", "parent_id": self.main_company.id}
        )
        stranger = self.env["res.partner"].create({"name": "Pelanggan Lain"})
        self.env["gema.ticket"].create(
            {
                "partner_id": stranger.id,
                "company_id": other_branch.id,
                "product_name": "Ban",
                "chronology": "Ban bocor.",
            }
        )
        mine = self._ticket()
        self.assertEqual(self.Ticket.search([]), mine)
