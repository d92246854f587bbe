"""Settings > Customer Care: per company, validated, with safe defaults."""

from odoo.exceptions import AccessError, ValidationError
from odoo.tests import Form, tagged

from .common import GemaSopCase


@tagged("post_install", "-at_install")
class TestSettings(GemaSopCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.activate_indonesian()
        cls.other_branch = cls.env["res.company"].create(
            {"name": "Test Branch Binjai", "parent_id": cls.main_company.id}
        )

    def _settings(self, company):
        return Form(self.env["res.config.settings"].with_company(company))

    def test_settings_are_stored_per_company(self):
        """G-4: each branch keeps its own calendar, review link and number."""
        with self._settings(self.branch) as settings:
            settings.gema_google_review_url = "https://g.page/r/medan/review"
            settings.gema_whatsapp_number = "0812-3456-7890"
        with self._settings(self.other_branch) as settings:
            settings.gema_google_review_url = "https://g.page/r/binjai/review"
            settings.gema_whatsapp_number = "+62 813 9876 5432"
        self.assertEqual(
            self.branch.gema_google_review_url, "https://g.page/r/medan/review"
        )
        self.assertEqual(self.branch.gema_whatsapp_number, "+6281234567890")
        self.assertEqual(self.branch.gema_operating_calendar_id, self.calendar)
        self.assertEqual(
            self.other_branch.gema_google_review_url, "https://g.page/r/binjai/review"
        )
        self.assertEqual(self.other_branch.gema_whatsapp_number, "+6281398765432")
        self.assertFalse(self.other_branch.gema_operating_calendar_id)
        # A branch without its own operating hours counts in its working hours.
        self.assertEqual(
            self.other_branch._gema_operating_calendar(),
            self.other_branch.resource_calendar_id,
        )

    def test_gateway_is_off_by_default(self):
        self.assertFalse(self.other_branch.gema_whatsapp_gateway_enabled)
        self.assertTrue(self.other_branch.gema_whatsapp_api_url.startswith("https://"))

    def test_invalid_whatsapp_number_is_refused(self):
        """G-5: an unusable number is refused with a clear message."""
        with self.assertRaisesBilingual(
            ValidationError, "is not valid", "tidak valid"
        ) as run:
            run(
                lambda env: env["res.company"]
                .browse(self.branch.id)
                .write({"gema_whatsapp_number": "12345"})
            )
        self.assertFalse(self.branch.gema_whatsapp_number)

    def test_invalid_links_are_refused(self):
        with self.assertRaisesBilingual(
            ValidationError, "not valid web addresses", "bukan alamat web"
        ) as run:
            run(
                lambda env: env["res.company"]
                .browse(self.branch.id)
                .write({"gema_google_review_url": "javascript:alert(1)"})
            )

    def test_gateway_needs_its_connection_data(self):
        with self.assertRaisesBilingual(
            ValidationError, "needs the API URL", "memerlukan URL API"
        ) as run:
            run(
                lambda env: env["res.company"]
                .browse(self.branch.id)
                .write({"gema_whatsapp_gateway_enabled": True})
            )
        self.branch.write(
            {
                "gema_whatsapp_gateway_enabled": True,
                "gema_whatsapp_phone_number_id": "106540352242922",
            }
        )
        self.assertTrue(self.branch.gema_whatsapp_gateway_enabled)

    def test_access_token_is_for_administrators_only(self):
        self.branch.sudo().gema_whatsapp_access_token = "secret-token"
        manager_branch = self.branch.with_user(self.users["manager"])
        with self.assertRaises(AccessError):
            manager_branch.read(["gema_whatsapp_access_token"])
        self.assertEqual(self.branch.sudo().gema_whatsapp_access_token, "secret-token")
