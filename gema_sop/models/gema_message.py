import logging
from datetime import timedelta
from urllib.parse import quote

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL, plaintext2html
from odoo.tools.misc import clean_context
from odoo.tools.sql import create_index

from ..tools import normalize_phone, whatsapp
from .gema_message_mixin import customer_of, partner_whatsapp_number

_logger = logging.getLogger(__name__)

CHANNELS = [
    ("whatsapp_link", "WhatsApp (click-to-chat)"),
    ("whatsapp_api", "WhatsApp (automatic)"),
    ("email", "Email"),
]
MAX_ATTEMPTS = 5
# Minutes before the next try, after the 1st, 2nd, 3rd, ... failed attempt.
RETRY_MINUTES = [1, 5, 15, 60]
BATCH_SIZE = 20
# WhatsApp's customer service window: free text is accepted this long after
# the customer's last message.
SERVICE_WINDOW = timedelta(hours=24)
# What a sent message was; it is the evidence of what the customer got.
CONTENT_FIELDS = {
    "res_model",
    "res_id",
    "partner_id",
    "phone",
    "channel",
    "template_id",
    "body",
    "user_id",
    "company_id",
    "sent_date",
    "whatsapp_message_id",
}


class GemaMessage(models.Model):
    """The log of every message sent to a customer (BK-10, ST-8, G-3).

    One line per message, whatever the channel: a click-to-chat link opened
    by the staff member, the WhatsApp gateway, or email. When the message is
    sent, one chatter message (subtype *Customer Message*) is posted on the
    SOP record; that message stops the record's "customer contacted" time
    standards. Gateway messages are queued and sent by a scheduled action
    that claims them with ``FOR UPDATE SKIP LOCKED`` and marks each one in
    the same transaction, so a message is never sent twice; network trouble
    and server errors are retried later, refused messages fail at once.

    The log holds customers' phone numbers (G-5): technicians have no access
    to it, and the chatter message does not repeat the number.
    """

    _name = "gema.message"
    _description = "Customer Message"
    _order = "create_date desc, id desc"
    _check_company_auto = True
    _inherit = ["gema.record.link.mixin"]

    res_model = fields.Char(required=True)
    res_id = fields.Many2oneReference(required=True)
    record_name = fields.Char(string="Sent About")
    partner_id = fields.Many2one(
        "res.partner", string="Customer", index=True, check_company=True
    )
    phone = fields.Char(help="The customer's WhatsApp number, in international form.")
    channel = fields.Selection(CHANNELS, required=True, index=True)
    template_id = fields.Many2one("mail.template", index=True, ondelete="set null")
    body = fields.Text(string="Message")
    user_id = fields.Many2one(
        "res.users",
        string="Sent By",
        index=True,
        default=lambda self: self.env.user,
    )
    company_id = fields.Many2one(
        "res.company",
        string="Branch",
        required=True,
        index=True,
        default=lambda self: self.env.company,
    )
    state = fields.Selection(
        [
            ("queued", "Queued"),
            ("sent", "Sent"),
            ("failed", "Failed"),
            ("cancelled", "Cancelled"),
        ],
        required=True,
        default="queued",
        index=True,
        copy=False,
    )
    whatsapp_message_id = fields.Char(
        string="WhatsApp Message ID",
        index="btree_not_null",
        copy=False,
        help="The identifier the WhatsApp API gave the message (wamid...).",
    )
    whatsapp_kind = fields.Selection(
        [("text", "Free Text"), ("template", "Approved Template")],
        string="Sent As",
        copy=False,
        help="Free text is accepted within 24 hours of the customer's last "
        "message; otherwise the approved WhatsApp template is sent.",
    )
    used_template_fallback = fields.Boolean(
        string="Template Fallback",
        copy=False,
        help="WhatsApp refused the free text (the 24-hour window had closed) "
        "and the approved template was sent instead.",
    )
    attempts = fields.Integer(copy=False, readonly=True)
    last_error = fields.Text(copy=False, readonly=True)
    next_try = fields.Datetime(
        copy=False,
        readonly=True,
        help="When the gateway will try to send this queued message.",
    )
    sent_date = fields.Datetime(string="Sent On", copy=False, readonly=True)
    mail_message_id = fields.Many2one(
        "mail.message",
        string="Chatter Message",
        copy=False,
        readonly=True,
        ondelete="set null",
    )

    def _auto_init(self):
        result = super()._auto_init()
        # The sending cron reads only due queued messages, through this index.
        create_index(
            self.env.cr,
            "gema_message_queued_next_try_index",
            self._table,
            ["next_try", "id"],
            where="state = 'queued'",
        )
        return result

    @api.depends("channel", "partner_id", "phone")
    def _compute_display_name(self):
        labels = dict(self._fields["channel"]._description_selection(self.env))
        for message in self:
            who = message.partner_id.name or message.phone or ""
            message.display_name = " - ".join(
                filter(None, [labels.get(message.channel), who])
            )

    def write(self, vals):
        if not self.env.su and set(vals) & CONTENT_FIELDS:
            sent = self.filtered(lambda m: m.state == "sent")
            if sent:
                raise UserError(
                    self.env._(
                        "A sent message is the record of what the customer "
                        "received; it cannot be changed."
                    )
                )
        return super().write(vals)

    # Actions ---------------------------------------------------------------

    def action_cancel(self):
        """Stop a queued message (or drop a failed one) before it is sent."""
        wrong = self.filtered(lambda m: m.state not in ("queued", "failed"))
        if wrong:
            raise UserError(
                self.env._(
                    "Only queued or failed messages can be cancelled: %(messages)s",
                    messages=", ".join(wrong.mapped("display_name")),
                )
            )
        self.write({"state": "cancelled", "next_try": False})

    def action_retry(self):
        """Queue a failed or cancelled gateway message again."""
        wrong = self.filtered(
            lambda m: m.channel != "whatsapp_api"
            or m.state not in ("failed", "cancelled")
        )
        if wrong:
            raise UserError(
                self.env._(
                    "Only failed or cancelled automatic WhatsApp messages can be "
                    "sent again: %(messages)s",
                    messages=", ".join(wrong.mapped("display_name")),
                )
            )
        self.write(
            {
                "state": "queued",
                "attempts": 0,
                "last_error": False,
                "next_try": fields.Datetime.now(),
            }
        )
        self._gema_trigger_cron()

    # Sending -----------------------------------------------------------------

    @api.model
    def _gema_send(
        self, record, template, channel, body=None, partner=None, phone=None
    ):
        """Send one message about ``record`` to its customer and log it.

        ``body`` defaults to the template rendered as plain text; ``partner``
        and ``phone`` to the record's customer (``gema.message.mixin``).
        WhatsApp link and email messages are sent (and logged in the chatter)
        at once; gateway messages are queued for the sending cron.
        Returns the ``gema.message``.
        """
        record.ensure_one()
        # Defaults meant for a wizard (default_res_id, ...) must not reach
        # the records created here (Odoo's own mail composer refuses them).
        env = self.env(context=clean_context(self.env.context))
        return self.with_env(env)._gema_send_clean(
            record.with_env(env), template, channel, body, partner, phone
        )

    @api.model
    def _gema_send_clean(self, record, template, channel, body, partner, phone):
        record.check_access("read")
        template = template or self.env["mail.template"]
        if template and template.model != record._name:
            raise UserError(
                self.env._(
                    "The template %(template)s is not made for this kind of record.",
                    template=template.name,
                )
            )
        customer = customer_of(record, "_gema_customer_partner")
        if partner is None:
            partner = customer
        if phone is None:
            phone = (
                customer_of(record, "_gema_customer_phone")
                if partner == customer
                else partner_whatsapp_number(partner)
            )
        rendered = template._gema_render_text(record.id) if template else ""
        text = (rendered if body is None else body or "").strip()
        if not text:
            raise UserError(
                self.env._("The message is empty: write it or choose a template.")
            )
        vals = {
            "res_model": record._name,
            "res_id": record.id,
            "partner_id": partner.id,
            "channel": channel,
            "template_id": template.id,
            "body": text,
            "company_id": _record_company(record).id,
        }
        if channel == "email":
            return self._gema_send_email(
                record, template, partner, text, rendered, vals
            )
        vals["phone"] = normalize_phone(self.env, phone)
        if not vals["phone"]:
            raise UserError(
                self.env._(
                    "%(customer)s has no WhatsApp number. Add a mobile or phone "
                    "number to the customer first.",
                    customer=partner.display_name or self.env._("The customer"),
                )
            )
        if channel == "whatsapp_api":
            company = self.env["res.company"].browse(vals["company_id"])
            if not company.gema_whatsapp_gateway_enabled:
                raise UserError(
                    self.env._(
                        "Automatic WhatsApp sending is not enabled for %(branch)s. "
                        "Use the click-to-chat link, or enable it in the settings.",
                        branch=company.name,
                    )
                )
            message = self.create(dict(vals, next_try=fields.Datetime.now()))
            message._gema_trigger_cron()
            return message
        message = self.create(
            dict(vals, state="sent", sent_date=fields.Datetime.now(), attempts=1)
        )
        message._gema_post_in_chatter()
        return message

    @api.model
    def _gema_send_email(self, record, template, partner, text, rendered, vals):
        if not partner.email:
            raise UserError(
                self.env._(
                    "%(customer)s has no email address.",
                    customer=partner.display_name or self.env._("The customer"),
                )
            )
        post_values = {
            "message_type": "comment",
            "subtype_xmlid": "gema_sop.mt_customer_message",
            "partner_ids": partner.ids,
        }
        if template and text == rendered:
            posted = record.message_post_with_source(template, **post_values)
        else:
            subject = (
                template and template._render_field("subject", record.ids)[record.id]
            )
            posted = record.message_post(
                body=plaintext2html(text), subject=subject or False, **post_values
            )
        return self.create(
            dict(
                vals,
                state="sent",
                sent_date=fields.Datetime.now(),
                attempts=1,
                mail_message_id=posted[:1].id,
            )
        )

    def _gema_whatsapp_link(self):
        """The click-to-chat address, with the message prefilled."""
        self.ensure_one()
        digits = "".join(ch for ch in self.phone or "" if ch.isdigit())
        return f"https://wa.me/{digits}?text={quote(self.body or '', safe='')}"

    def _gema_post_in_chatter(self):
        """Post the one chatter message of each sent message on its record.

        Subtype *Customer Message*, no recipients: the customer already got
        the message on WhatsApp; here it is the record of it (BK-10), and it
        stops the "customer contacted" clocks of the record. Written in the
        sender's language (the cron has none of its own).
        """
        for message in self.filtered(
            lambda m: m.state == "sent" and not m.mail_message_id
        ):
            record = message._gema_linked_record()
            if not record or not hasattr(record, "message_post"):
                continue
            env = message.env(
                context=dict(
                    message.env.context, lang=message.user_id.lang or message.env.lang
                )
            )
            channels = dict(self._fields["channel"]._description_selection(env))
            kinds = dict(self._fields["whatsapp_kind"]._description_selection(env))
            if message.template_id:
                details = [env._("Template: %(name)s", name=message.template_id.name)]
            else:
                details = [env._("Without template")]
            if message.whatsapp_kind:
                details.append(kinds[message.whatsapp_kind])
            body = Markup("<p><strong>%s</strong> &middot; %s</p>%s") % (
                channels[message.channel],
                " · ".join(details),
                plaintext2html(message.body or ""),
            )
            posted = record.with_context(mail_create_nosubscribe=True).message_post(
                body=body,
                message_type="comment",
                subtype_xmlid="gema_sop.mt_customer_message",
                author_id=message.user_id.partner_id.id or None,
                partner_ids=[],
            )
            message.mail_message_id = posted

    def _gema_requeue_as_template(self):
        """WhatsApp accepted the free text and reported later that the
        24-hour window had closed (131047): send the approved template,
        once. The chatter keeps its one entry of the message."""
        self.write(
            {
                "state": "queued",
                "used_template_fallback": True,
                "next_try": fields.Datetime.now(),
            }
        )
        self._gema_trigger_cron()

    def _gema_trigger_cron(self):
        cron = self.env.ref(
            "gema_sop.ir_cron_gema_message_send", raise_if_not_found=False
        )
        if cron:
            cron._trigger()

    # Gateway -----------------------------------------------------------------

    def _gema_deliver(self):
        """Send one queued message through the WhatsApp Cloud API.

        Within the customer service window (24 hours after the customer's
        last message) the text is sent; outside it, the approved template if
        the message template names one, else the text anyway (WhatsApp then
        answers with error 131047). A 131047 on the text falls back to the
        approved template, once. Returns the values to write on success;
        raises ``WhatsAppError`` otherwise.
        """
        self.ensure_one()
        # sudo: the access token is readable by administrators only, and the
        # gateway sends for every user; nothing of it leaves this method.
        company = self.company_id.sudo()
        if not company.gema_whatsapp_gateway_enabled:
            raise whatsapp.WhatsAppError(
                self.env._(
                    "Automatic WhatsApp sending is turned off for %(branch)s.",
                    branch=company.name,
                )
            )
        gateway = (
            company.gema_whatsapp_api_url,
            company.gema_whatsapp_phone_number_id,
            company.gema_whatsapp_access_token,
        )
        template = self.template_id
        last_inbound = self.partner_id.gema_whatsapp_last_inbound
        in_window = bool(
            last_inbound and last_inbound > fields.Datetime.now() - SERVICE_WINDOW
        )
        if template.gema_whatsapp_template_name and (
            self.used_template_fallback or not in_window
        ):
            return self._gema_deliver_template(gateway)
        try:
            wamid = whatsapp.send_text(*gateway, self.phone, self.body)
        except whatsapp.WhatsAppError as error:
            if not error.needs_template:
                raise
            if not template.gema_whatsapp_template_name:
                raise whatsapp.WhatsAppError(
                    self.env._(
                        "The customer has not written in the last 24 hours, so "
                        "WhatsApp only accepts an approved template. Set the "
                        "WhatsApp template name on the message template. "
                        "(%(error)s)",
                        error=error,
                    ),
                    code=error.code,
                    status=error.status,
                ) from error
            return dict(
                self._gema_deliver_template(gateway), used_template_fallback=True
            )
        return {"whatsapp_message_id": wamid, "whatsapp_kind": "text"}

    def _gema_deliver_template(self, gateway):
        template = self.template_id
        wamid = whatsapp.send_template(
            *gateway,
            self.phone,
            template.gema_whatsapp_template_name,
            template.gema_whatsapp_language or "id",
            template._gema_render_whatsapp_parameters(self.res_id),
        )
        return {"whatsapp_message_id": wamid, "whatsapp_kind": "template"}

    def _gema_record_failure(self, error, transient):
        """Count a failed attempt: retry later with a growing delay, or fail."""
        self.ensure_one()
        attempts = self.attempts + 1
        if transient and attempts < MAX_ATTEMPTS:
            delay = RETRY_MINUTES[min(attempts, len(RETRY_MINUTES)) - 1]
            self.write(
                {
                    "attempts": attempts,
                    "last_error": str(error),
                    "next_try": fields.Datetime.now() + timedelta(minutes=delay),
                }
            )
            return
        self.write(
            {
                "attempts": attempts,
                "last_error": str(error),
                "state": "failed",
                "next_try": False,
            }
        )
        record = self._gema_linked_record()
        if record and hasattr(record, "_message_log"):
            # An internal note, not a customer message: the clock keeps running.
            record._message_log(
                body=Markup("<p>%s</p><p>%s</p>")
                % (
                    self.env._("The automatic WhatsApp message could not be sent:"),
                    str(error),
                )
            )

    @api.model
    def _cron_send_queued(self, limit=BATCH_SIZE):
        """Send the due queued gateway messages, a batch at a time.

        The messages are claimed with one indexed query that skips those
        another worker holds, and each is marked in this same transaction.
        Every exception is caught per message: one failure never undoes the
        messages already sent. An unexpected error fails the message rather
        than retrying it, since it may already have reached the customer.
        """
        now = fields.Datetime.now()
        self.flush_model(["state", "next_try"])
        rows = self.env.execute_query(
            SQL(
                "SELECT id FROM %s WHERE state = 'queued' AND next_try <= %s "
                "ORDER BY next_try, id LIMIT %s FOR UPDATE SKIP LOCKED",
                SQL.identifier(self._table),
                now,
                limit,
            )
        )
        messages = self.browse([row[0] for row in rows])
        for message in messages:
            try:
                with self.env.cr.savepoint():
                    vals = message._gema_deliver()
            except whatsapp.WhatsAppError as error:
                message._gema_record_failure(error, error.transient)
                continue
            except Exception as error:  # isolate each message
                _logger.exception("Customer message %s: unexpected error", message.id)
                message._gema_record_failure(error, False)
                continue
            message.write(
                dict(
                    vals,
                    state="sent",
                    sent_date=fields.Datetime.now(),
                    attempts=message.attempts + 1,
                    last_error=False,
                    next_try=False,
                )
            )
            try:
                with self.env.cr.savepoint():
                    message._gema_post_in_chatter()
            except Exception:  # the message is sent: keep it so
                _logger.exception("Customer message %s: chatter log failed", message.id)
        remaining = self.search_count(
            [("state", "=", "queued"), ("next_try", "<=", now)]
        )
        self.env["ir.cron"]._notify_progress(done=len(messages), remaining=remaining)


def _record_company(record):
    if "company_id" in record._fields and record.company_id:
        return record.company_id
    return record.env.company
