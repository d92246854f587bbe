"""What a customer reads: amounts in the branch's currency and the
customer's language (G-3, ST-1, ST-2)."""

import re

from odoo import Command
from odoo.tests import HttpCase, tagged

from .service_job_common import ServiceJobCase


@tagged("post_install", "-at_install")
class TestCustomerMessages(ServiceJobCase, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.activate_indonesian()
        cls.customer.lang = "id_ID"
        # The chain works in rupiah: a branch shares its root's currency.
        cls.main_company.currency_id = cls.env.ref("base.IDR")

    def test_g3_company_set_up_in_indonesia_works_in_rupiah(self):
        """G-3: a company a user sets up in Indonesia, without choosing a
        currency, works in IDR (activated), whatever the currency of the
        user's company; its branches share it."""
        self.main_company.currency_id = self.env.ref("base.USD")
        company = self.env["res.company"].create(
            {"name": "Gema Sehat Pekanbaru", "country_id": self.env.ref("base.id").id}
        )
        self.assertEqual(company.currency_id, self.env.ref("base.IDR"))
        self.assertTrue(company.currency_id.active)
        branch = self.env["res.company"].create(
            {"name": "Gema Sehat Dumai", "parent_id": company.id}
        )
        self.assertEqual(branch.currency_id, self.env.ref("base.IDR"))

    def test_st1_st2_amounts_in_rupiah_and_indonesian_grouping(self):
        """ST-1, ST-2: the estimate and the extra work reach an Indonesian
        customer as "Rp 1.250.000" (the branch's currency, Indonesian
        digit grouping), never in dollars; the job page too."""
        self.assertEqual(self.branch.currency_id, self.env.ref("base.IDR"))
        job = self._inspected(self._job(), cost=1250000.0)
        job.line_ids = [Command.create({"name": "Ganti minyak rem", "price": 450000})]
        initial = self.env.ref("gema_sop.mail_template_service_job_initial")
        approval = self.env.ref("gema_sop.mail_template_service_job_approval")
        for text, amount in (
            (initial._gema_render_text(job.id), "1.250.000"),
            (" ".join(initial._gema_render_whatsapp_parameters(job.id)), "1.250.000"),
            (approval._gema_render_text(job.id), "450.000"),
        ):
            with self.subTest(text=text):
                # Odoo's IDR keeps two decimals (",00") unless set to whole rupiah.
                self.assertRegex(text, rf"Rp\s{re.escape(amount)}(?:,00)?(?![\d,])")
                self.assertNotIn("$", text)
        page = self.url_open(
            f"/my/jobs/{job.id}?access_token={job._portal_ensure_token()}",
            headers={"Accept-Language": "id-ID"},
        )
        self.assertEqual(page.status_code, 200)
        self.assertIn("1.250.000", page.text)
        self.assertIn("Rp", page.text)
        self.assertNotIn("$", page.text.split("<body", 1)[1].split("<script", 1)[0])
