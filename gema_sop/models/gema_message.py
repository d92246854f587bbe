import logging
from urllib.parse import quote

import psycopg2.errors
from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL, plaintext2html
from odoo.tools.misc import clean_context
from odoo.tools.sql import create_index

from ..tools import normalize_phone
from .gema_message_mixin import _record_company, customer_of, partner_whatsapp_number

_logger = logging.getLogger(__name__)

CHANNELS = [
    ("whatsapp_link", "WhatsApp (click-to-chat)"),
    ("whatsapp_api", "WhatsApp (automatic)"),
    ("email", "Email"),
]
STATES = [
    ("draft", "Link Ready"),
    ("opened", "Opened by Staff"),
    ("queued", "Queued"),
    ("sending", "Sending"),
    ("check", "To Check"),
    ("sent", "Sent"),
    ("delivered", "Delivered to Phone"),
    ("read", "Read"),
    ("failed", "Failed"),
    ("no_consent", "Held: No Consent"),
    ("cancelled", "Cancelled"),
]
# The message left by its channel: the customer has it (or is getting it).
LEFT_STATES = ("sent", "delivered", "read")
# How far a message got, as WhatsApp's status webhooks report it.
PROGRESS = {"sent": 1, "delivered": 2, "read": 3}
# A message waiting for the staff member to send it by WhatsApp link.
LINK_PENDING = ("draft", "opened")
# States whose message may already be with the customer: its content is
# the record of what they got (ST-8) and cannot change any more.
FROZEN_STATES = ("sending", "check", *LEFT_STATES)
# What a message says, to whom, about what: the evidence of what the
# customer got once it may have left.
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
    "dedupe_key",
}
# How far the message got: only the channel (the sender, the webhook, the
# staff member's link) says it, through the methods of this model.
STATUS_FIELDS = {
    "state",
    "attempts",
    "last_error",
    "next_try",
    "sending_date",
    "sent_date",
    "delivered_date",
    "read_date",
    "link_opened_date",
    "whatsapp_message_id",
    "whatsapp_kind",
    "used_template_fallback",
    "mail_message_id",
}


