from odoo import fields, models


def partner_whatsapp_number(partner):
    """The number WhatsApp messages to ``partner`` go to, as stored."""
    return partner.mobile or partner.phone or False


def customer_of(record, method, *args):
    """Call the customer ``method`` of this mixin on ``record`` (with
    ``args``): the record's own (SOP models may override it) when its model
    inherits the mixin, the mixin's default otherwise."""
    mixin = record.env.registry["gema.message.mixin"]
    return getattr(type(record), method, getattr(mixin, method))(record, *args)


def _record_company(record):
    """The branch a record's messages are sent for: its own, else the
    current company (records without a branch)."""
    if "company_id" in record._fields and record.company_id:
        return record.company_id
    return record.env.company


class GemaMessageMixin(models.AbstractModel):
    """Lets an SOP record send templated messages to its customer (G-3, BK-10).

    SOP models inherit it next to ``gema.sla.mixin``: a *Send Message*
    button (``action_gema_send_message``) opens the composer, and code or
    scheduled actions call ``_send_message``. Every message is logged
    in ``gema.message`` and in the record's chatter with the subtype
    *Customer Message*, which stops the record's "customer contacted" time
    standards. Models whose customer is not ``partner_id`` override
    ``_customer_partner`` (and ``_customer_phone`` for a number
    kept on the record itself).
    """

    _name = "gema.message.mixin"
    _description = "Customer Messaging of an SOP Record"

    # {template xmlid: date field}: the date is the moment a message of that
    # template left (see _on_message_sent).
    _gema_sent_date_fields = {}
    _inherit = ["mail.thread"]

    def unlink(self):
        """A deleted record takes its message log with it, as its chatter
        goes with it (sudo: the log is written by the messaging only)."""
        messages = (
            self.env["gema.message"]
            .sudo()
            .search([("res_model", "=", self._name), ("res_id", "in", self.ids)])
        )
        result = super().unlink()
        messages.unlink()
        return result

    def _customer_partner(self):
        """The customer the messages of this record go to."""
        self.ensure_one()
        if "partner_id" in self._fields:
            return self.partner_id
        return self.env["res.partner"]

    def _customer_phone(self):
        """The customer's WhatsApp number as stored, or False; sending
        normalises it to E.164 and refuses an unusable one."""
        self.ensure_one()
        return partner_whatsapp_number(self._customer_partner())

    def _gema_free_text_refusal(self, partner):
        """Why a free text may not go to ``partner`` through the gateway now
        (only an approved template), or False: the message composer then
        offers the approved templates only."""
        return False

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

    def _send_message(self, template, channel, body=None, once_key=None):
        """Send ``template`` (a record or an XML id) to the customer of each
        record over ``channel``; for scheduled actions and other code.
        ``once_key`` (one record only): the purpose of an automatic message,
        which is then queued once (``gema.message._once_key``). The batch is
        sent together (``gema.message._gema_send_many``); the first record
        that cannot get its message raises its error.

        Returns the ``gema.message`` records (gateway messages are queued,
        WhatsApp links prepared for the staff member).
        """
        if isinstance(template, str):
            template = self.env.ref(template)
        Message = self.env["gema.message"]
        sent, errors = Message._gema_send_many(
            self,
            template,
            channel,
            body=body,
            once_keys=dict.fromkeys(self.ids, once_key) if once_key else None,
        )
        for record in self:
            if record.id in errors:
                raise errors[record.id]
        return Message.union(*(sent[record.id] for record in self))

    def _channel(self):
        """The channel of the messages the system sends on its own for this
        record (confirmation, reminder, closing): automatic WhatsApp when
        its branch's gateway is on, else the click-to-chat link the staff
        member opens."""
        self.ensure_one()
        if _record_company(self).gema_whatsapp_gateway_enabled:
            return "whatsapp_api"
        return "whatsapp_link"

    def _notify(self, template_xmlid):
        """The buttons' way to send: ``template_xmlid`` by the channel in
        the context (``gema_channel``, default the WhatsApp link); for one
        WhatsApp link, the dialog where the staff member opens it."""
        channel = self.env.context.get("gema_channel", "whatsapp_link")
        return self._open_link(self._send_message(template_xmlid, channel))

    def _open_link(self, messages):
        """For one record and one WhatsApp link to send, the dialog with the
        link that opens the chat and *Mark as Sent*; otherwise True.

        Nothing is logged before the staff member confirms: a link never
        opened stops no clock."""
        links = messages.filtered(
            lambda m: m.channel == "whatsapp_link" and m.state in ("draft", "opened")
        )
        if len(self) == 1 and len(links) == 1:
            return links._link_dialog()
        return True

    def _on_message_sent(self, message):
        """Hook: ``message`` about this record has just left (gateway
        accepted it, link confirmed by the staff member, email sent). SOP
        models record what the message stood for; called once per message,
        in the system's name.

        Here: the date field that ``_gema_sent_date_fields`` names for the
        message's template gets the moment it left, once. Those dates stop
        time standards (AS-2 warranty status told, ST-5 delay notice, ...):
        set when the button was pressed, a WhatsApp link never opened, a
        queued message never sent, would stop the clock all the same."""
        xmlid = message.template_id.get_external_id().get(message.template_id.id)
        field = self._gema_sent_date_fields.get(xmlid)
        if field and not self[field]:
            # sudo: the date records what the channel did, whoever confirmed
            # it (a CS officer's link on a ticket part they may not write).
            self.sudo().write({field: message.sent_date or fields.Datetime.now()})
        return None
