"""A small client of the WhatsApp Business Cloud API (messages endpoint).

Only what the SOPs need: a free-form text message (allowed within 24 hours
of the customer's last message, the "customer service window") and an
approved template message (allowed at any time). Errors are raised as
:class:`WhatsAppError`, which says whether trying again later may succeed
(network trouble, server errors, rate limits) or not (a refused request),
so that the sending cron retries only what is worth retrying.
"""

import requests

TIMEOUT = 20

# Cloud API error codes worth retrying: throttling, temporary outages.
TRANSIENT_CODES = {1, 2, 4, 17, 341, 80007, 130429, 131000, 131016, 131048, 131056}
# Free-form text outside the 24-hour window: an approved template is needed.
REENGAGEMENT_CODE = 131047


class WhatsAppError(Exception):
    """A message the API did not accept.

    ``transient``: trying again later may succeed. ``code``: the API's
    error code, when it answered with one. ``status``: the HTTP status.
    """

    def __init__(self, message, code=None, status=None, transient=False):
        super().__init__(message)
        self.code = code
        self.status = status
        self.transient = transient

    @property
    def needs_template(self):
        return self.code == REENGAGEMENT_CODE


def _recipient(phone):
    """The API wants the international number as digits, without ``+``."""
    return "".join(ch for ch in phone or "" if ch.isdigit())


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
        raise WhatsAppError(
            f"WhatsApp API unreachable: {error}", transient=True
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
            "WhatsApp API answered without a message id", status=response.status_code
        ) from error


def send_text(api_url, phone_number_id, token, phone, body, timeout=TIMEOUT):
    """Send free-form text; return the WhatsApp message id (``wamid...``)."""
    return _post(
        api_url,
        phone_number_id,
        token,
        {
            "messaging_product": "whatsapp",
            "to": _recipient(phone),
            "type": "text",
            "text": {"body": body},
        },
        timeout=timeout,
    )


def send_template(
    api_url, phone_number_id, token, phone, name, language, parameters, timeout=TIMEOUT
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
    return _post(
        api_url,
        phone_number_id,
        token,
        {
            "messaging_product": "whatsapp",
            "to": _recipient(phone),
            "type": "template",
            "template": template,
        },
        timeout=timeout,
    )
