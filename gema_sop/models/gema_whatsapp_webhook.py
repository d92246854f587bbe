import hashlib
import hmac
from datetime import datetime, timezone

from odoo import api, fields, models

from ..tools import whatsapp
from .gema_message import LEFT_STATES, PROGRESS

# The statuses of our own messages that the webhook applies.
STATUSES = {*PROGRESS, "failed"}
# A message of only one of these withdraws the customer's WhatsApp consent.
STOP_WORDS = {"STOP", "BERHENTI", "UNSUBSCRIBE", "STOP PROMO"}


class GemaWhatsappWebhook(models.AbstractModel):
    """What the WhatsApp Business Cloud API tells us back (webhook).

    Three things matter to the SOPs. An incoming customer message is logged
    on the customer's chat conversation (CS-2), and it opens the
    24-hour customer service window: the sender's partner gets its
    ``gema_whatsapp_last_inbound``, so the gateway sends free text instead
    of the approved template. The statuses of our messages (sent, delivered,
    read) move each message forward, once: Meta repeats a webhook until it
    gets an answer, and a status older than the one known changes nothing.
    A status names the message by its WhatsApp id and by the reference the
    gateway sent with it (``biz_opaque_callback_data``), so a message whose
    answer was lost (*To Check*) is settled as sent when WhatsApp reports
    it. And a message the API accepted may still fail later: the API
    reports it as a ``failed`` status, the re-engagement error (131047)
    among others; the message is then sent again as its approved template,
    once, or marked failed with a note on its record.

    Requests are trusted only when signed (``X-Hub-Signature-256``, an
    HMAC-SHA256 of the raw body with the Meta app secret of a branch) and
    only for the phone number ids of the branches whose secret signed them.
    """

    _name = "gema.whatsapp.webhook"
    _description = "WhatsApp Webhook"

    @api.model
    def _verify_subscription(self, mode, token):
        """The webhook handshake: is ``token`` a branch's verify token?"""
        if mode != "subscribe" or not token:
            return False
        companies = (
            self.env["res.company"]
            .sudo()
            .search([("gema_whatsapp_verify_token", "!=", False)])
        )
        return any(
            hmac.compare_digest(company.gema_whatsapp_verify_token, token)
            for company in companies
        )

    @api.model
    def _signing_companies(self, raw_body, signature):
        """The branches whose app secret produced ``signature`` over the body."""
        if not signature or not signature.startswith("sha256="):
            return self.env["res.company"]
        companies = (
            self.env["res.company"]
            .sudo()
            .search([("gema_whatsapp_app_secret", "!=", False)])
        )
        return companies.filtered(
            lambda company: hmac.compare_digest(
                "sha256="
                + hmac.new(
                    company.gema_whatsapp_app_secret.encode(),
                    raw_body,
                    hashlib.sha256,
                ).hexdigest(),
                signature,
            )
        )

    @api.model
    def _receive(self, payload, companies):
        """Apply a webhook ``payload`` for the signing ``companies``.

        Returns ``(senders, statuses)``: how many inbound senders and message
        statuses were applied. Anything of other phone number ids is ignored.
        """
        numbers = set(companies.mapped("gema_whatsapp_phone_number_id"))
        inbound = {}
        statuses = []
        received = []
        for entry in payload.get("entry") or []:
            for change in entry.get("changes") or []:
                value = change.get("value") or {}
                metadata = value.get("metadata") or {}
                if metadata.get("phone_number_id") not in numbers:
                    continue
                company = companies.filtered(
                    lambda c, number=metadata["phone_number_id"]: (
                        c.gema_whatsapp_phone_number_id == number
                    )
                )[:1]
                names = {
                    contact.get("wa_id"): (contact.get("profile") or {}).get("name")
                    for contact in value.get("contacts") or []
                }
                for message in value.get("messages") or []:
                    sender, moment = message.get("from"), _moment(message)
                    if sender and sender.isdigit() and moment:
                        key = f"+{sender}"
                        inbound[key] = max(moment, inbound.get(key, moment))
                        received.append(
                            (company, key, names.get(sender), message, moment)
                        )
                statuses.extend(
                    (company, status)
                    for status in value.get("statuses") or []
                    if status.get("status") in STATUSES and status.get("id")
                )
        self._open_windows(inbound)
        self._read_opt_outs(received)
        self._file_messages(received)
        applied = self._apply_statuses(statuses)
        return len(inbound), applied

    @api.model
    def _open_windows(self, inbound):
        """{E.164 number: time} -> each partner with that number gets its
        last inbound time, when it is later than the one it has."""
        if not inbound:
            return
        partners = (
            self.env["res.partner"]
            .sudo()
            .search([("gema_whatsapp_e164", "in", list(inbound))])
        )
        for partner in partners:
            moment = inbound[partner.gema_whatsapp_e164]
            if not partner.gema_whatsapp_last_inbound or (
                partner.gema_whatsapp_last_inbound < moment
            ):
                partner.gema_whatsapp_last_inbound = moment

    @api.model
    def _read_opt_outs(self, received):
        """G-5: a customer who writes only a stop word (STOP, BERHENTI, ...)
        withdraws their consent to WhatsApp messages, as Meta asks
        businesses to honour."""
        numbers = {
            phone
            for _company, phone, _name, message, _moment in received
            if _text(message).strip().upper().rstrip(".!") in STOP_WORDS
        }
        if not numbers:
            return
        partners = (
            self.env["res.partner"]
            .sudo()
            .search([("gema_whatsapp_e164", "in", list(numbers))])
        )
        companies = {phone: company for company, phone, *_rest in received}
        for partner in partners:
            partner.with_company(
                companies[partner.gema_whatsapp_e164]
            )._gema_record_consent("whatsapp", "withdrawn", "whatsapp")

    @api.model
    def _file_messages(self, received):
        """CS-2: each incoming message is logged, in full, on the customer's
        open conversation of the branch (or a new one)."""
        Conversation = self.env["gema.conversation"].with_context(
            mail_create_nosubscribe=True, mail_create_nolog=True
        )
        for company, phone, name, message, moment in received:
            Conversation._receive_whatsapp(
                company, phone, name, _text(message), moment, message.get("id")
            )

    @api.model
    def _apply_statuses(self, statuses):
        """Apply ``[(branch, status)]``, the statuses of our messages in the
        order WhatsApp sent them, each to a message of the branch whose
        number it came for; returns how many changed a message."""
        Message = self.env["gema.message"].sudo()
        wamids = [status["id"] for _company, status in statuses]
        by_wamid = {
            message.whatsapp_message_id: message
            for message in Message.search([("whatsapp_message_id", "in", wamids)])
        }
        referenced = {
            whatsapp.message_id_of(status.get("biz_opaque_callback_data"))
            for _company, status in statuses
        } - {None}
        by_id = {
            message.id: message
            for message in Message.browse(sorted(referenced)).exists()
            if message.channel == "whatsapp_api"
        }
        applied = 0
        for company, status in statuses:
            message = by_wamid.get(status["id"]) or by_id.get(
                whatsapp.message_id_of(status.get("biz_opaque_callback_data"))
            )
            if (
                not message
                or message.company_id != company
                or (
                    message.whatsapp_message_id
                    and message.whatsapp_message_id != status["id"]
                )
            ):
                continue
            if status["status"] == "failed":
                applied += self._apply_failure(message, status)
            else:
                moment = _moment(status) or fields.Datetime.now()
                applied += message._apply_status(
                    status["status"], moment, wamid=status["id"]
                )
        return applied

    @api.model
    def _apply_failure(self, message, status):
        """A message the API accepted and then could not deliver."""
        if message.state not in ("sending", "check", *LEFT_STATES):
            return False
        error = (status.get("errors") or [{}])[0]
        failure = whatsapp.WhatsAppError(
            error.get("message") or error.get("title") or "failed",
            code=error.get("code"),
        )
        if (
            failure.needs_template
            and message.whatsapp_kind != "template"
            and not message.used_template_fallback
            and message.template_id.gema_whatsapp_template_name
        ):
            message._requeue_as_template()
        else:
            message._record_failure(failure, transient=False)
        return True


def _moment(message):
    """The UTC naive datetime of a webhook message's unix ``timestamp``."""
    try:
        stamp = int(message.get("timestamp"))
    except (TypeError, ValueError):
        return None
    return datetime.fromtimestamp(stamp, timezone.utc).replace(tzinfo=None)


def _text(message):
    """What a webhook message says: its text, or its kind and caption for
    a photo, voice note, location, ... (the officer opens WhatsApp for the
    media itself)."""
    kind = message.get("type") or "text"
    content = message.get(kind)
    if kind == "text":
        return (content or {}).get("body") or ""
    caption = content.get("caption") if isinstance(content, dict) else None
    return f"[{kind}] {caption}" if caption else f"[{kind}]"
