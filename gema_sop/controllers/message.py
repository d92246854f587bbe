from werkzeug.exceptions import Conflict, NotFound

from odoo import http
from odoo.exceptions import AccessError, MissingError, UserError
from odoo.http import request


class GemaMessageLink(http.Controller):
    """The WhatsApp link of a customer message: ``/gema/message/<id>/whatsapp``.

    The link dialog shows it as a real link the staff member clicks (a new
    tab, never a popup a browser may block). Following it records who
    opened it and when (*Opened by Staff*) and redirects to wa.me with the
    text; the message is logged on the record only when that same staff
    member then marks it sent. Only internal users who may write the
    message and read its record get through; anyone else gets a 404, and a
    message that is not waiting for its link a 409 saying why.
    """

    @http.route(
        "/gema/message/<int:message_id>/whatsapp",
        type="http",
        auth="user",
        methods=["GET"],
    )
    def open_whatsapp(self, message_id):
        message = request.env["gema.message"].browse(message_id)
        try:
            url = message._open_whatsapp()
        except (AccessError, MissingError) as error:
            raise NotFound() from error
        except UserError as error:
            raise Conflict(description=error.args[0]) from error
        return request.redirect(url, local=False)
