"""The customer's side of a booking (BK-5, G-5).

``/my/bookings`` lists a portal user's own bookings (those of their company
and its contacts, ``access.customer_search``; the record rule
``gema_booking_rule_portal`` says the same), and
``/my/bookings/<id>?access_token=...`` is the page the confirmation links to:
booking number, date and time, plate, service, branch address and state.
The page is checked by ``access.record_or_404``: its token, or its portal
customer logged in; anyone else (staff without the token included) gets 404
and sees nothing of the booking. Staff read bookings in the backend; the
list is empty for them.
"""

import pytz

from odoo import http
from odoo.addons.portal.controllers.portal import CustomerPortal
from odoo.addons.portal.controllers.portal import pager as portal_pager
from odoo.http import request
from odoo.tools import format_datetime

from .access import customer_search, record_or_404, staff_visitor


class GemaBookingPortal(CustomerPortal):
    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if "gema_booking_count" in counters:
            values["gema_booking_count"] = customer_search("gema.booking", count=True)
        return values

    @http.route(
        ["/my/bookings", "/my/bookings/page/<int:page>"],
        type="http",
        auth="user",
        website=True,
    )
    def gema_portal_my_bookings(self, page=1, **kw):
        """The logged-in customer's bookings, newest first."""
        total = customer_search("gema.booking", count=True)
        pager = portal_pager(
            url="/my/bookings", total=total, page=page, step=self._items_per_page
        )
        # As superuser, but only the visitor's own: the names of the service
        # and branch are shown, which portal users cannot read themselves.
        bookings = customer_search(
            "gema.booking",
            order="requested_start desc, id desc",
            limit=self._items_per_page,
            offset=pager["offset"],
        )
        request.session["my_gema_bookings_history"] = bookings.ids[:100]
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "bookings": bookings,
                "when": self._when(bookings),
                "pager": pager,
                "page_name": "gema_booking",
                "default_url": "/my/bookings",
            }
        )
        return request.render("gema_sop.gema_portal_my_bookings", values)

    @http.route(
        "/my/bookings/<int:booking_id>", type="http", auth="public", website=True
    )
    def gema_portal_booking_page(self, booking_id, access_token=None, **kw):
        """One booking, for its customer: by token link or as portal user."""
        booking = record_or_404("gema.booking", booking_id, access_token)
        values = self._get_page_view_values(
            booking,
            access_token,
            {},
            "my_gema_bookings_history",
            request.env.user._is_public(),
            **kw,
        )
        values.update(
            {
                "booking": booking,
                "when": self._when(booking),
                "submitted": bool(kw.get("submitted")),
                "page_name": "gema_booking",
                "preview": staff_visitor(),
            }
        )
        return request.render("gema_sop.gema_portal_booking_page", values)

    def _when(self, bookings):
        """{booking id: its time in the branch's time zone, as text}: the
        scheduled start once confirmed, else the requested one."""
        when = {}
        for booking in bookings:
            start = booking.start or booking.requested_start
            if not start:
                when[booking.id] = ""
                continue
            tz = booking.company_id._gema_tz()
            local = pytz.utc.localize(start).astimezone(pytz.timezone(tz))
            when[booking.id] = "{} {}".format(
                format_datetime(
                    request.env, start, tz=tz, dt_format="EEEE, d MMMM y HH:mm"
                ),
                local.strftime("%Z"),
            )
        return when
