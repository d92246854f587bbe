from odoo import models


class MailMail(models.Model):
    """A customer message sent by email (``gema.message``, channel email)
    left when its mail was sent, not when it was queued (DESIGN, trust
    rules): the sending reports to it here."""

    _inherit = "mail.mail"

    def _postprocess_sent_message(
        self, success_pids, failure_reason=False, failure_type=None
    ):
        # Looked up before super(): a sent mail may delete itself.
        # sudo: the log of customer messages is written by the messaging.
        messages = (
            self.env["gema.message"]
            .sudo()
            .search(
                [
                    ("channel", "=", "email"),
                    ("state", "=", "queued"),
                    ("mail_message_id", "in", self.mail_message_id.ids),
                ]
            )
        )
        result = super()._postprocess_sent_message(
            success_pids, failure_reason=failure_reason, failure_type=failure_type
        )
        messages._email_outcome()
        return result
