"""What a customer reads: amounts in the branch's currency and the
customer's language (G-3, ST-1, ST-2)."""

import base64
import re

from odoo import Command
from odoo.tests import HttpCase, tagged
from odoo.tools.misc import file_open

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

    def _customer_page(self, url):
        self.opener.cookies.clear()
        page = self.url_open(url, headers={"Accept-Language": "id-ID"})
        self.assertEqual(page.status_code, 200)
        return page.text

    def test_g5_public_pages_show_the_branch_not_the_database(self):
        """G-5, BK-1: a customer's page (job status by token link, the
        public booking form) shows the branch it is about: its logo, name
        and address, never the main company's or Odoo's placeholders, and
        no "Sign in" link; another branch's page shows that branch (the
        header and footer are not served from one branch's cache)."""
        with file_open("gema_sop/static/img/gema_medan_logo.png", "rb") as logo:
            self.branch.logo = base64.b64encode(logo.read())
        self.branch.write(
            {
                "street": "Jl. Gatot Subroto No. 123",
                "city": "Medan",
                "zip": "20112",
                "phone": "+62 61 4567 890",
            }
        )
        job = self._inspected(self._job())
        other = self.env["res.company"].create(
            {
                "name": "Test Branch Binjai",
                "parent_id": self.main_company.id,
                "street": "Jl. Soekarno-Hatta No. 8",
                "city": "Binjai",
                "resource_calendar_id": self.calendar.id,
                "gema_operating_calendar_id": self.calendar.id,
            }
        )
        other_customer = self.env["res.partner"].create(
            {"name": "Rina Siregar", "mobile": "0812-7777-0001", "lang": "id_ID"}
        )
        other_vehicle = self.env["gema.vehicle"].create(
            {
                "license_plate": "BK 77 XY",
                "vehicle_type": "Honda Brio",
                "partner_id": other_customer.id,
                "company_id": other.id,
            }
        )
        other_job = (
            self.env["gema.service.job"]
            .with_company(other)
            .create(
                {
                    "partner_id": other_customer.id,
                    "vehicle_id": other_vehicle.id,
                    "company_id": other.id,
                    "complaint": "AC tidak dingin",
                }
            )
        )
        for url, branch, street in (
            (
                f"/my/jobs/{job.id}?access_token={job._portal_ensure_token()}",
                self.branch,
                "Jl. Gatot Subroto No. 123",
            ),
            (
                f"/booking?company_id={self.branch.id}",
                self.branch,
                "Jl. Gatot Subroto No. 123",
            ),
            (
                f"/my/jobs/{other_job.id}?access_token={other_job._portal_ensure_token()}",
                other,
                "Jl. Soekarno-Hatta No. 8",
            ),
            (f"/booking?company_id={other.id}", other, "Jl. Soekarno-Hatta No. 8"),
        ):
            with self.subTest(url=url):
                text = self._customer_page(url)
                self.assertIn(f'src="/logo.png?company={branch.id}"', text)
                self.assertIn(f'<span itemprop="name">{branch.name}</span>', text)
                self.assertIn(street, text)
                self.assertNotIn(self.main_company.name, text)
                self.assertNotIn("/web/login", text)
                self.assertNotIn("Sign in", text)
        # The branch's logo is what /logo.png serves for it.
        logo = self.url_open(f"/logo.png?company={self.branch.id}")
        self.assertEqual(logo.headers["Content-Type"], "image/png")
        self.assertEqual(len(logo.content) > 1000, True)

    def test_st10_checklist_items_in_the_language_of_the_responsible(self):
        """ST-10, G-3: the checklist items of a job read in the language of
        the service advisor who does them, not in the English of the plan."""
        self.advisor.lang = "id_ID"
        job = self._job()
        job.action_inspect()
        progress = job.activity_ids.filtered(
            lambda a: a.activity_type_id
            == self.env.ref("gema_sop.mail_activity_type_st10_progress")
        )
        self.assertEqual(progress.summary, "Progres terbaru sudah dicek dengan teknisi")
        self.assertEqual(progress.user_id, self.advisor)
        english = self.env.ref("gema_sop.mail_activity_plan_service_job").template_ids
        self.assertFalse(
            set(job.activity_ids.mapped("summary")) & set(english.mapped("summary"))
        )