class GemaMessage(models.Model):
    """The log of every message sent to a customer (BK-10, ST-8, G-3).

    One line per message, whatever the channel, with its delivery state as
    far as the channel knows it. It is logged once in the record's chatter
    (subtype *Customer Message*, which stops the record's "customer
    contacted" time standards) only when it left:

    - **WhatsApp link**: the line is prepared (*Link Ready*); the staff
      member follows the link (``/gema/message/<id>/whatsapp``, a real link
      they click, which records *Opened by Staff* and opens wa.me with the
      text), sends it in WhatsApp and confirms with *Mark as Sent*. A link
      never followed, or a dialog closed, logs nothing and stops no clock.
    - **Email**: posted in the chatter to the customer and *Queued* while
      Odoo's mail holds it; *Sent* (the record told, its "contacted"
      clocks stopped) once the mail was sent, *Failed* when it failed
      (``_email_outcome``, called by ``mail.mail``).
    - **WhatsApp gateway** (Cloud API): queued, then sent by the scheduled
      action, never twice (``gema.message.gateway``: each message claimed
      and settled in transactions of its own, a run bounded by its time
      budget, an abandoned one *To Check*, never resent blindly).

    Automatic messages planned by scheduled actions carry a ``dedupe_key``
    (record, template and due day), unique among the live messages, so two
    workers or a rerun queue them once.

    The log holds customers' phone numbers (G-5): technicians have no access
    to it, and the chatter message does not repeat the number.
    """

    _name = "gema.message"
    _description = "Customer Message"
    _order = "create_date desc, id desc"
    _check_company_auto = True
    _inherit = ["gema.record.link.mixin", "gema.message.gateway"]

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
        STATES,
        string="Delivery",
        required=True,
        default="queued",
        index=True,
        copy=False,
        readonly=True,
        help="How far the message got, as far as its channel knows: a link "
        "opened by the staff member and confirmed, an email sent, or for the "
        "gateway queued, sending, sent, delivered, read or failed. To Check: "
        "the gateway could not learn whether WhatsApp accepted the message; "
        "check the chat before sending it again.",
    )
    dedupe_key = fields.Char(
        string="Purpose Key",
        copy=False,
        readonly=True,
        help="Record, template and due day of an automatic message: it is "
        "queued once, whoever plans it.",
    )
    whatsapp_message_id = fields.Char(
        string="WhatsApp Message ID",
        index="btree_not_null",
        copy=False,
        readonly=True,
        help="The identifier the WhatsApp API gave the message (wamid...).",
    )
    whatsapp_kind = fields.Selection(
        [("text", "Free Text"), ("template", "Approved Template")],
        string="Sent As",
        copy=False,
        readonly=True,
        help="Free text is accepted within 24 hours of the customer's last "
        "message; otherwise the approved WhatsApp template is sent.",
    )
    used_template_fallback = fields.Boolean(
        string="Template Fallback",
        copy=False,
        readonly=True,
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
    sending_date = fields.Datetime(string="Last Attempt", copy=False, readonly=True)
    link_opened_date = fields.Datetime(
        string="Link Opened On",
        copy=False,
        readonly=True,
        help="When the staff member followed the WhatsApp link.",
    )
    sent_date = fields.Datetime(string="Sent On", copy=False, readonly=True)
    delivered_date = fields.Datetime(string="Delivered On", copy=False, readonly=True)
    read_date = fields.Datetime(string="Read On", copy=False, readonly=True)
    mail_message_id = fields.Many2one(
        "mail.message",
        string="Chatter Message",
        copy=False,
        readonly=True,
        ondelete="set null",
        # Every mail sent looks up its customer messages by it (mail.mail).
        index="btree_not_null",
    )
    whatsapp_open_url = fields.Char(
        string="WhatsApp Link", compute="_compute_whatsapp_open_url"
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

    def init(self):
        # One live message per purpose, whatever the number of workers
        # planning it; a failed or cancelled one leaves room for another.
        self.env.cr.execute(
            SQL(
                "CREATE UNIQUE INDEX IF NOT EXISTS gema_message_dedupe_key_live_idx "
                "ON gema_message (dedupe_key) WHERE dedupe_key IS NOT NULL "
                "AND state NOT IN ('failed', 'cancelled')"
            )
        )

    @api.depends("channel", "partner_id", "phone")
    def _compute_display_name(self):
        labels = dict(self._fields["channel"]._description_selection(self.env))
        for message in self:
            who = message.partner_id.name or message.phone or ""
            message.display_name = " - ".join(
                filter(None, [labels.get(message.channel), who])
            )

    @api.depends("channel")
    def _compute_whatsapp_open_url(self):
        for message in self:
            message.whatsapp_open_url = (
                f"/gema/message/{message.id}/whatsapp"
                if message.id and message.channel == "whatsapp_link"
                else False
            )

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su:
            forged = {name for vals in vals_list for name in vals} & STATUS_FIELDS
            if forged:
                raise UserError(self._status_refusal())
        return super().create(vals_list)

    def write(self, vals):
        if not self.env.su:
            if set(vals) & STATUS_FIELDS:
                raise UserError(self._status_refusal())
            if set(vals) & CONTENT_FIELDS and self.filtered(
                lambda m: m.state in FROZEN_STATES
            ):
                raise UserError(
                    self.env._(
                        "A sent message is the record of what the customer "
                        "received; it cannot be changed."
                    )
                )
        return super().write(vals)

    def _status_refusal(self):
        return self.env._(
            "The delivery state of a message is set by its channel (the "
            "gateway, the WhatsApp link, the email); use the message's buttons."
        )

    # Actions ---------------------------------------------------------------

    def action_cancel(self):
        """Drop a message that has not left: a link not sent, a queued,
        failed or unconfirmed gateway message."""
        wrong = self.filtered(
            lambda m: m.state
            not in (*LINK_PENDING, "queued", "failed", "check", "no_consent")
        )
        if wrong:
            raise UserError(
                self.env._(
                    "Only messages that have not been sent can be cancelled: "
                    "%(messages)s",
                    messages=", ".join(wrong.mapped("display_name")),
                )
            )
        self.check_access("write")
        # sudo: the delivery state is the system's; the right to act on
        # these messages was checked just above.
        self.sudo().write({"state": "cancelled", "next_try": False})
        return {"type": "ir.actions.act_window_close"}

    def action_retry(self):
        """Queue a failed, cancelled, unconfirmed or held gateway message
        again (for one To Check: after checking the customer did not get it;
        for one held, once the customer agreed or wrote)."""
        wrong = self.filtered(
            lambda m: m.channel != "whatsapp_api"
            or m.state not in ("failed", "cancelled", "check", "no_consent")
        )
        if wrong:
            raise UserError(
                self.env._(
                    "Only failed, cancelled, unconfirmed or held automatic "
                    "WhatsApp messages can be sent again: %(messages)s",
                    messages=", ".join(wrong.mapped("display_name")),
                )
            )
        self.check_access("write")
        for message in self:
            refusal = self._consent_refusal(message.partner_id)
            if refusal:
                raise UserError(refusal)
        # sudo: see action_cancel.
        self.sudo().write(
            {
                "state": "queued",
                "attempts": 0,
                "last_error": False,
                "next_try": fields.Datetime.now(),
            }
        )
        self._trigger_cron()

    def action_mark_sent(self):
        """The staff member confirms the message left.

        A WhatsApp link: only once they followed it themselves (the link
        recorded the opening) and sent the text in WhatsApp. A gateway
        message To Check: a person checked the chat and found it there.
        Either is logged once, with who and when, and stops the record's
        "customer contacted" clocks."""
        for message in self:
            if message.channel == "whatsapp_link" and message.state in LINK_PENDING:
                if message.state != "opened" or message.user_id != self.env.user:
                    raise UserError(
                        self.env._(
                            "Open WhatsApp with the link first and send the "
                            "message there; it is logged once you have sent it."
                        )
                    )
            elif message.state != "check":
                raise UserError(
                    self.env._(
                        "Only a WhatsApp link you opened, or a message waiting "
                        "to be checked, can be marked as sent: %(message)s",
                        message=message.display_name,
                    )
                )
        self.check_access("write")
        for message in self:
            # sudo: see action_cancel; the chatter entry is the system's log.
            message.sudo()._mark_left(
                {
                    "state": "sent",
                    "sent_date": fields.Datetime.now(),
                    "last_error": False,
                    "next_try": False,
                },
                confirmed_by=self.env.user,
            )
        return {"type": "ir.actions.act_window_close"}

    def _open_whatsapp(self):
        """The staff member followed the link: record who opened it and when
        (nothing is logged on the record yet) and return the wa.me address
        with the text. Called by the link's route."""
        self.ensure_one()
        self.check_access("write")
        if self.channel != "whatsapp_link" or self.state not in LINK_PENDING:
            labels = dict(self._fields["state"]._description_selection(self.env))
            raise UserError(
                self.env._(
                    "This message is not waiting to be sent by WhatsApp link "
                    "(it is %(state)s).",
                    state=labels[self.state],
                )
            )
        record = self._linked_record()
        if not record:
            raise UserError(self.env._("The record of this message no longer exists."))
        record.check_access("read")
        # sudo: see action_cancel; whoever opens the link is the sender.
        self.sudo().write(
            {
                "state": "opened",
                "link_opened_date": fields.Datetime.now(),
                "user_id": self.env.uid,
            }
        )
        return self._whatsapp_link()

    def _link_dialog(self):
        """The dialog of a message to send by WhatsApp link: the text, a real
        link that opens the chat (no popup to block), and Mark as Sent."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Send by WhatsApp"),
            "res_model": self._name,
            "res_id": self.id,
            "views": [
                (self.env.ref("gema_sop.gema_message_view_form_link").id, "form")
            ],
            "target": "new",
        }

    # Sending -----------------------------------------------------------------

    @api.model
    def _gema_send(
        self,
        record,
        template,
        channel,
        body=None,
        partner=None,
        phone=None,
        once_key=None,
    ):
        """Send one message about ``record`` to its customer and log it.

        ``body`` defaults to the template rendered as plain text; ``partner``
        and ``phone`` to the record's customer (``gema.message.mixin``).
        Email is sent and logged at once; a WhatsApp link is prepared for
        the staff member (``_link_dialog``; an unsent one of the same
        record and template is reused); gateway messages are queued for the
        sending cron. ``once_key`` (``_once_key``): a message with this
        purpose that is still live is returned instead of a new one; when
        another transaction is creating it at this moment, nothing is
        returned. Returns the ``gema.message``.
        """
        record.ensure_one()
        sent, errors = self._gema_send_many(
            record,
            template,
            channel,
            body=body,
            partner=partner,
            phone=phone,
            once_keys={record.id: once_key},
        )
        if errors:
            raise errors[record.id]
        return sent[record.id]

    @api.model
    def _gema_send_many(
        self,
        records,
        template,
        channel,
        body=None,
        partner=None,
        phone=None,
        once_keys=None,
    ):
        """``_gema_send`` for each of ``records`` (one model), in a handful
        of queries for the whole batch (the scheduled actions' reminders):
        one access check, one rendering of the template, one search of the
        purposes (``once_keys``: {record id: key}) already live, one create
        of the new messages, one note per held message's record in one
        batch, one wake-up of the sender.

        Returns ``({record id: message}, {record id: UserError})``: what
        each record got, and why the others got nothing (no number, no
        email, ...); an error of one record does not stop the others.
        """
        # Defaults meant for a wizard (default_res_id, ...) must not reach
        # the records created here (Odoo's own mail composer refuses them).
        env = self.env(context=clean_context(self.env.context))
        return self.with_env(env)._send_many(
            records.with_env(env), template, channel, body, partner, phone, once_keys
        )

    @api.model
    def _send_many(self, records, template, channel, body, partner, phone, once_keys):
        records.check_access("read")
        template = template or self.env["mail.template"]
        once_keys = once_keys or {}
        live = self._live_with_keys(list(filter(None, once_keys.values())))
        sent, errors = {}, {}
        for record in records:
            key = once_keys.get(record.id)
            if key in live:
                sent[record.id] = live[key]._reuse_link(channel)
        todo = records.filtered(lambda record: record.id not in sent)
        rendered = self._texts_of(todo, template)
        vals_of = {}
        for record in todo:
            try:
                text = (rendered[record.id] if body is None else body or "").strip()
                if not text:
                    raise UserError(
                        self.env._(
                            "The message is empty: write it or choose a template."
                        )
                    )
                vals = self._message_values(
                    record, template, channel, text, partner, phone, once_keys
                )
                if channel == "email":
                    sent[record.id] = self._gema_send_email(
                        record,
                        template,
                        self.env["res.partner"].browse(vals["partner_id"]),
                        text,
                        rendered[record.id],
                        vals,
                    )
                else:
                    vals_of[record.id] = vals
            except UserError as error:
                errors[record.id] = error
        if channel == "whatsapp_api":
            sent.update(self._queue_many(vals_of))
        elif channel == "whatsapp_link":
            sent.update(self._prepare_links(vals_of))
        return sent, errors

    @api.model
    def _message_values(
        self, record, template, channel, text, partner, phone, once_keys
    ):
        """The values of the message of ``text`` about ``record`` to
        ``partner`` (default: the record's customer) at ``phone`` (default:
        theirs), or a UserError saying why none can go."""
        customer = customer_of(record, "_customer_partner")
        if partner is None:
            partner = customer
        company = _record_company(record)
        vals = {
            "res_model": record._name,
            "res_id": record.id,
            "partner_id": partner.id,
            "channel": channel,
            "template_id": template.id,
            "body": text,
            "user_id": self.env.uid,
            "company_id": company.id,
            "dedupe_key": once_keys.get(record.id) or False,
        }
        if channel == "email":
            return vals
        if phone is None:
            phone = (
                customer_of(record, "_customer_phone")
                if partner == customer
                else partner_whatsapp_number(partner)
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
        if channel == "whatsapp_api" and not company.gema_whatsapp_gateway_enabled:
            raise UserError(
                self.env._(
                    "Automatic WhatsApp sending is not enabled for %(branch)s. "
                    "Use the click-to-chat link, or enable it in the settings.",
                    branch=company.name,
                )
            )
        return vals

    @api.model
    def _texts_of(self, records, template):
        """{record id: the template rendered for it as plain text}, for all
        ``records`` in one rendering; empty without template."""
        if not template:
            return dict.fromkeys(records.ids, "")
        if template.model != records._name:
            raise UserError(
                self.env._(
                    "The template %(template)s is not made for this kind of record.",
                    template=template.name,
                )
            )
        return template._gema_render_texts(records.ids)

    @api.model
    def _queue_many(self, vals_of):
        """Gateway messages ({record id: values}), queued for the sending
        cron of their branch; those whose customer did not consent are held
        (G-5), with a note on their record. Returns {record id: message}."""
        partners = self.env["res.partner"].browse(
            {vals["partner_id"] for vals in vals_of.values()} - {False}
        )
        refusals = {partner.id: self._consent_refusal(partner) for partner in partners}
        refusals[False] = self._consent_refusal(partners.browse())
        now = fields.Datetime.now()
        for vals in vals_of.values():
            refusal = refusals[vals["partner_id"]]
            if refusal:
                vals.update(state="no_consent", next_try=False, last_error=refusal)
            else:
                vals.update(state="queued", next_try=now)
        messages, created = self._create_many_once(list(vals_of.values()))
        held = created.filtered(lambda message: message.state == "no_consent")
        held._note_on_records(
            self.env._("The automatic WhatsApp message was not sent:"),
            {message.id: message.last_error for message in held},
        )
        if created - held:
            self._trigger_cron()
        return dict(zip(vals_of, messages, strict=True))

    @api.model
    def _consent_refusal(self, partner):
        """G-5: why no automatic WhatsApp message may go to ``partner`` now,
        or False (``res.partner._gema_whatsapp_consent_refusal``); without
        a customer, nobody's consent can be checked."""
        if not partner:
            return self.env._(
                "The message has no customer, so their consent to WhatsApp "
                "messages cannot be checked."
            )
        return partner._gema_whatsapp_consent_refusal()

    @api.model
    def _prepare_links(self, vals_of):
        """WhatsApp links ({record id: values}) for the staff member to
        send: an unsent one of the same record and template (without a
        purpose key) is brought up to date and reused; the new ones are
        created together. Returns {record id: message}."""
        links, new = {}, {}
        for record_id, vals in vals_of.items():
            pending = not vals["dedupe_key"] and self.search(
                [
                    ("res_model", "=", vals["res_model"]),
                    ("res_id", "=", vals["res_id"]),
                    ("template_id", "=", vals["template_id"]),
                    ("channel", "=", "whatsapp_link"),
                    ("state", "in", LINK_PENDING),
                ],
                limit=1,
            )
            if pending:
                # sudo: a link not yet sent is still a draft, its text may
                # change; the user may read the record (checked before).
                pending.sudo().write(
                    {
                        key: vals[key]
                        for key in ("partner_id", "phone", "body", "user_id")
                    }
                )
                links[record_id] = pending
            else:
                new[record_id] = dict(vals, state="draft")
        messages, _created = self._create_many_once(list(new.values()))
        links.update(zip(new, messages, strict=True))
        return links

    @api.model
    def _once_key(self, record, template, day):
        """The purpose of an automatic message: record, template, due day."""
        return f"{record._name},{record.id},{template.id},{day.isoformat()}"

    @api.model
    def _live_with_key(self, key):
        return self._live_with_keys([key]).get(key, self.browse())

    @api.model
    def _live_with_keys(self, keys):
        """{purpose key: its live message (not failed nor cancelled)}."""
        if not keys:
            return {}
        # sudo: the keys are the purposes of messages planned by the system.
        found = self.sudo().search(
            [("dedupe_key", "in", keys), ("state", "not in", ("failed", "cancelled"))]
        )
        return {message.dedupe_key: self.browse(message.id) for message in found}

    def _reuse_link(self, channel):
        """An existing message with the same purpose: a link not yet sent
        passes to the staff member asking for it; others are returned."""
        if channel == "whatsapp_link" and self.state in LINK_PENDING:
            # sudo: see action_cancel.
            self.sudo().user_id = self.env.user
        return self

    @api.model
    def _create_once(self, vals):
        """Create the message; with a ``dedupe_key`` another transaction
        already holds, return that transaction's instead (the database
        refuses the second one: unique index; empty while that transaction
        has not committed)."""
        return self._create_many_once([vals])[0][0]

    @api.model
    def _create_many_once(self, vals_list):
        """Create the messages of ``vals_list`` in one create; when one of
        their ``dedupe_key`` is held by another transaction (unique index),
        one by one, each taking that transaction's message instead.

        Returns ``(messages, created)``: the message of each values, in
        order, and those created here."""
        # sudo: the delivery state of a new message is set here, by the
        # system, after the caller's right to read the record was checked.
        Messages = self.sudo()
        if not any(vals.get("dedupe_key") for vals in vals_list):
            created = self.browse(Messages.create(vals_list).ids)
            return list(created), created
        try:
            with self.env.cr.savepoint():
                created = self.browse(Messages.create(vals_list).ids)
            return list(created), created
        except psycopg2.errors.UniqueViolation:
            if len(vals_list) == 1:
                return [self._live_with_key(vals_list[0]["dedupe_key"])], self.browse()
        messages, created = [], self.browse()
        for vals in vals_list:
            [message], new = self._create_many_once([vals])
            messages.append(message)
            created |= new
        return messages, created

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
        # The email is queued here; it stops the record's "contacted" clocks
        # when it is sent (_email_outcome).
        record = record.with_context(gema_message_pending=True)
        if template and text == rendered:
            posted = record.message_post_with_source(template, **post_values)
        else:
            subject = (
                template and template._render_field("subject", record.ids)[record.id]
            )
            posted = record.message_post(
                body=plaintext2html(text), subject=subject or False, **post_values
            )
        # Queued without next_try: the WhatsApp sender never claims it; Odoo's
        # mail sends it (at once after the commit, or by its mail queue).
        message = self._create_once(
            dict(vals, state="queued", attempts=1, mail_message_id=posted[:1].id)
        )
        message.sudo()._email_outcome()
        return message

    def _email_outcome(self):
        """An email left when Odoo's mail sent it to the customer (the
        customer's notification of the chatter message is *Sent*), not when
        it was queued: only then is it *Sent*, with the moment, and the
        record told (a ticket number, a warranty status told). A mail that
        failed makes the message *Failed*, with the reason; one not sent
        yet stays *Queued* until ``mail.mail`` sends it."""
        for message in self.filtered(
            lambda m: m.channel == "email" and m.state == "queued"
        ):
            notifications = message.mail_message_id.notification_ids.filtered(
                lambda n, message=message: n.notification_type == "email"
                and n.res_partner_id == message.partner_id
            )
            statuses = set(notifications.mapped("notification_status"))
            if "sent" in statuses:
                message._mark_left(
                    {"state": "sent", "sent_date": fields.Datetime.now()}
                )
                record = message._linked_record()
                if hasattr(record, "_sla_event"):
                    record._sla_event(contacted=True)
            elif not notifications or statuses & {"exception", "bounce"}:
                message.write(
                    {
                        "state": "failed",
                        "last_error": notifications[:1].failure_reason
                        or self.env._("The email to the customer was not sent."),
                    }
                )

    def _whatsapp_link(self):
        """The click-to-chat address, with the message prefilled."""
        self.ensure_one()
        digits = "".join(ch for ch in self.phone or "" if ch.isdigit())
        return f"https://wa.me/{digits}?text={quote(self.body or '', safe='')}"

    def _mark_left(self, vals, confirmed_by=None, quiet=False):
        """The message left by its channel: write ``vals`` (its state and
        dates), log it once in the record's chatter and tell the record.
        ``quiet``: a failure to log does not undo the state (the gateway
        already sent it)."""
        self.ensure_one()
        self.write(vals)
        if not quiet:
            self._post_in_chatter(confirmed_by)
            self._tell_record()
            return
        try:
            with self.env.cr.savepoint():
                self._post_in_chatter(confirmed_by)
                self._tell_record()
        except Exception:  # the message is sent: keep it so
            _logger.exception("Customer message %s: chatter log failed", self.id)

    def _tell_record(self):
        """Let the SOP record act on its message having left (e.g. a
        booking counts as reminded), once per message."""
        record = self._linked_record()
        if record and hasattr(record, "_on_message_sent"):
            record._on_message_sent(self)

    def _post_in_chatter(self, confirmed_by=None):
        """Post the one chatter message of each sent message on its record.

        Subtype *Customer Message*, no recipients: the customer already got
        the message on WhatsApp; here it is the record of it (BK-10), and it
        stops the "customer contacted" clocks of the record. Written in the
        sender's language (the cron has none of its own).
        """
        for message in self.filtered(
            lambda m: m.state in LEFT_STATES and not m.mail_message_id
        ):
            record = message._linked_record()
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
            if confirmed_by and message.channel == "whatsapp_link":
                details.append(
                    env._("opened and confirmed by %(name)s", name=confirmed_by.name)
                )
            elif confirmed_by:
                details.append(
                    env._(
                        "confirmed by %(name)s after checking", name=confirmed_by.name
                    )
                )
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

    def _note_on_record(self, intro, detail):
        """An internal note on the record, not a customer message: the
        "customer contacted" clock keeps running."""
        self._note_on_records(intro, {self.id: detail})

    def _note_on_records(self, intro, details):
        """``_note_on_record`` for each message ({message id: detail}), one
        batch of notes per model."""
        for records in self._linked_records().values():
            if not hasattr(records, "_message_log_batch"):
                continue
            bodies = {
                message.res_id: Markup("<p>%s</p><p>%s</p>")
                % (intro, details[message.id])
                for message in self
                if message.res_model == records._name and message.res_id in records.ids
            }
            records._message_log_batch(bodies=bodies)

    def _requeue_as_template(self):
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
        self._trigger_cron()

    def _trigger_cron(self):
        cron = self.env.ref(
            "gema_sop.ir_cron_gema_message_send", raise_if_not_found=False
        )
        if cron:
            cron._trigger()

    # Channel statuses ----------------------------------------------------------

    def _apply_status(self, status, moment, wamid=None):
        """A status WhatsApp reports for this message (sent, delivered,
        read), applied once and only forward. A message To Check (or still
        Sending) that WhatsApp reports is settled: it left."""
        self.ensure_one()
        rank = PROGRESS[status]
        dates = {
            "sent": "sent_date",
            "delivered": "delivered_date",
            "read": "read_date",
        }
        vals = {dates[status]: moment}
        if self.state in ("sending", "check"):
            vals.update(
                state=status,
                sent_date=self.sent_date or moment,
                whatsapp_message_id=self.whatsapp_message_id or wamid,
                last_error=False,
                next_try=False,
            )
            self._mark_left(vals)
            return True
        if self.state in LEFT_STATES and rank > PROGRESS[self.state]:
            self.write(dict(vals, state=status))
            return True
        return False
