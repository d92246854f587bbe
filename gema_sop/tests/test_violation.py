"""SOP violations and their sanctions (G-2, BK-11, ST-9, FU-7)."""

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, tagged

from .common import GemaSopCase


@tagged("post_install", "-at_install")
class TestViolation(GemaSopCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.activate_indonesian()
        cls.Violation = cls.env["gema.violation"].with_company(cls.branch)

    def _report(self, role="advisor", **values):
        """A supervisor reports a violation of the employee of ``role``."""
        return self.Violation.with_user(self.users["supervisor"]).create(
            {
                "employee_id": self.employees[role].id,
                "company_id": self.branch.id,
                "sop": "ST",
                "violation_type": "st_false_information",
                "description": "Estimasi selesai dijanjikan tanpa konfirmasi teknisi.",
                **values,
            }
        )

    def test_supervisor_reports_confirms_and_sanctions(self):
        """G-2 / ST-9: reported, confirmed, sanctioned with a written warning."""
        violation = self._report()
        self.assertEqual(violation.detection, "report")
        as_supervisor = violation.with_user(self.users["supervisor"])
        as_supervisor.action_confirm()
        with Form(as_supervisor) as form:
            form.sanction_type = "written_warning"
        as_supervisor.action_sanction()
        self.assertEqual(violation.state, "sanctioned")
        self.assertEqual(violation.decided_by_id, self.users["supervisor"])
        self.assertTrue(violation.decided_date)

    def test_compensation_needs_a_positive_amount(self):
        """G-2: compensation for losses names its amount."""
        violation = self._report()
        violation.action_confirm()
        with self.assertRaisesBilingual(
            ValidationError, "positive amount", "jumlah positif"
        ) as run:
            run(
                lambda env: violation.with_env(env).write(
                    {"sanction_type": "compensation", "compensation_amount": 0}
                )
            )
        violation.write(
            {"sanction_type": "compensation", "compensation_amount": 150000}
        )
        violation.action_sanction()
        self.assertEqual(violation.state, "sanctioned")

    def test_sanction_needs_its_type(self):
        violation = self._report()
        violation.action_confirm()
        with self.assertRaises(ValidationError):
            violation.action_sanction()
        self.assertEqual(violation.state, "confirmed")

    def test_waiving_needs_a_reason(self):
        violation = self._report()
        with self.assertRaisesBilingual(
            UserError, "reason for waiving", "alasan"
        ) as run:
            run(lambda env: violation.with_env(env).action_waive())
        violation.waive_reason = "Pelanggan membatalkan sendiri."
        violation.action_waive()
        self.assertEqual(violation.state, "waived")

    def test_illegal_transitions_are_refused(self):
        violation = self._report()
        with self.assertRaisesBilingual(
            UserError, "not possible", "tidak dapat"
        ) as run:
            run(lambda env: violation.with_env(env).action_sanction())
        self.assertEqual(violation.state, "draft")

    def test_employees_cannot_decide(self):
        """Only supervisors and managers confirm, sanction or waive."""
        violation = self._report()
        for role in ("advisor", "cs", "technician", "logistics"):
            with self.subTest(role=role):
                mine = violation.with_user(self.users[role])
                with self.assertRaises(UserError):  # AccessError is a UserError
                    mine.action_confirm()
        with self.assertRaisesBilingual(
            UserError, "Only supervisors and managers", "Hanya supervisor"
        ) as run:
            run(
                lambda env: violation.with_env(env)
                .with_user(self.users["advisor"])
                .action_confirm()
            )
        self.assertEqual(violation.state, "draft")
        violation.with_user(self.users["manager"]).action_confirm()
        self.assertEqual(violation.state, "confirmed")

    def test_employees_read_only_their_own(self):
        mine = self._report("advisor")
        theirs = self._report("cs")
        Violation = self.env["gema.violation"]
        both = (mine | theirs).ids
        self.assertEqual(
            Violation.with_user(self.users["advisor"]).search([("id", "in", both)]),
            mine,
        )
        self.assertEqual(
            Violation.with_user(self.users["technician"]).search([("id", "in", both)]),
            Violation,
        )
        with self.assertRaises(AccessError):
            mine.with_user(self.users["advisor"]).write({"description": "x"})
        self.assertEqual(
            Violation.with_user(self.users["supervisor"]).search([("id", "in", both)]),
            mine | theirs,
        )

    def test_other_branches_are_invisible(self):
        other_branch = self.env["res.company"].create(
            {"name": "Other branch", "parent_id": self.main_company.id}
        )
        employee = self.env["hr.employee"].create(
            {"name": "Elsewhere", "company_id": other_branch.id}
        )
        violation = self.env["gema.violation"].create(
            {
                "employee_id": employee.id,
                "company_id": other_branch.id,
                "sop": "BK",
                "violation_type": "bk_no_reminder",
            }
        )
        self.assertFalse(
            self.env["gema.violation"]
            .with_user(self.users["manager"])
            .search([("id", "=", violation.id)])
        )

    def test_reports_group_by_employee_sop_type_month_branch(self):
        """Pivot and graph read violations by employee, SOP, type, month, branch."""
        self._report("advisor")
        self._report("cs", sop="BK", violation_type="bk_no_reply")
        groups = self.env["gema.violation"]._read_group(
            [("company_id", "=", self.branch.id)],
            ["employee_id", "sop", "violation_type", "date:month", "company_id"],
            ["__count"],
        )
        self.assertEqual(len(groups), 2)
        for view in ("pivot", "graph"):
            self.assertTrue(self.env["gema.violation"].get_views([(False, view)]))
