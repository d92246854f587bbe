"""The customer's page of an after-sales ticket (SPEC AS-1 ... AS-5).

The ticket number message carries ``/my/tickets/<id>?access_token=...``;
a customer with a portal login lists their own tickets at ``/my/tickets``
(those of their company and its contacts, ``access.customer_search``; empty
for staff) and opens each from there.
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
from odoo.addons.portal.controllers.portal import pager as portal_pager
from odoo.exceptions import UserError
from odoo.http import request, route

from ..models.gema_ticket import MAX_RATING_COMMENT, RATINGS
from .access import customer_search, record_or_404, staff_visitor


class GemaTicketPortal(CustomerPortal):
    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if "gema_ticket_count" in counters:
            values["gema_ticket_count"] = customer_search("gema.ticket", count=True)
        return values

    @route(
        ["/my/tickets", "/my/tickets/page/<int:page>"],
        type="http",
        auth="user",
        website=True,
    )
    def gema_portal_my_tickets(self, page=1, **kw):
        """The logged-in customer's tickets, newest first: number, product,
        status, reported on; the rest is on each ticket's page."""
        total = customer_search("gema.ticket", count=True)
        pager = portal_pager(
            url="/my/tickets", total=total, page=page, step=self._items_per_page
        )
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "tickets": customer_search(
                    "gema.ticket",
                    order="create_date desc, id desc",
                    limit=self._items_per_page,
                    offset=pager["offset"],
                ),
                "pager": pager,
                "page_name": "gema_ticket",
                "default_url": "/my/tickets",
            }
        )
        values["tz_by_ticket"] = {
            ticket.id: ticket.company_id._gema_tz() for ticket in values["tickets"]
        }
        return request.render("gema_sop.gema_portal_my_tickets", values)

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
                ticket_sudo._rate(rating, comment)
            except UserError:
                query["error"] = "refused"
        return request.redirect(f"{url}?{urlencode(query)}" if query else url)
