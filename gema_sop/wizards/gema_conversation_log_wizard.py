from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError


class GemaConversationLogWizard(models.TransientModel):
    """CS-2: log by hand what a customer wrote on a channel Odoo does not
    receive (website live chat, Instagram, Facebook, other apps).

    The text is posted in the conversation's chatter as the customer's
    message (subtype *Customer Message Received*): it is evidence of what
    the customer asked, and it never counts as an answer to them.
    """

    _name = "gema.conversation.log.wizard"
    _description = "Log a Customer Message"

    conversation_id = fields.Many2one(
        "gema.conversation", required=True, ondelete="cascade"
    )
    body = fields.Text(string="Customer's Message", required=True)
    date = fields.Datetime(
        string="Written On",
        required=True,
        default=fields.Datetime.now,
        help="When the customer wrote it.",
    )

    @api.constrains("date")
    def _check_date(self):
        if any(wizard.date > fields.Datetime.now() for wizard in self):
            raise ValidationError(
                self.env._("A customer message cannot be in the future.")
            )

    def action_confirm(self):
        self.ensure_one()
        if not self.body.strip():
            raise UserError(self.env._("Write what the customer wrote."))
        conversation = self.conversation_id
        conversation._log_inbound(self.body.strip(), moment=self.date)
        if not conversation.summary:
            conversation.summary = self.body.strip()
        return {"type": "ir.actions.act_window_close"}
