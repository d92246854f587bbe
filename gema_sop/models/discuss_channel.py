from odoo import fields, models
from odoo.tools import html2plaintext

from .gema_conversation import MAX_SUMMARY


class DiscussChannel(models.Model):
    """The bridge from a website live chat session to the chat desk (CS-1,
    CS-2, CS-4).

    A live chat session of a branch's channel (``im_livechat.channel`` with
    ``gema_company_id``) is a ``discuss.channel`` of type *livechat*, where
    the operator answers in Discuss. Every message written in it by either
    side is copied into the chatter of one ``gema.conversation`` of channel
    *Website Live Chat* (``gema_conversation_id``), so that the desk, its
    time standards, its report and its retention work as for WhatsApp: the
    visitor's first message opens the conversation (a logged-in customer's
    open live chat conversation of the branch is joined instead), and its
    CS-4 clock starts; the visitor's messages are customer messages
    received, which stop no clock; the operator's first message is the
    first response. Notifications (joined, left, rating) and a chatbot's
    messages are not copied. The session itself (its messages, the guest's
    country and time zone) is removed with the conversation's content when
    the retention period has passed (CS-7, G-5).
    """

    _inherit = "discuss.channel"

    gema_conversation_id = fields.Many2one(
        "gema.conversation",
        string="Chat Conversation",
        index="btree_not_null",
        ondelete="set null",
        readonly=True,
        copy=False,
        help="The chat desk's conversation this live chat is filed on (CS-2).",
    )

    def _message_post_after_hook(self, message, msg_vals):
        result = super()._message_post_after_hook(message, msg_vals)
        for channel in self:
            channel._gema_file_livechat_message(message)
        return result

    def _gema_file_livechat_message(self, message):
        """Copy ``message`` of this live chat session into its conversation:
        the visitor's opens or joins it, the operator's answers it."""
        self.ensure_one()
        if self.channel_type != "livechat" or message.message_type != "comment":
            return
        company = self.livechat_channel_id.gema_company_id
        if not company:
            return
        text = html2plaintext(message.body or "").strip()
        names = message.attachment_ids.mapped("name")
        if names:
            text = "\n".join(filter(None, [text, *(f"[{n}]" for n in names)]))
        if not text:
            return
        operator = message.author_id.user_ids.filtered(lambda u: not u.share)[:1]
        # sudo: the visitor is a guest or a portal customer, the operator may
        # be any live chat user; filing on the desk is the system's, as for
        # the WhatsApp webhook.
        channel = self.sudo()
        if operator:
            conversation = channel.gema_conversation_id
            if conversation:
                conversation.with_context(mail_create_nosubscribe=True).message_post(
                    body=message.body,
                    message_type="comment",
                    subtype_xmlid="gema_sop.mt_customer_message",
                    author_id=message.author_id.id,
                    partner_ids=[],
                )
            return
        if message.author_id and message.author_id == self.livechat_operator_id:
            return  # a chatbot speaking for the channel
        if not channel.gema_conversation_id:
            channel.gema_conversation_id = channel._gema_open_conversation(
                company, message, text
            )
        channel.gema_conversation_id._log_inbound(text)

    def _gema_open_conversation(self, company, message, text):
        """The conversation the visitor's first message goes to: a logged-in
        customer's open live chat conversation of the branch, else a new one
        (its CS-4 clock starts now), for the session's operator."""
        self.ensure_one()
        partner = message.author_id
        Conversation = self.env["gema.conversation"].sudo().with_company(company)
        if partner:
            conversation = Conversation._open_of(company, partner, "live_chat")
            if conversation:
                return conversation
        officer = self.livechat_operator_id.user_ids.filtered(
            lambda u: u.has_group("gema_sop.group_cs_officer")
        )[:1]
        return Conversation.create(
            {
                "company_id": company.id,
                "channel": "live_chat",
                "partner_id": partner.id,
                # A guest's name is Odoo's "Visitor": the officer writes
                # the name the visitor gives in the chat.
                "customer_name": partner.name or False,
                "summary": text[:MAX_SUMMARY],
                "user_id": officer.id,
            }
        )
