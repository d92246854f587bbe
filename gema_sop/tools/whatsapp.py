"""A small client of the WhatsApp Business Cloud API (messages endpoint).

Only what the SOPs need: a free-form text message (allowed within 24 hours
of the customer's last message, the "customer service window") and an
approved template message (allowed at any time). Errors are raised as
:class:`WhatsAppError`, which says one of three things about the message:

- ``transient``: it was not accepted, and trying again later may succeed
  (the API answered with a server error or a rate limit, or the connection
  could not even be opened);
- ``uncertain``: the request may have reached the API but no answer came
  back (no answer in time, the connection dropped, an answer without a
  message id). The message may be on its way to the customer: it must not
  be sent again blindly;
- neither: the API refused it; sending it again would fail the same way.

Every message carries ``biz_opaque_callback_data``, a reference the API
repeats in the status webhooks of that message, so that a message whose
answer was lost can still be recognised when WhatsApp reports it.
"""

import requests
from urllib3.exceptions import ConnectTimeoutError, NewConnectionError

# Seconds to open the connection, and again to wait for the answer once
# the request is sent. After a read timeout the outcome is unknown.
TIMEOUT = 10

# Cloud API error codes worth retrying: throttling, temporary outages.
TRANSIENT_CODES = {1, 2, 4, 17, 341, 80007, 130429, 131000, 131016, 131048, 131056}
# Free-form text outside the 24-hour window: an approved template is needed.
REENGAGEMENT_CODE = 131047


class WhatsAppError(Exception):
    """A message the API did not (knowingly) accept.

    ``transient``: not accepted, trying again later may succeed.
    ``uncertain``: the API may have accepted it; do not resend blindly.
    ``code``: the API's error code, when it answered with one.
    ``status``: the HTTP status, when there was an answer.
    """

    def __init__(
        self, message, code=None, status=None, transient=False, uncertain=False
    ):
        super().__init__(message)
        self.code = code
        self.status = status
        self.transient = transient
        self.uncertain = uncertain

    @property
    def needs_template(self):
        return self.code == REENGAGEMENT_CODE


def reference(message_id):
    """The ``biz_opaque_callback_data`` of the ``gema.message`` ``message_id``."""
    return f"gema.message:{message_id}"


def message_id_of(callback_data):
    """The ``gema.message`` id a status webhook's callback data names, or None."""
    prefix, _sep, number = str(callback_data or "").partition(":")
    if prefix == "gema.message" and number.isdigit():
        return int(number)
    return None


def longest_call(timeout=TIMEOUT):
    """The longest a call may take with this ``timeout``: opening the
    connection, then waiting for the answer."""
    return 2 * timeout


def _recipient(phone):
    """The API wants the international number as digits, without ``+``."""
    return "".join(ch for ch in phone or "" if ch.isdigit())


def _never_sent(error):
    """Did the connection fail before any byte of the request could leave?"""
    seen = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        if isinstance(error, (NewConnectionError, ConnectTimeoutError)):
            return True
        if isinstance(error, requests.ConnectTimeout):
            return True
        error = getattr(error, "reason", None) or (
            error.args[0]
            if error.args and isinstance(error.args[0], Exception)
            else None
        )
    return False


def _post(api_url, phone_number_id, token, payload, timeout=TIMEOUT):
    url = f"{api_url.rstrip('/')}/{phone_number_id}/messages"
    try:
        response = requests.post(
            url,
            json=payload,
            headers={"Authorization": f"Bearer {token}"},
            timeout=timeout,
        )
    except requests.RequestException as error:
        if _never_sent(error):
            raise WhatsAppError(
                f"WhatsApp API unreachable: {error}", transient=True
            ) from error
        raise WhatsAppError(
            f"WhatsApp API gave no answer: {error}", uncertain=True
        ) from error
    try:
        data = response.json()
    except ValueError:
        data = {}
    if response.status_code >= 400 or "error" in data:
        error = data.get("error") or {}
        code = error.get("code")
        message = error.get("message") or response.reason or "error"
        transient = (
            response.status_code >= 500
            or response.status_code == 429
            or code in TRANSIENT_CODES
        )
        raise WhatsAppError(
            f"WhatsApp API error {code or response.status_code}: {message}",
            code=code,
            status=response.status_code,
            transient=transient,
        )
    try:
        return data["messages"][0]["id"]
    except (KeyError, IndexError, TypeError) as error:
        raise WhatsAppError(
            "WhatsApp API answered without a message id",
            status=response.status_code,
            uncertain=True,
        ) from error


def send_text(api_url, phone_number_id, token, phone, body, ref=None, timeout=TIMEOUT):
    """Send free-form text; return the WhatsApp message id (``wamid...``)."""
    payload = {
        "messaging_product": "whatsapp",
        "to": _recipient(phone),
        "type": "text",
        "text": {"body": body},
    }
    if ref:
        payload["biz_opaque_callback_data"] = ref
    return _post(api_url, phone_number_id, token, payload, timeout=timeout)


def send_template(
    api_url,
    phone_number_id,
    token,
    phone,
    name,
    language,
    parameters,
    ref=None,
    timeout=TIMEOUT,
):
    """Send an approved template with its body parameters, in order."""
    template = {"name": name, "language": {"code": language or "id"}}
    if parameters:
        template["components"] = [
            {
                "type": "body",
                "parameters": [{"type": "text", "text": p} for p in parameters],
            }
        ]
    payload = {
        "messaging_product": "whatsapp",
        "to": _recipient(phone),
        "type": "template",
        "template": template,
    }
    if ref:
        payload["biz_opaque_callback_data"] = ref
    return _post(api_url, phone_number_id, token, payload, timeout=timeout)


def fetch_media(api_url, token, media_id, timeout=TIMEOUT):
    """Download what a customer sent (photo, voice note, video, document,
    sticker): the media endpoint names its address (``GET /<media id>``),
    which is read with the same bearer token. Returns ``(content, mime
    type)``; raises ``WhatsAppError`` when either step fails."""
    headers = {"Authorization": f"Bearer {token}"}
    try:
        described = requests.get(
            f"{api_url.rstrip('/')}/{media_id}", headers=headers, timeout=timeout
        )
        info = described.json() if described.ok else {}
        if not info.get("url"):
            raise WhatsAppError(
                f"WhatsApp media {media_id}: no address (HTTP {described.status_code})",
                status=described.status_code,
            )
        response = requests.get(info["url"], headers=headers, timeout=timeout)
    except (requests.RequestException, ValueError) as error:
        raise WhatsAppError(f"WhatsApp media {media_id}: {error}") from error
    if not response.ok or not response.content:
        raise WhatsAppError(
            f"WhatsApp media {media_id}: download refused "
            f"(HTTP {response.status_code})",
            status=response.status_code,
        )
    mime_type = info.get("mime_type") or response.headers.get("Content-Type") or ""
    return response.content, mime_type.split(";")[0].strip() or None
