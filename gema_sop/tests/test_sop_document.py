"""Controlled SOP documents and their six-monthly review (G-1)."""

from datetime import date, datetime

import psycopg2

from odoo.exceptions import AccessError, UserError
from odoo.tests import freeze_time, new_test_user, tagged

from .common import GemaSopCase


@tagged("post_install", "-at_install")
class TestSopDocument(GemaSopCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.activate_indonesian()
        # G-1: three people sign, in order: Organizational Development, the
        # Human Capital Manager, the Management Committee.
        cls.signers = [cls.users["sopadmin"]] + [
            new_test_user(
                cls.env,
                login=f"test_signer_{step}",
                groups="gema_sop.group_sop_admin",
                company_id=cls.branch.id,
                company_ids=[(6, 0, cls.branch.ids)],
            )
            for step in ("check", "approve")
        ]

    def _document(self, **values):
        return (
            self.env["gema.sop.document"]
            .with_user(self.signers[0])
            .with_company(self.branch)
            .create(
                {
                    "number": "SOP/CC/001",
                    "name": "SOP Booking Online",
                    "sop": "BK",
                    "company_id": self.branch.id,
                    "effective_date": "2026-05-01",
                    **values,
                }
            )
        )

    def _approve(self, document):
        made, checked, approved = self.signers
        document.with_user(made).action_submit()
        document.with_user(checked).action_check()
        document.with_user(approved).action_approve()

    def test_approval_chain_in_order_with_user_and_date(self):
        """G-1: made, checked, approved: each step signed and dated."""
        document = self._document()
        with freeze_time("2026-04-22 03:00:00"):
            self._approve(document)
        self.assertEqual(document.state, "effective")
        self.assertEqual(
            (document.made_by_id, document.checked_by_id, document.approved_by_id),
            tuple(self.signers),
        )
        self.assertEqual(document.approved_date, date(2026, 4, 22))

    def test_steps_cannot_be_skipped_or_signed_twice_by_one_person(self):
        document = self._document()
        with self.assertRaisesBilingual(
            UserError, "not at this approval step", "tidak"
        ) as run:
            run(
                lambda env: document.with_env(env)
                .with_user(self.signers[2])
                .action_approve()
            )
        document.with_user(self.signers[0]).action_submit()
        with self.assertRaisesBilingual(
            UserError, "different person", "berbeda"
        ) as run:
            run(
                lambda env: document.with_env(env)
                .with_user(self.signers[0])
                .action_check()
            )
        self.assertEqual(document.state, "to_check")

    def test_approval_needs_the_effective_date(self):
        document = self._document(effective_date=False)
        document.with_user(self.signers[0]).action_submit()
        document.with_user(self.signers[1]).action_check()
        with self.assertRaisesBilingual(
            UserError, "effective date", "tanggal efektif"
        ) as run:
            run(
                lambda env: document.with_env(env)
                .with_user(self.signers[2])
                .action_approve()
            )

    def test_only_sop_administrators_sign_and_edit(self):
        document = self._document()
        with self.assertRaises(UserError):  # AccessError is a UserError
            document.with_user(self.users["manager"]).action_submit()
        with self.assertRaises(AccessError):
            document.with_user(self.users["advisor"]).write({"name": "x"})
        # Everyone reads the SOPs.
        self.assertEqual(
            document.with_user(self.users["technician"]).name, "SOP Booking Online"
        )

    def test_review_every_six_months_planned_and_measured(self):
        """G-1: next review six months after the effective date; a cron
        plans one review activity; the G-1 time standard runs to the review
        date and restarts when the review is recorded."""
        document = self._document(user_id=self.signers[0].id)
        with freeze_time("2026-05-01 03:00:00"):
            self._approve(document)
        self.assertEqual(document.next_review_date, date(2026, 11, 1))
        line = document.gema_sla_status_ids
        self.assertEqual(
            line.policy_id, self.env.ref("gema_sop.sla_policy_g1_document_review")
        )
        self.assertEqual(line.deadline, datetime(2026, 11, 1, 10, 0))  # 17:00 WIB
        Document = self.env["gema.sop.document"]
        with freeze_time("2026-10-10 03:00:00"):
            Document._cron_plan_reviews()
            Document._cron_plan_reviews()
        review = document.activity_ids.filtered(
            lambda a: a.activity_type_id
            == self.env.ref("gema_sop.mail_activity_type_sop_review")
        )
        self.assertEqual(len(review), 1)
        self.assertEqual(review.user_id, self.signers[0])
        self.assertEqual(review.date_deadline, date(2026, 11, 1))
        with freeze_time("2026-10-20 03:00:00"):
            document.with_user(self.signers[0]).action_mark_reviewed()
        self.assertEqual(line.state, "done")
        self.assertEqual(document.next_review_date, date(2027, 4, 20))
        self.assertFalse(document.activity_ids)
        following = document.gema_sla_status_ids - line
        self.assertEqual(following.state, "running")
        self.assertEqual(following.deadline, datetime(2027, 4, 20, 10, 0))

    def test_new_revision_restarts_the_approval(self):
        """G-1: revision number and date; the approval chain starts again."""
        document = self._document()
        self._approve(document)
        with freeze_time("2026-12-01 03:00:00"):
            document.with_user(self.signers[0]).action_new_revision()
        self.assertEqual(
            (document.state, document.revision, document.revision_date),
            ("draft", 1, date(2026, 12, 1)),
        )
        self.assertFalse(document.approved_by_id)
        self.assertEqual(document.gema_sla_status_ids.state, "cancelled")

    def test_number_is_unique_per_branch(self):
        self._document()
        with self.assertRaises(psycopg2.errors.UniqueViolation), self.cr.savepoint():
            self._document(name="Copy")
