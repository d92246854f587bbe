"""The public booking page ``/booking`` (BK-1, BK-3, BK-4, G-5).

Anyone can ask for a service time without an account: pick a branch, a
service and a day, see the free start times, and leave the BK-3 data (name,
WhatsApp number, plate, vehicle type, complaint). The request reaches the
branch as a ``gema.booking`` in state *Request* with channel *website*, and
its first-response clock (BK-2) starts; the branch confirms it (BK-5).

What the page protects:

- G-5: the visitor sees start times only (from ``_gema_free_slots``), never a
  name, plate, technician or booking of anyone;
- every field is checked again here, whatever the browser did: required,
  maximum lengths, no HTML or script markup, phone and plate normalised,
  a real branch/service/day, no day in the past, and the chosen time still
  free when the form arrives (otherwise the fresh free times are shown);
- CSRF: Odoo refuses a POST without the session's ``csrf_token``;
- abuse: at most ``RATE_LIMIT_PHONE`` website requests per WhatsApp number
  and ``RATE_LIMIT_IP`` per IP address within an hour (HTTP 429);
- double submit: the form carries a one-time ``request_key``; sending it
  again leads to the booking it already made, never to a second one.

Branches that take online bookings are the companies with *Operating Hours*
(``gema_operating_calendar_id``) set: a branch without its own hours could
not say when it is open.
"""

import re
import uuid
from datetime import datetime, timedelta

import pytz
from psycopg2.errors import UniqueViolation

from odoo import fields, http
from odoo.exceptions import UserError, ValidationError
from odoo.http import request
from odoo.tools import format_date

from ..models.gema_booking import MAX_COMPLAINT, MAX_NAME, MAX_VEHICLE_TYPE
from ..tools import normalize_phone, normalize_plate

RATE_LIMIT_PHONE = 3
RATE_LIMIT_IP = 10
RATE_LIMIT_WINDOW = timedelta(hours=1)
HORIZON_DAYS = 60
DEFAULT_TZ = "Asia/Jakarta"

# The visitor's fields (BK-3, nothing more) and their maximum lengths.
CUSTOMER_FIELDS = {
    "customer_name": MAX_NAME,
    "customer_phone": 30,
    "license_plate": 15,
    "vehicle_type": MAX_VEHICLE_TYPE,
    "complaint": MAX_COMPLAINT,
}
OPTIONAL_FIELDS = {"complaint"}
# Text is always escaped when shown, but markup (``<script>``, ``<img>``)
# has no business in these fields: ``<`` and ``>`` are refused, as in
# ``gema.booking._gema_create_request``.
_MARKUP = re.compile(r"[<>]")
_REQUEST_KEY = re.compile(r"^[0-9a-f]{32}$")
_TIME = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


