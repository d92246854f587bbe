"""Shared set-up of the WhatsApp webhook tests: signed requests to the
running test server, like Meta's, for the branch of the messaging tests."""

import hashlib
import hmac
import json

from odoo.tests import HttpCase

from .common_messaging import GemaMessagingCase

SECRET = "app-secret-of-the-branch"
URL = "/gema/whatsapp/webhook"


class WhatsappWebhookCase(HttpCase, GemaMessagingCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.branch.write(
            {
                "gema_whatsapp_app_secret": SECRET,
                "gema_whatsapp_verify_token": "verify-me",
            }
        )

    def _post(self, payload, secret=SECRET, raw=None):
        body = raw if raw is not None else json.dumps(payload).encode()
        headers = {"Content-Type": "application/json"}
        if secret:
            digest = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
            headers["X-Hub-Signature-256"] = f"sha256={digest}"
        return self.url_open(URL, data=body, headers=headers)

    def _payload(self, messages=(), statuses=(), phone_number_id=None):
        value = {
            "messaging_product": "whatsapp",
            "metadata": {
                "display_phone_number": "6261234567",
                "phone_number_id": phone_number_id or self.server.phone_number_id,
            },
        }
        if messages:
            value["messages"] = list(messages)
        if statuses:
            value["statuses"] = list(statuses)
        return {
            "object": "whatsapp_business_account",
            "entry": [
                {"id": "WABA", "changes": [{"field": "messages", "value": value}]}
            ],
        }

    def _inbound(
        self, moment, sender="6281234567890", wamid="wamid.IN1", kind="text", **content
    ):
        """A customer's message as the webhook carries it: a text, or a
        ``kind`` (image, audio, ...) with its ``content`` (id, caption)."""
        return {
            "from": sender,
            "id": wamid,
            "timestamp": str(int(moment.timestamp())),
            "type": kind,
            kind: content or {"body": "Halo, mobil saya sudah selesai?"},
        }
