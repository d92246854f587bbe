from odoo import fields, models
from odoo.tools import html2plaintext


class MailTemplate(models.Model):
    """Customer message templates, also usable on WhatsApp (G-3).

    The same template serves email (its HTML body), the click-to-chat link
    and free-form WhatsApp text (its body as plain text), and, outside the
    24-hour window, the WhatsApp template approved by Meta, whose body
    parameters are rendered here per record.
    """

    _inherit = "mail.template"

    gema_whatsapp_template_name = fields.Char(
        string="WhatsApp Template Name",
        help="Name of the template approved in WhatsApp Business Manager. "
        "Sent instead of the free text when the customer has not written to "
        "us in the last 24 hours. Empty: such messages cannot be sent "
        "automatically.",
    )
    gema_whatsapp_language = fields.Char(
        string="WhatsApp Template Language",
        default="id",
        help="Language code of the approved WhatsApp template, e.g. id or en_US.",
    )
    gema_whatsapp_variables = fields.Text(
        string="WhatsApp Template Parameters",
        help="One expression per line, e.g. {{ object.partner_id.name }}, "
        "rendered for the record and sent in this order as the parameters "
        "{{1}}, {{2}}, ... of the approved template's body.",
    )

    def _gema_render_text(self, res_id):
        """The body of the template for one record, as plain text (WhatsApp
        messages have no HTML), in the language of the template."""
        return self._gema_render_texts([res_id])[res_id]

    def _gema_render_texts(self, res_ids):
        """``_gema_render_text`` of each of ``res_ids``, rendered together
        (one rendering per language)."""
        self.ensure_one()
        html = self._render_field("body_html", res_ids, compute_lang=True)
        return {
            res_id: html2plaintext(html[res_id] or "").strip() for res_id in res_ids
        }

    def _gema_render_whatsapp_parameters(self, res_id):
        """The approved template's body parameters for one record, in order.

        Each line is rendered on its own, so that a value containing a line
        break cannot shift the following parameters.
        """
        self.ensure_one()
        lang = self._render_lang([res_id])[res_id]
        template = self.with_context(lang=lang) if lang else self
        parameters = []
        for line in (self.gema_whatsapp_variables or "").splitlines():
            if not line.strip():
                continue
            rendered = template._render_template(
                line.strip(), self.render_model, [res_id], engine="inline_template"
            )[res_id]
            parameters.append(" ".join(str(rendered).split()))
        return parameters
