import hashlib
import hmac
import logging
import mimetypes
from datetime import datetime, timezone

from odoo import Command, api, fields, models
from odoo.tools import plaintext2html

from ..tools import whatsapp
from .gema_message import LEFT_STATES, PROGRESS

# The statuses of our own messages that the webhook applies.
STATUSES = {*PROGRESS, "failed"}
# A message of only one of these withdraws the customer's WhatsApp consent.
STOP_WORDS = {"STOP", "BERHENTI", "UNSUBSCRIBE", "STOP PROMO"}
# The messages that carry a file, fetched through the media endpoint.
MEDIA_KINDS = ("image", "audio", "video", "document", "sticker")

_logger = logging.getLogger(__name__)


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

    A customer's photo, voice note, video, document or sticker is fetched
    through the branch's Cloud API (media endpoint) and kept on the chatter
    message; what cannot be fetched is noted there and fetched again later.
    Every delivery is stored before it is applied (``gema.whatsapp.inbox``),
    so nothing the customer sent is lost when applying it fails.

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
    def _changes(self, payload, companies):
        """``[(branch, value)]``: each change of the payload for the number
        of one of the signing ``companies``; others are ignored."""
        by_number = {
            company.gema_whatsapp_phone_number_id: company for company in companies
        }
        found = []
        for entry in payload.get("entry") or []:
            for change in entry.get("changes") or []:
                value = change.get("value") or {}
                number = (value.get("metadata") or {}).get("phone_number_id")
                if number in by_number:
                    found.append((by_number[number], value))
        return found

    @api.model
    def _receive(self, payload, companies):
        """Apply a webhook ``payload`` for the signing ``companies``.

        Returns ``(senders, statuses, media)``: how many inbound senders and
        message statuses were applied, and how many photos, voice notes, ...
        could not be fetched (``_fetch_missing_media`` tries them again).
        """
        inbound = {}
        statuses = []
        received = []
        for company, value in self._changes(payload, companies):
            names = {
                contact.get("wa_id"): (contact.get("profile") or {}).get("name")
                for contact in value.get("contacts") or []
            }
            for message in value.get("messages") or []:
                sender, moment = message.get("from"), _moment(message)
                if sender and sender.isdigit() and moment:
                    key = f"+{sender}"
                    inbound[key] = max(moment, inbound.get(key, moment))
                    received.append((company, key, names.get(sender), message, moment))
            statuses.extend(
                (company, status)
                for status in value.get("statuses") or []
                if status.get("status") in STATUSES and status.get("id")
            )
        self._open_windows(inbound)
        self._read_opt_outs(received)
        missing = self._file_messages(received)
        applied = self._apply_statuses(statuses)
        return len(inbound), applied, missing

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
        open conversation of the branch (or a new one), with the photo,
        voice note, video, document or sticker it carries as an attachment
        and its caption as the text. A file that cannot be fetched leaves a
        note in its place. A message Meta delivers again is skipped before
        anything is fetched. Returns how many files could not be fetched."""
        Conversation = self.env["gema.conversation"].with_context(
            mail_create_nosubscribe=True, mail_create_nolog=True
        )
        filed = set(
            self._filed_messages(
                [message.get("id") for *_rest, message, _moment in received]
            ).mapped("message_id")
        )
        missing = 0
        for company, phone, name, message, moment in received:
            if message.get("id") in filed:
                continue
            files, text, note = self._fetch_media(company, message)
            missing += bool(note)
            Conversation._receive_whatsapp(
                company,
                phone,
                name,
                text,
                moment,
                message.get("id"),
                attachments=files,
                note=note,
            )
        return missing

    @api.model
    def _filed_messages(self, wamids):
        """The chatter messages of these WhatsApp message ids, already filed."""
        wamids = [wamid for wamid in wamids if wamid]
        if not wamids:
            return self.env["mail.message"]
        return (
            self.env["mail.message"]
            .sudo()
            .search([("model", "=", "gema.conversation"), ("message_id", "in", wamids)])
        )

    @api.model
    def _fetch_media(self, company, message):
        """``(attachments, text, note)`` of a webhook message: its file
        fetched through the branch's Cloud API (``[(name, content, info)]``),
        its caption (else its kind) as the text; when the file cannot be
        fetched, none, and a note of what is missing, in the branch's
        language."""
        kind, media = _media(message)
        if not kind:
            return [], _text(message), None
        text = media.get("caption") or f"[{kind}]"
        # sudo: the access token is readable by administrators only; it
        # leaves only towards the branch's own API.
        branch = company.sudo()
        try:
            content, mime_type = whatsapp.fetch_media(
                branch.gema_whatsapp_api_url or "",
                branch.gema_whatsapp_access_token or "",
                media["id"],
            )
        except whatsapp.WhatsAppError as error:
            _logger.warning("WhatsApp media of %s not fetched: %s", company.name, error)
            env = self.with_context(lang=company.partner_id.lang or self.env.lang).env
            note = env._(
                "%(file)s could not be fetched from WhatsApp (%(error)s); it is "
                "fetched again automatically.",
                file=_media_label(env, kind),
                error=error,
            )
            return [], text, f"[{note}]"
        mime_type = mime_type or media.get("mime_type") or "application/octet-stream"
        name = _file_name(kind, media, mime_type)
        return [(name, content, {"mimetype": mime_type})], text, None

    @api.model
    def _fetch_missing_media(self, payload, companies):
        """Fetch again the files of a payload that could not be fetched when
        it was filed: each found goes onto its chatter message, whose text
        becomes the caption again. Returns how many are still missing."""
        media_messages = [
            (company, message)
            for company, value in self._changes(payload, companies)
            for message in value.get("messages") or []
            if _media(message)[0]
        ]
        filed = {
            posted.message_id: posted
            for posted in self._filed_messages(
                [message.get("id") for _company, message in media_messages]
            )
        }
        missing = 0
        for company, message in media_messages:
            posted = filed.get(message.get("id"))
            if not posted or posted.attachment_ids:
                continue
            files, text, note = self._fetch_media(company, message)
            if note:
                missing += 1
                continue
            [(name, content, info)] = files
            # sudo: the customer's message, completed by the system.
            attachment = (
                self.env["ir.attachment"]
                .sudo()
                .create(
                    {
                        "name": name,
                        "raw": content,
                        "mimetype": info["mimetype"],
                        "res_model": posted.model,
                        "res_id": posted.res_id,
                    }
                )
            )
            posted.sudo().write(
                {
                    "body": plaintext2html(text),
                    "attachment_ids": [Command.link(attachment.id)],
                }
            )
        return missing

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
    a location, contact card, ... (a file's caption: ``_fetch_media``)."""
    kind = message.get("type") or "text"
    content = message.get(kind)
    if kind == "text":
        return (content or {}).get("body") or ""
    caption = content.get("caption") if isinstance(content, dict) else None
    return f"[{kind}] {caption}" if caption else f"[{kind}]"


def _media(message):
    """``(kind, media)`` of a message carrying a file, else ``(None, {})``."""
    kind = message.get("type")
    media = message.get(kind) if kind in MEDIA_KINDS else None
    if isinstance(media, dict) and media.get("id"):
        return kind, media
    return None, {}


def _media_label(env, kind):
    return {
        "image": env._("The photo"),
        "audio": env._("The voice note"),
        "video": env._("The video"),
        "document": env._("The document"),
        "sticker": env._("The sticker"),
    }[kind]


def _file_name(kind, media, mime_type):
    """The document's own file name, else one made of the kind and id."""
    if kind == "document" and media.get("filename"):
        return media["filename"]
    extension = mimetypes.guess_extension(mime_type) or ""
    if mime_type == "audio/ogg":
        extension = ".ogg"
    return f"whatsapp-{kind}-{media['id']}{extension}"
