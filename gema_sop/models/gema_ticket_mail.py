from markupsafe import Markup

from odoo import api, fields, models
from odoo.addons.mail.tools.alias_error import AliasError
from odoo.tools import email_normalize, html2plaintext, parse_contact_from_email

from ..tools import clean_text

# AS-1: an emailed file larger than this (system parameter
# gema_sop.email_attachment_max_mb) is not kept; the ticket says so.
EMAIL_ATTACHMENT_MAX_MB = 10
# The subject of an email stands for the product: at most this long.
MAX_PRODUCT_NAME = 200


class GemaTicketMail(models.AbstractModel):
    """After-sales tickets by email (AS-1), inherited by ``gema.ticket``:
    a new email to a branch's alias opens a ticket (the customer found or
    created by address, one per address), a reply joins its ticket, the
    files become evidence, the ticket number goes back by email; emails of
    staff, loops and oversize files are refused."""

    _name = "gema.ticket.mail"
    _description = "After-sales Ticket by Email"

    @api.model
    def message_new(self, msg_dict, custom_values=None):
        """AS-1: a new email to a branch's alias (``res.company.
        gema_ticket_alias_id``, whose defaults give the branch and the
        channel) opens a ticket: the customer is the sender's contact, found
        by address or created, one per address; the email's subject stands
        for the product until the officer corrects it; its text is the
        chronology. The email itself, with its files, is then posted on the
        ticket by the gateway (``_message_post_after_hook``)."""
        self._drop_large_attachments(msg_dict)
        values = dict(custom_values or {})
        sender = email_normalize(msg_dict.get("email_from") or "")
        name, _address = parse_contact_from_email(msg_dict.get("email_from") or "")
        name, problem = clean_text(self.env, name, 100, required=False)
        partner = self.env["res.partner"]._gema_find_or_create_by_email(
            sender, False if problem else name
        )
        subject, problem = clean_text(
            self.env, msg_dict.get("subject"), MAX_PRODUCT_NAME, required=False
        )
        chronology = html2plaintext(msg_dict.get("body") or "").strip()
        # The email is posted as the customer's, also when the gateway
        # found no contact for the address before this one was created.
        msg_dict["author_id"] = partner.id
        values.update(
            {
                "partner_id": partner.id,
                "channel": "email",
                "product_name": (not problem and subject)
                or self.env._("(email without subject)"),
                "chronology": chronology or subject or "-",
                # Nobody picked it up yet; the gateway user is not its officer.
                "user_id": False,
            }
        )
        return super().message_new(msg_dict, custom_values=values)

    def message_update(self, msg_dict, update_vals=None):
        """AS-1: a reply (found by its mail headers) joins its ticket."""
        self._drop_large_attachments(msg_dict)
        return super().message_update(msg_dict, update_vals=update_vals)

    @api.model
    def _drop_large_attachments(self, msg_dict):
        """Files above the limit are left out of the email before it is
        posted; the email's text on the ticket names each one, so the
        officer asks the customer for it another way."""
        limit = EMAIL_ATTACHMENT_MAX_MB
        param = (
            self.env["ir.config_parameter"]
            .sudo()
            .get_param("gema_sop.email_attachment_max_mb")
        )
        if (param or "").strip().isdigit():
            limit = int(param)
        kept, dropped = [], []
        for attachment in msg_dict.get("attachments") or []:
            size = len(attachment.content or b"")
            if size > limit * 1024 * 1024:
                dropped.append(f"{attachment.fname} ({size / 1024 / 1024:.1f} MB)")
            else:
                kept.append(attachment)
        if dropped:
            msg_dict["attachments"] = kept
            note = self.env._(
                "Not kept, larger than %(limit)s MB: %(files)s",
                limit=limit,
                files=", ".join(dropped),
            )
            msg_dict["body"] = Markup("%s<p><em>%s</em></p>") % (
                Markup(msg_dict.get("body") or ""),
                note,
            )

    def _alias_get_error(self, message, message_dict, alias):
        """A new ticket by email comes from a customer: an email from a
        staff member's address (an internal user) is bounced, with the
        alias's message that staff record tickets in Odoo. Replies from
        staff to an existing ticket are accepted."""
        error = super()._alias_get_error(message, message_dict, alias)
        if error or self:
            return error
        sender = email_normalize(message_dict.get("email_from") or "")
        staff = (
            self.env["res.users"]
            .sudo()
            .with_context(active_test=True)
            .search_count(
                [("email_normalized", "=", sender), ("share", "=", False)], limit=1
            )
        )
        if sender and staff:
            return AliasError(
                "gema_staff_sender", self.env._("staff members record tickets in Odoo")
            )
        return False

    @api.model
    def _detect_loop_sender_domain(self, email_from_normalized):
        """Odoo's loop detection (an auto-replier writing again and again)
        counts the tickets recently opened from the same address."""
        return [("partner_id.email_normalized", "=", email_from_normalized)]

    def _message_post_after_hook(self, message, msg_vals):
        """The customer's emails (from the alias): their files are the
        ticket's evidence (proof of purchase, warranty card, photos; the
        officer sorts them), and a new ticket's number goes back to the
        sender by email (AS-1)."""
        result = super()._message_post_after_hook(message, msg_vals)
        if (
            self.env.context.get("from_alias")
            and message.message_type == "email"
            and self.partner_id
            and (
                message.author_id == self.partner_id
                or email_normalize(message.email_from or "")
                == self.partner_id.email_normalized
            )
        ):
            if message.attachment_ids:
                self.purchase_attachment_ids = [
                    fields.Command.link(a.id) for a in message.attachment_ids
                ]
            number_messages = (
                self.env["gema.message"]
                .sudo()
                .search_count(
                    [
                        ("res_model", "=", self._name),
                        ("res_id", "=", self.id),
                        ("template_id", "=", self._ticket_number_template().id),
                        ("state", "not in", ("failed", "cancelled")),
                    ]
                )
            )
            if not number_messages and not self.ticket_number_sent_date:
                self._send_message(self._ticket_number_template(), "email")
        return result

    def _ticket_number_template(self):
        return self.env.ref("gema_sop.mail_template_ticket_number")