class GemaBookingPage(http.Controller):
    @http.route("/booking", type="http", auth="public", website=True, sitemap=False)
    def gema_booking_page(self, **params):
        """Step 1 (branch, service, day) and, once chosen, step 2: the free
        times and the visitor's details."""
        values = self._gema_page_values(params)
        values["request_key"] = uuid.uuid4().hex
        return request.render("gema_sop.gema_booking_page", values)

    @http.route(
        "/booking/submit",
        type="http",
        auth="public",
        methods=["POST"],
        website=True,
        sitemap=False,
    )
    def gema_booking_submit(self, **post):
        """Check everything, then create the request or show what is wrong."""
        values = self._gema_page_values(post)
        errors = values["errors"]
        customer = self._gema_check_customer(post, errors)
        key = post.get("request_key") or ""
        # sudo: the public user has no access to bookings; this reads only
        # the booking made with this one-time key, checked just below.
        done = _REQUEST_KEY.match(key) and (
            request.env["gema.booking"].sudo().search([("request_key", "=", key)])
        )
        if done and not errors and done.customer_phone == customer["customer_phone"]:
            # The same form sent twice: show the booking it already made.
            return self._gema_redirect_to(done)
        if done or not _REQUEST_KEY.match(key):
            # A replayed key with other details, or a forged one: never
            # lead to somebody else's booking.
            errors["form"] = request.env._(
                "This form was already sent or has expired. Please check your "
                "details and send it again."
            )
            key = uuid.uuid4().hex
        values["request_key"] = key
        start = values["show_details"] and self._gema_chosen_start(
            values, post.get("time")
        )
        if errors:
            return request.render("gema_sop.gema_booking_page", values, status=422)

        limit_error = self._gema_check_rate_limit(customer["customer_phone"])
        if limit_error:
            errors["form"] = limit_error
            return request.render("gema_sop.gema_booking_page", values, status=429)

        booking_values = dict(
            customer,
            service_type_id=values["service_type"].id,
            company_id=values["branch"].id,
            requested_start=start,
            channel="website",
            request_key=key,
            request_ip=request.httprequest.remote_addr,
        )
        try:
            with request.env.cr.savepoint():
                # sudo: the public user may not create bookings; every value
                # was checked above, channel and IP are set by the server,
                # and _gema_create_request validates them again.
                booking = (
                    request.env["gema.booking"]
                    .sudo()
                    .with_company(values["branch"])
                    ._gema_create_request(booking_values)
                )
        except UniqueViolation:
            # Sent twice at the same moment (double click): the other
            # request made the booking with this key and committed it after
            # this transaction began, so only a new transaction sees it.
            redirect = self._gema_redirect_to_committed(key, customer["customer_phone"])
            if not redirect:
                raise
            return redirect
        except (UserError, ValidationError) as error:
            errors["form"] = error.args[0]
            return request.render("gema_sop.gema_booking_page", values, status=422)
        return self._gema_redirect_to(booking)

    # Helpers -------------------------------------------------------------

    def _gema_redirect_to(self, booking):
        """The booking's token page, which says the branch will confirm."""
        return request.redirect(
            booking.get_portal_url(query_string="&submitted=1"), code=303
        )

    def _gema_redirect_to_committed(self, key, phone):
        """The redirect to the booking another transaction committed with
        ``key`` for the same phone number, read in a new transaction; None
        when there is none."""
        with request.env.registry.cursor() as cr:
            # sudo: as for the double submit, only the booking of this key
            # and this phone number is looked up.
            env = request.env(cr=cr, su=True)
            done = env["gema.booking"].search([("request_key", "=", key)])
            if not done or done.customer_phone != phone:
                return None
            url = done.get_portal_url(query_string="&submitted=1")
        return request.redirect(url, code=303)

    def _gema_branches(self):
        """Branches that take online bookings: those with operating hours."""
        # sudo: visitors cannot read companies; only the name and address of
        # branches that opened online booking are shown.
        return (
            request.env["res.company"]
            .sudo()
            .search([("gema_operating_calendar_id", "!=", False)], order="name")
        )

    def _gema_page_values(self, params):
        """Everything the page shows, from the visitor's choices so far.

        Invalid choices are dropped with an error; free times are computed
        only for a valid branch, service and day.
        """
        env = request.env
        errors = {}
        branches = self._gema_branches()
        branch = self._gema_pick(branches, params.get("company_id"))
        if not branch and not params.get("company_id") and len(branches) == 1:
            branch = branches
        # sudo: the service catalogue (names and durations) is public.
        service_types = (
            env["gema.service.type"]
            .sudo()
            .search([("company_id", "in", [False, *(branch or branches).ids])])
        )
        service_type = self._gema_pick(service_types, params.get("service_type_id"))
        tz = pytz.timezone(
            (branch and branch._gema_operating_calendar().tz) or DEFAULT_TZ
        )
        today = datetime.now(tz).date()
        day = self._gema_check_day(params.get("date"), today, errors)
        submitted = "request_key" in params
        if submitted and not branch:
            errors["company_id"] = env._("Please choose a branch.")
        if submitted and not service_type:
            errors["service_type_id"] = env._("Please choose a service.")

        free_times = []
        if branch and service_type and day:
            try:
                # sudo: the public user cannot read technicians, calendars
                # or slots; only the start times leave this method (G-5).
                slots = (
                    env["gema.booking"]
                    .sudo()
                    ._gema_free_slots(branch, service_type, day)
                )
            except (UserError, ValidationError) as error:
                errors["date"] = error.args[0]
                slots = []
            starts = sorted({slot["start"] for slot in slots})
            free_times = [
                {
                    "label": pytz.utc.localize(start).astimezone(tz).strftime("%H:%M"),
                    "start": start,
                }
                for start in starts
            ]
        return {
            "branches": branches,
            "branch": branch,
            "service_types": service_types,
            "service_type": service_type,
            "day": day,
            "date": day.isoformat() if day else (params.get("date") or "")[:10],
            "today": today.isoformat(),
            "last_day": (today + timedelta(days=HORIZON_DAYS)).isoformat(),
            "day_label": day and format_date(env, day, date_format="EEEE, d MMMM y"),
            "tz_label": datetime.now(tz).strftime("%Z"),
            "free_times": free_times,
            "show_details": bool(branch and service_type and day),
            "max_lengths": CUSTOMER_FIELDS,
            "values": {
                name: params.get(name) or "" for name in (*CUSTOMER_FIELDS, "time")
            },
            "errors": errors,
        }

    def _gema_pick(self, records, raw_id):
        """The record of ``records`` with the id the visitor sent, if any."""
        try:
            record_id = int(raw_id or 0)
        except ValueError:
            return records.browse()
        return records.filtered(lambda record: record.id == record_id)

    def _gema_check_day(self, raw, today, errors):
        """The chosen day, or today when none was given; None when invalid."""
        env = request.env
        if not raw:
            return today
        try:
            day = fields.Date.to_date(raw[:10])
        except ValueError:
            day = None
        if not day:
            errors["date"] = env._("Please choose a valid date.")
        elif day < today:
            errors["date"] = env._(
                "The date is in the past. Please choose today or a later day."
            )
        elif day > today + timedelta(days=HORIZON_DAYS):
            errors["date"] = env._(
                "Bookings can be made at most %(days)s days ahead.",
                days=HORIZON_DAYS,
            )
        else:
            return day
        return None

    def _gema_check_customer(self, post, errors):
        """The visitor's fields, stripped and normalised; problems go to
        ``errors`` under the field name."""
        env = request.env
        customer = {}
        for name, max_length in CUSTOMER_FIELDS.items():
            value = (post.get(name) or "").strip()
            if not value and name not in OPTIONAL_FIELDS:
                errors[name] = env._("Please fill in this field.")
            elif len(value) > max_length:
                errors[name] = env._(
                    "Please use at most %(max)s characters.", max=max_length
                )
            elif _MARKUP.search(value):
                errors[name] = env._(
                    "The characters < and > are not allowed (no HTML or script)."
                )
            customer[name] = value
        for name, normalize in (
            ("customer_phone", normalize_phone),
            ("license_plate", normalize_plate),
        ):
            if name not in errors:
                try:
                    customer[name] = normalize(env, customer[name])
                except ValidationError as error:
                    errors[name] = error.args[0]
        return customer

    def _gema_check_rate_limit(self, phone):
        """An error message when this number or this IP address already sent
        too many website requests within the last hour."""
        env = request.env
        since = env.cr.now() - RATE_LIMIT_WINDOW
        recent = [("channel", "=", "website"), ("create_date", ">=", since)]
        # sudo: counting only, no booking data leaves this method.
        Booking = env["gema.booking"].sudo()
        if (
            Booking.search_count([*recent, ("customer_phone", "=", phone)])
            >= RATE_LIMIT_PHONE
        ):
            return env._(
                "This WhatsApp number already sent %(count)s booking requests "
                "in the last hour. Please wait for the branch to answer, or "
                "try again later.",
                count=RATE_LIMIT_PHONE,
            )
        ip = request.httprequest.remote_addr
        if Booking.search_count([*recent, ("request_ip", "=", ip)]) >= RATE_LIMIT_IP:
            return env._(
                "Too many booking requests were sent from your connection in "
                "the last hour. Please try again later."
            )
        return None

    def _gema_chosen_start(self, values, raw_time):
        """The UTC start of the chosen time if it is still free, else None
        with the error set (the page then shows the fresh free times)."""
        env = request.env
        raw_time = raw_time or ""
        if not _TIME.match(raw_time):
            values["errors"]["time"] = env._("Please choose one of the free times.")
            return None
        for free in values["free_times"]:
            if free["label"] == raw_time:
                return free["start"]
        values["errors"]["time"] = env._(
            "The time %(time)s was taken in the meantime. Please choose one of "
            "the free times below.",
            time=raw_time,
        )
        values["values"]["time"] = ""
        return None
