from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from ..models.gema_message import CHANNELS
from ..models.gema_message_mixin import (
    _record_company,
    customer_of,
    partner_whatsapp_number,
)
from ..tools import normalize_phone


class GemaMessageComposer(models.TransientModel):
    """Compose a message to the customer of an SOP record (G-3, BK-10).

    The staff member picks a template made for the record's model, sees the
    text rendered for this customer in plain text (WhatsApp has no HTML),
    may personalise it, and sends it: by WhatsApp link (the composer gives
    way to the message's link dialog: the staff member opens the chat with
    a real link, sends, and marks it sent; nothing is logged before),
    through the WhatsApp gateway of the branch, or by email.
    """

    _name = "gema.message.composer"
    _description = "Send a Message to the Customer"
    _inherit = ["gema.record.link.mixin"]

    res_model = fields.Char(required=True)
    res_id = fields.Many2oneReference(required=True)
    company_id = fields.Many2one(
        "res.company", string="Branch", compute="_compute_company_id"
    )
    gateway_enabled = fields.Boolean(compute="_compute_company_id")
    free_text_refusal = fields.Char(compute="_compute_free_text_refusal")
    allowed_template_ids = fields.Many2many(
        "mail.template", compute="_compute_free_text_refusal"
    )
    template_id = fields.Many2one(
        "mail.template",
        domain="[('id', 'in', allowed_template_ids)]",
        help="The polite standard text for this situation; it is filled in "
        "for this customer and can still be personalised.",
    )
    channel = fields.Selection(
        CHANNELS, required=True, default="whatsapp_link", string="Send By"
    )
    partner_id = fields.Many2one(
        "res.partner",
        string="Customer",
        compute="_compute_partner_id",
        store=True,
        readonly=False,
    )
    phone = fields.Char(
        string="WhatsApp Number",
        compute="_compute_phone",
        store=True,
        readonly=False,
        help="Any common form, e.g. 0812-3456-7890; sent in international form.",
    )
    email = fields.Char(related="partner_id.email")
    body = fields.Text(
        string="Message",
        compute="_compute_body",
        store=True,
        readonly=False,
    )

    @api.depends("res_model", "res_id")
    def _compute_company_id(self):
        for composer in self:
            record = composer._linked_record()
            company = _record_company(record) if record else self.env.company
            composer.company_id = company
            composer.gateway_enabled = company.gema_whatsapp_gateway_enabled

    @api.depends("res_model", "res_id", "partner_id", "channel")
    def _compute_free_text_refusal(self):
        """G-3, CS-4: outside the customer's 24-hour WhatsApp window the
        gateway may send only an approved template: the composer says why
        and offers those only."""
        Template = self.env["mail.template"]
        for composer in self:
            record = composer._linked_record()
            refusal = (
                record
                and composer.channel == "whatsapp_api"
                and customer_of(record, "_gema_free_text_refusal", composer.partner_id)
            )
            domain = [("model", "=", composer.res_model)]
            if refusal:
                domain.append(("gema_whatsapp_template_name", "!=", False))
            composer.free_text_refusal = refusal or False
            composer.allowed_template_ids = Template.search(domain)

    @api.depends("res_model", "res_id")
    def _compute_partner_id(self):
        for composer in self:
            record = composer._linked_record()
            composer.partner_id = (
                customer_of(record, "_customer_partner") if record else False
            )

    @api.depends("partner_id")
    def _compute_phone(self):
        for composer in self:
            partner = composer.partner_id
            composer.phone = partner_whatsapp_number(partner)

    @api.depends("template_id", "res_id")
    def _compute_body(self):
        for composer in self:
            if composer.template_id and composer.res_id:
                composer.body = composer.template_id._gema_render_text(composer.res_id)
            else:
                composer.body = composer.body or False

    @api.onchange("phone")
    def _onchange_phone(self):
        """Show the number as it will be used, or warn at once."""
        if not self.phone:
            return None
        try:
            self.phone = normalize_phone(self.env, self.phone)
        except ValidationError as error:
            return {
                "warning": {
                    "title": self.env._("WhatsApp number"),
                    "message": error.args[0],
                }
            }
        return None

    def action_send(self):
        """Send (email), queue (gateway), or prepare the WhatsApp link and
        open its dialog."""
        self.ensure_one()
        record = self._linked_record()
        if not record or not record.exists():
            raise UserError(self.env._("The record of this message no longer exists."))
        if self.channel == "whatsapp_api":
            if (
                self.free_text_refusal
                and not self.template_id.gema_whatsapp_template_name
            ):
                raise UserError(self.free_text_refusal)
            # G-5: a person asking is told at once; the gateway would hold it.
            refusal = self.env["gema.message"]._consent_refusal(self.partner_id)
            if refusal:
                raise UserError(refusal)
        message = self.env["gema.message"]._gema_send(
            record,
            self.template_id,
            self.channel,
            body=self.body or "",
            partner=self.partner_id,
            phone=self.phone,
        )
        if self.channel == "whatsapp_link":
            return message._link_dialog()
        return {"type": "ir.actions.act_window_close"}
