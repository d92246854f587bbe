"""Every customer message of the demo database, in Indonesian (G-3).

Renders each message template of gema_sop for a demo record of its model,
in English and in Indonesian, with the real ORM on the demo database (read
only: the cursor is rolled back), and finds no English word of the
template's own text in the Indonesian message. Words that come from the
record (names, plates, a diagnosis typed in English) are not the
template's: only the template's source words count.
"""

import re

from odoo.tools import html2plaintext

from .public_page_server import registry_of, superuser_env

WORD = re.compile(r"[^\W\d_]{3,}")
# Links and codes (BK/2026/00006, JOB/..., access tokens) are not words.
NOT_WORDS = re.compile(r"https?://\S+|\S*[/\d]\S*")
# Words the Indonesian text shares with English on purpose: names of
# products and media, and words Indonesian has borrowed as they are.
# The glossary (README, *Indonesian terms*) keeps "booking", "chat" and
# "supervisor" as the SOPs themselves write them.
SHARED = {
    "booking",
    "chat",
    "supervisor",
    "video",
    "wib",
    "whatsapp",
    "google",
    "review",
    "online",
    "link",
    "data",
    "status",
    "total",
    "email",
    "customer",
    "care",
}


def _source_words(template):
    """The English words the template itself writes (its subject and body,
    without the values it inserts)."""
    body = re.sub(r"<t\b[^>]*/>|<t\b[^>]*>.*?</t>", " ", template.body_html or "")
    subject = re.sub(r"\{\{.*?\}\}", " ", template.subject or "")
    text = f"{subject} {html2plaintext(body)}"
    return {word.lower() for word in WORD.findall(text)}


def _render(template, record, lang):
    template = template.with_context(lang=lang)
    parts = [
        template._render_field("subject", record.ids, set_lang=lang)[record.id],
        template._render_field("body_html", record.ids, set_lang=lang)[record.id],
    ]
    return html2plaintext(" ".join(str(part or "") for part in parts))


def test_g3_every_customer_message_of_the_demo_reads_in_indonesian(demo_db):
    """G-3: each customer message template, rendered in Indonesian for a
    demo record, holds no English word of its source; the demo services
    the booking messages name are Indonesian too ("Servis berkala")."""
    registry = registry_of(demo_db)
    with registry.cursor() as cr:
        env = superuser_env(cr)
        try:
            templates = env["mail.template"].browse(
                env["ir.model.data"]
                .search([("module", "=", "gema_sop"), ("model", "=", "mail.template")])
                .mapped("res_id")
            )
            assert len(templates) >= 19
            leaks = {}
            for template in templates:
                record = env[template.model].search([], limit=1, order="id desc")
                assert record, f"no demo record for {template.name}"
                english = _render(template, record, "en_US")
                indonesian = _render(template, record, "id_ID")
                assert english != indonesian, template.name
                source = _source_words(template) - SHARED
                words = WORD.findall(NOT_WORDS.sub(" ", indonesian))
                found = {w.lower() for w in words} & source
                if found:
                    leaks[template.name] = sorted(found)
            assert not leaks, leaks
            booking = env.ref("gema_sop.gema_service_type_periodic_demo")
            confirmation = env.ref("gema_sop.mail_template_booking_confirmation")
            record = env["gema.booking"].search(
                [("service_type_id", "=", booking.id)], limit=1
            )
            text = _render(confirmation, record, "id_ID")
            assert "Servis berkala" in text
            assert "Periodic" not in text
        finally:
            cr.rollback()
