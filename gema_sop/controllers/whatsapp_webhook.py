import json
import logging

from werkzeug.exceptions import Forbidden

from odoo import http
from odoo.http import request

_logger = logging.getLogger(__name__)


class WhatsappWebhook(http.Controller):
    """The callback URL given to Meta: ``/gema/whatsapp/webhook``.

    GET answers the subscription handshake; POST receives messages and
    statuses, checked and applied by ``gema.whatsapp.webhook``. Meta retries
    until it gets a 200, so a well-signed payload that carries nothing for
    us still gets one.
    """

    @http.route(
        "/gema/whatsapp/webhook",
        type="http",
        auth="public",
        methods=["GET"],
        csrf=False,
        save_session=False,
    )
    def verify(self, **params):
        webhook = request.env["gema.whatsapp.webhook"].sudo()
        if not webhook._verify_subscription(
            params.get("hub.mode"), params.get("hub.verify_token")
        ):
            raise Forbidden()
        return request.make_response(
            params.get("hub.challenge", ""), [("Content-Type", "text/plain")]
        )

    @http.route(
        "/gema/whatsapp/webhook",
        type="http",
        auth="public",
        methods=["POST"],
        csrf=False,
        save_session=False,
    )
    def receive(self):
        raw = request.httprequest.get_data()
        webhook = request.env["gema.whatsapp.webhook"].sudo()
        companies = webhook._signing_companies(
            raw, request.httprequest.headers.get("X-Hub-Signature-256")
        )
        if not companies:
            raise Forbidden()
        try:
            payload = json.loads(raw)
        except ValueError:
            _logger.warning("WhatsApp webhook: signed body is not JSON")
            return request.make_response("", status=400)
        if not isinstance(payload, dict):
            return request.make_response("", status=400)
        webhook._receive(payload, companies)
        return request.make_response("", status=200)
