from odoo import models

from ..tools import normalize_phone


class GemaMessageMixin(models.AbstractModel):
    """Lets an SOP record send templated messages to its customer (G-3, BK-10).

    SOP models inherit it next to ``gema.sla.mixin``: a *Send Message*
    button (``action_gema_send_message``) opens the composer, and code or
    scheduled actions call ``_gema_send_message``. Every message is logged
    in ``gema.message`` and in the record's chatter with the subtype
    *Customer Message*, which stops the record's "customer contacted" time
    standards. Models whose customer is not ``partner_id`` override
    ``_gema_customer_partner`` (and ``_gema_customer_phone`` for a number
    kept on the record itself).
    """

    _name = "gema.message.mixin"
    _description = "Customer Messaging of an SOP Record"
    _inherit = ["mail.thread"]

    def _gema_customer_partner(self):
        """The customer the messages of this record go to."""
        self.ensure_one()
        if "partner_id" in self._fields:
            return self.partner_id
        return self.env["res.partner"]

    def _gema_customer_phone(self):
        """The customer's WhatsApp number (E.164), or False.

        Raises ``ValidationError`` when the stored number is not usable.
        """
        self.ensure_one()
        partner = self._gema_customer_partner()
        return normalize_phone(self.env, partner.mobile or partner.phone)

    def action_gema_send_message(self):
        """Open the composer: template, channel, text and number."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "gema_sop.gema_message_composer_action"
        )
        action["context"] = {
            "default_res_model": self._name,
            "default_res_id": self.id,
        }
        return action

    def _gema_send_message(self, template, channel, body=None):
        """Send ``template`` (a record or an XML id) to the customer of each
        record over ``channel``; for scheduled actions and other code.

        Returns the ``gema.message`` records (gateway messages are queued).
        """
        if isinstance(template, str):
            template = self.env.ref(template)
        messages = self.env["gema.message"]
        for record in self:
            messages |= messages._gema_send(record, template, channel, body=body)
        return messages
