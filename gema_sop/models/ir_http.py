import logging

import werkzeug.exceptions

from odoo import models
from odoo.http import CSRF_FREE_METHODS, request

_logger = logging.getLogger(__name__)


class IrHttp(models.AbstractModel):
    """A malformed CSRF token is a wrong token (robustness).

    Odoo's CSRF check fails with an error 500 on a ``csrf_token`` sent as a
    file or holding non-ASCII characters; such a post (a bot's, on the
    public booking page or any other form) is refused like any post with a
    wrong token: HTTP 400.
    """

    _inherit = "ir.http"

    @classmethod
    def _pre_dispatch(cls, rule, args):
        super()._pre_dispatch(rule, args)
        httprequest = request.httprequest
        if httprequest.method in CSRF_FREE_METHODS or not rule.endpoint.routing.get(
            "csrf", True
        ):
            return
        tokens = [
            *httprequest.args.getlist("csrf_token"),
            *httprequest.form.getlist("csrf_token"),
            *httprequest.files.getlist("csrf_token"),
        ]
        if any(not isinstance(token, str) or not token.isascii() for token in tokens):
            _logger.warning("Malformed CSRF token on path '%s'", httprequest.path)
            raise werkzeug.exceptions.BadRequest("Session expired (invalid CSRF token)")
