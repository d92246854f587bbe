from odoo import models
from odoo.exceptions import UserError
from odoo.tools import html2plaintext


class GemaConversation(models.Model):
    """The WhatsApp conversation as a live thread (CS-2, CS-4).

    A customer's message reaches the conversation's officer at once: in
    Odoo's inbox (a bus notification, whatever their notification
    preference: a chat is not answered by email), and from there in the
    open conversation's chatter. The officer answers in that chatter
    (*Send message*): on a WhatsApp conversation the text goes to the
    customer through the branch's gateway (``gema.message``, queued once,
    the chatter message being its log), as free text inside the 24-hour
    customer service window. Outside it WhatsApp takes only an approved
    template: the free text is refused, and the message composer offers the
    approved templates only.
    """

    _inherit = "gema.conversation"

    def _notify_get_recipients(self, message, msg_vals, **kwargs):
        recipients = super()._notify_get_recipients(message, msg_vals, **kwargs)
        subtype_id = (msg_vals or {}).get("subtype_id") or message.subtype_id.id
        if subtype_id == self.env.ref("gema_sop.mt_customer_inbound").id:
            for recipient in recipients:
                if recipient["type"] == "user":
                    recipient["notif"] = "inbox"
        return recipients

    def message_post(self, **kwargs):
        """A staff member's *Send message* on a WhatsApp conversation is the
        answer to the customer: checked, logged, and queued for the gateway
        (the customer gets it on WhatsApp, not by email)."""
        if not self._is_whatsapp_reply(kwargs):
            return super().message_post(**kwargs)
        self._check_whatsapp_reply(kwargs)
        kwargs["partner_ids"] = [
            partner_id
            for partner_id in kwargs.get("partner_ids") or []
            if partner_id != self.partner_id.id
        ]
        posted = super(
            GemaConversation, self.with_context(gema_message_pending=True)
        ).message_post(**kwargs)
        reply = self.env["gema.message"]._gema_send(
            self, False, "whatsapp_api", body=html2plaintext(posted.body or "")
        )
        # sudo: the chatter message is the log of this reply (gema.message
        # posts none of its own once it left).
        reply.sudo().mail_message_id = posted
        return posted

    def _is_whatsapp_reply(self, values):
        """Is this post a staff member's message to the customer of a
        WhatsApp conversation (not a note, not the system's own logs)?"""
        subtype = values.get("subtype_xmlid") or values.get("subtype_id")
        user = self.env.user
        return (
            len(self) == 1
            and self.channel == "whatsapp"
            and values.get("message_type") == "comment"
            and subtype in ("mail.mt_comment", self.env.ref("mail.mt_comment").id)
            and values.get("author_id", user.partner_id.id) == user.partner_id.id
            and user._is_internal()
            and not user._is_superuser()
        )

    def _check_whatsapp_reply(self, values):
        if not self.company_id.gema_whatsapp_gateway_enabled:
            raise UserError(
                self.env._(
                    "Automatic WhatsApp sending is not enabled for %(branch)s, so "
                    "this message cannot reach the customer from here: answer "
                    "with Send Message (click-to-chat link), or log a note.",
                    branch=self.company_id.name,
                )
            )
        refusal = self._gema_free_text_refusal(self.partner_id) or self.env[
            "gema.message"
        ]._consent_refusal(self.partner_id)
        if refusal:
            raise UserError(refusal)
        if values.get("attachment_ids") or values.get("attachments"):
            raise UserError(
                self.env._(
                    "A WhatsApp answer from the chatter carries text only: send "
                    "the file to the customer from WhatsApp itself."
                )
            )

    def _gema_free_text_refusal(self, partner):
        """Outside the 24-hour window WhatsApp takes only approved templates."""
        if self.channel != "whatsapp" or partner._gema_whatsapp_window_open():
            return super()._gema_free_text_refusal(partner)
        return self.env._(
            "The customer last wrote on WhatsApp more than 24 hours ago, so "
            "WhatsApp accepts only an approved template: answer with Send "
            "Message and choose one of the approved templates."
        )
