from odoo import models


class MailNotification(models.Model):
    """G-5: a message's delivery status names its recipients; the web client
    shows the customer's (an email sent to them) only to who may read the
    customer.

    The chatter lists each message's notifications through
    ``_filtered_for_web_client``, which reads the recipient partner as the
    current user: for a technician or logistics user a customer is not
    readable (``res_partner_rule_gema_technician_logistics``), and the whole
    chatter would fail with an access error. Their notifications are left
    out instead.
    """

    _inherit = "mail.notification"

    def _filtered_for_web_client(self):
        # sudo: the recipients' ids only, to ask which of them the user reads.
        recipients = self.sudo().res_partner_id
        readable = recipients.with_env(self.env)._filtered_access("read")
        return super(
            MailNotification,
            self.filtered(lambda n: n.sudo().res_partner_id <= readable),
        )._filtered_for_web_client()
