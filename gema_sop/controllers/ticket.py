"""The customer's page of an after-sales ticket (SPEC AS-1 ... AS-5).

The ticket number message carries ``/my/tickets/<id>?access_token=...``.
The page shows the ticket number, the product, the status in plain words,
the warranty status, the solution, the return shipment (carrier, tracking
number, expected arrival) and, once solved, the satisfaction rating form
(AS-5). Nothing else (G-5): no chronology, internal analysis, staff or
other customer's data. The ticket is checked first (``access.record_or_404``:
its token, or its portal customer logged in; else 404) and only then read
with sudo. The rating is the customer's (AS-5): staff see the page only with
its token, as a preview without the form, and cannot rate.
"""

from urllib.parse import urlencode

from odoo.addons.portal.controllers.portal import CustomerPortal
from odoo.exceptions import UserError
from odoo.http import request, route

from ..models.gema_ticket import MAX_RATING_COMMENT, RATINGS
from .access import record_or_404, staff_visitor


class GemaTicketPortal(CustomerPortal):
    @route(
        "/my/tickets/<int:ticket_id>",
        type="http",
        auth="public",
        methods=["GET"],
        website=True,
    )
    def gema_ticket_page(self, ticket_id, access_token=None, error=None, **kw):
        ticket_sudo = record_or_404("gema.ticket", ticket_id, access_token)
        return request.render(
            "gema_sop.gema_ticket_page",
            {
                "ticket": ticket_sudo,
                "access_token": access_token,
                "error": error,
                "max_comment": MAX_RATING_COMMENT,
                "tz": ticket_sudo.company_id._gema_tz(),
                "preview": staff_visitor(),
            },
        )

    @route(
        "/my/tickets/<int:ticket_id>/rate",
        type="http",
        auth="public",
        methods=["POST"],
        website=True,
    )
    def gema_ticket_rate(
        self, ticket_id, access_token=None, rating=None, comment=None, **kw
    ):
        """Record the satisfaction rating (the route checks the CSRF token)."""
        ticket_sudo = record_or_404(
            "gema.ticket", ticket_id, access_token, decision=True
        )
        url = ticket_sudo.access_url
        query = {"access_token": access_token} if access_token else {}
        if rating not in dict(RATINGS):
            query["error"] = "rating"
        else:
            try:
                # Already sudo (from the access check): it proved this
                # ticket is the visitor's to rate.
                ticket_sudo._gema_rate(rating, comment)
            except UserError:
                query["error"] = "refused"
        return request.redirect(f"{url}?{urlencode(query)}" if query else url)
