"""Every text of gema_sop has an Indonesian translation (DESIGN: translations)."""

from pathlib import Path

import polib

from odoo.tests import tagged
from odoo.tools.translate import TranslationModuleReader

from .common import GemaSopCase

I18N = Path(__file__).parents[1] / "i18n"


@tagged("post_install", "-at_install")
class TestIndonesianTranslation(GemaSopCase):
    def test_every_term_of_the_module_is_translated_in_id_po(self):
        """A term added to the code without `make i18n` and a translation
        would reach Indonesian users in English."""
        sources = {
            source
            for _module, _type, _name, _res_id, source, _value, _comments in (
                TranslationModuleReader(self.env.cr, modules=["gema_sop"])
            )
            if source
        }
        translations = {
            entry.msgid: entry.msgstr
            for entry in polib.pofile(str(I18N / "id.po"))
            if not entry.obsolete and "fuzzy" not in entry.flags
        }
        self.assertTrue(sources)
        self.assertEqual(
            sorted(s for s in sources if not translations.get(s)),
            [],
            "terms without an Indonesian translation: run `make i18n` and "
            "translate them in gema_sop/i18n/id.po",
        )
        pot = {entry.msgid for entry in polib.pofile(str(I18N / "gema_sop.pot"))}
        self.assertEqual(sorted(sources - pot), [], "gema_sop.pot is out of date")
