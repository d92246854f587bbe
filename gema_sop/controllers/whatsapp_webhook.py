import json
import logging

from werkzeug.exceptions import Forbidden

from odoo import http
from odoo.http import request

_logger = logging.getLogger(__name__)


class WhatsappWebhook(http.Controller):
    """The callback URL given to Meta: ``/gema/whatsapp/webhook``.

    GET answers the subscription handshake; POST receives messages and
    statuses, checked by ``gema.whatsapp.webhook``, stored (committed) and
    then applied (``gema.whatsapp.inbox``): once stored, a delivery gets its
    200 even when applying it failed, since the scheduled action applies it
    again. Meta retries until it gets a 200, so a well-signed payload that
    carries nothing for us still gets one.
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
        Inbox = request.env["gema.whatsapp.inbox"].sudo()
        delivery_id = Inbox._store(
            raw, request.httprequest.headers["X-Hub-Signature-256"], companies
        )
        Inbox._apply_stored(delivery_id)
        return request.make_response("", status=200)
