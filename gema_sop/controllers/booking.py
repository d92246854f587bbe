"""The public booking page ``/booking`` (BK-1, BK-3, BK-4, G-5).

Anyone can ask for a service time without an account: pick a branch, a
service and a day, see the free start times, and leave the BK-3 data (name,
WhatsApp number, plate, vehicle type, complaint). The request reaches the
branch as a ``gema.booking`` in state *Request* with channel *website*, and
its first-response clock (BK-2) starts; the branch confirms it (BK-5).

What the page protects:

- G-5: the visitor sees start times only (from ``gema.planner``), never a
  name, plate, technician or booking of anyone;
- every field is checked again, whatever the browser did, by the booking's
  own validator (``gema.booking._validate_values``, the one every
  other caller goes through too), each message shown beside its field:
  text only (a field sent as a file, or any malformed post, gets the form
  back with HTTP 422, never an error page), required, maximum lengths, no
  control characters or markup, a mobile number, a valid plate; a real
  branch/service/day, no day in the past, and the chosen time still free
  when the form arrives (otherwise the fresh free times are shown);
- CSRF: Odoo refuses a POST without the session's ``csrf_token``;
- the one-time ``request_key`` is issued by the server, signed with the
  database secret for this visitor's session, and valid for
  ``KEY_LIFETIME``: a key the client invents, or one from another session,
  is refused with a fresh form; sending a form again (a double click, a
  reload) leads to the booking it already made, never to a second one;
- abuse: at most ``RATE_LIMIT_PHONE`` website requests per WhatsApp number
  and ``RATE_LIMIT_IP`` per IP address within an hour (HTTP 429), exact
  also for simultaneous posts: the number and the address are claimed
  (``gema.claim``) before the requests are counted.

Branches that take online bookings are the companies with *Operating Hours*
(``gema_operating_calendar_id``) set: a branch without its own hours could
not say when it is open.
"""

import hmac
import re
import secrets
import time
import unicodedata
from datetime import datetime, timedelta

import pytz

from odoo import fields, http
from odoo.exceptions import UserError, ValidationError
from odoo.http import request
from odoo.tools import format_date
from odoo.tools.misc import hmac as odoo_hmac

from ..tools.phone import MAX_TYPED as MAX_PHONE
from ..tools.plate import MAX_TYPED as MAX_PLATE

RATE_LIMIT_PHONE = 3
RATE_LIMIT_IP = 10
RATE_LIMIT_WINDOW = timedelta(hours=1)
HORIZON_DAYS = 60
# How many of the next days with free times the page offers (BK-1).
FREE_DAYS = 14
KEY_LIFETIME = timedelta(hours=6)

# The visitor's fields (BK-3, nothing more).
CUSTOMER_FIELDS = (
    "customer_name",
    "customer_phone",
    "license_plate",
    "vehicle_type",
    "complaint",
)
# The page's fields in the order they are shown: the first one with an
# error takes the focus.
FIELD_ORDER = ("company_id", "service_type_id", "date", "time", *CUSTOMER_FIELDS)
# The one-time key: issue time (8 hex digits), nonce (16), signature (32).
_REQUEST_KEY = re.compile(r"^([0-9a-f]{8})([0-9a-f]{16})([0-9a-f]{32})$")
_TIME = re.compile(r"^([01][0-9]|2[0-3]):[0-5][0-9]$", re.ASCII)


class GemaBookingPage(http.Controller):
    @http.route("/booking", type="http", auth="public", website=True, sitemap=False)
    def gema_booking_page(self, **params):
        """Step 1 (branch, service, day) and, once chosen, step 2: the free
        times and the visitor's details."""
        params, malformed = self._gema_text_params(params)
        values = self._gema_page_values(params, next_free=True)
        values["request_key"] = self._gema_new_key()
        if malformed:
            values["errors"]["form"] = malformed
            return self._gema_render(values, 422)
        return self._gema_render(values)

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
        post, malformed = self._gema_text_params(post)
        values = self._gema_page_values(post)
        errors = values["errors"]
        # sudo: the public user may not create bookings; validating runs no
        # query of the visitor's choosing and returns only their own values.
        Booking = request.env["gema.booking"].sudo()
        customer, customer_errors = Booking._validate_values(
            {name: post.get(name) for name in CUSTOMER_FIELDS}
        )
        errors.update(customer_errors)
        if malformed:
            errors["form"] = malformed
        key, done = self._gema_request_key(Booking, post, customer, errors)
        if done:
            # The same form sent twice: show the booking it already made.
            return self._gema_redirect_to(done)
        values["request_key"] = key
        start = values["show_details"] and self._gema_chosen_start(
            values, post.get("time")
        )
        if errors:
            return self._gema_render(values, 422)

        limit_error = self._gema_check_rate_limit(customer["customer_phone"], key)
        if limit_error:
            errors["form"] = limit_error
            return self._gema_render(values, 429)

        booking_values = dict(
            customer,
            service_type_id=values["service_type"].id,
            company_id=values["branch"].id,
            requested_start=start,
            channel="website",
            request_key=key,
            request_ip=request.httprequest.remote_addr,
            whatsapp_opt_in=post.get("whatsapp_opt_in") == "1",
        )
        try:
            with request.env.cr.savepoint():
                # sudo: as above; every value was checked, channel and IP
                # are set by the server, and _create_request validates
                # them again.
                booking = Booking.with_company(values["branch"])._create_request(
                    booking_values
                )
        except (UserError, ValidationError) as error:
            errors["form"] = error.args[0]
            return self._gema_render(values, 422)
        return self._gema_redirect_to(booking)

    # Helpers -------------------------------------------------------------

    def _gema_request_key(self, Booking, post, customer, errors):
        """``(key, booking)``: the form's one-time key and, when the same
        form comes a second time with the same details, the booking it
        already made. A replayed key with other details, an expired or an
        invented one gets a form error and a new key: it never leads to
        somebody else's booking."""
        key = post.get("request_key") or ""
        signed = self._gema_key_is_signed(key)
        # sudo (Booking): the public user has no access to bookings; this
        # reads only the booking made with this one-time key, checked below.
        done = signed and Booking.search([("request_key", "=", key)])
        if done and not errors and done.customer_phone == customer["customer_phone"]:
            return key, done
        if done or not signed:
            errors.setdefault(
                "form",
                request.env._(
                    "This form was already sent or has expired. Please check "
                    "your details and send it again."
                ),
            )
            key = self._gema_new_key()
        return key, None

    def _gema_text_params(self, params):
        """``(params, error)``: the request's values that are text; the
        error message when any was not (a file of a multipart post), which
        the page then treats as not filled in."""
        text = {name: value for name, value in params.items() if isinstance(value, str)}
        if len(text) == len(params):
            return text, None
        return text, request.env._(
            "The form was sent with a file or a value it does not take. "
            "Please fill it in again."
        )

    def _gema_new_key(self):
        """A one-time key for one form: issue time, a random nonce and their
        signature for this visitor's session."""
        issued = f"{int(time.time()):08x}{secrets.token_hex(8)}"
        return issued + self._gema_key_signature(issued)

    def _gema_key_signature(self, issued):
        # sudo: the database secret signs the key, it is never shown.
        return odoo_hmac(
            request.env(su=True),
            "gema_booking_request_key",
            (request.session.sid, issued),
        )[:32]

    def _gema_key_is_signed(self, key):
        """Whether ``key`` was issued by this page to this session and has
        not expired."""
        match = _REQUEST_KEY.match(key)
        if not match:
            return False
        issued_at, nonce, signature = match.groups()
        age = time.time() - int(issued_at, 16)
        return 0 <= age <= KEY_LIFETIME.total_seconds() and hmac.compare_digest(
            signature, self._gema_key_signature(issued_at + nonce)
        )

    def _gema_redirect_to(self, booking):
        """The booking's token page, which says the branch will confirm."""
        return request.redirect(
            booking.get_portal_url(query_string="&submitted=1"), code=303
        )

    def _gema_branches(self):
        """Branches that take online bookings: those with operating hours."""
        # sudo: visitors cannot read companies; only the name and address of
        # branches that opened online booking are shown.
        return (
            request.env["res.company"]
            .sudo()
            .search([("gema_operating_calendar_id", "!=", False)], order="name")
        )

    def _gema_page_values(self, params, next_free=False):
        """Everything the page shows, from the visitor's choices so far.

        Invalid choices are dropped with an error; free times are computed
        only for a valid branch, service and day. With ``next_free`` (the
        page, not a sent form: the day of a sent form never changes under
        the chosen time), a day without free times gives way to the next
        day that has some, with a notice saying so.
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
        tz = pytz.timezone(branch._gema_tz())
        today = datetime.now(tz).date()
        day = self._gema_check_day(params.get("date"), today, errors)
        submitted = "request_key" in params
        if submitted and not branch:
            errors["company_id"] = env._("Please choose a branch.")
        if submitted and not service_type:
            errors["service_type_id"] = env._("Please choose a service.")

        free_days, free_times, notice = {}, [], None
        if branch and service_type:
            free_days = self._gema_free_days(
                branch, service_type, today, FREE_DAYS, errors
            )
        if branch and service_type and day:
            free_times = free_days.get(day)
            if free_times is None:
                free_times = self._gema_free_times(branch, service_type, day, errors)
            if not free_times and next_free and "date" not in errors:
                day, free_times, notice = self._gema_next_free_day(
                    branch, service_type, day, today, free_days, errors
                )
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
            "free_days": [
                {
                    "date": free_day.isoformat(),
                    "weekday": format_date(env, free_day, date_format="EEE"),
                    "label": format_date(env, free_day, date_format="d MMM"),
                    "count_label": (
                        env._("1 time")
                        if len(times) == 1
                        else env._("%(count)s times", count=len(times))
                    ),
                }
                for free_day, times in sorted(free_days.items())
            ],
            "notice": notice,
            "show_details": bool(branch and service_type and day),
            "max_lengths": self._gema_max_lengths(),
            "values": {
                name: _echo(params.get(name)) for name in (*CUSTOMER_FIELDS, "time")
            },
            "whatsapp_opt_in": params.get("whatsapp_opt_in") == "1",
            "errors": errors,
        }

    def _gema_render(self, values, status=200):
        """The page, the focus on its first field with an error (or on the
        form's message when no field is to blame), so that a visitor on a
        phone lands on what to correct (BK-3)."""
        errors = values["errors"]
        values["first_error"] = next(
            (name for name in FIELD_ORDER if errors.get(name)),
            "form" if errors else None,
        )
        values["livechat_info"] = self._gema_livechat_info(values.get("branch"))
        return request.render("gema_sop.gema_booking_page", values, status=status)

    def _gema_livechat_info(self, branch):
        """CS-1: the chosen branch's website live chat for the page, while
        one of its operators is online (``im_livechat.loader``), else
        nothing. sudo: the channel's public settings, as im_livechat's
        own loader reads them."""
        if not branch:
            return False
        channel = (
            request.env["im_livechat.channel"]
            .sudo()
            .search([("gema_company_id", "=", branch.id)], limit=1)
        )
        info = channel.get_livechat_info() if channel else {}
        return info if info.get("available") else False

    def _gema_free_days(self, branch, service_type, first_day, count, errors):
        """``{day: free times}`` of the first ``count`` days from
        ``first_day`` with a free time within the horizon (BK-1, G-4:
        Sundays, public holidays and full days are left out), read in a few
        batched searches."""
        today = datetime.now(pytz.timezone(branch._gema_tz())).date()
        try:
            # sudo: as in _gema_free_times, only start times leave here.
            found = (
                request.env["gema.planner"]
                .sudo()
                ._free_days(
                    branch,
                    service_type,
                    first_day,
                    count,
                    today + timedelta(days=HORIZON_DAYS),
                )
            )
        except (UserError, ValidationError) as error:
            errors["date"] = error.args[0]
            return {}
        return {
            day: self._gema_time_labels(branch, slots) for day, slots in found.items()
        }

    def _gema_next_free_day(self, branch, service_type, day, today, free_days, errors):
        """``(day, free times, notice)``: the first day after ``day`` with a
        free time and the sentence that says so, for a day without any (a
        Sunday, a public holiday, a full day, today after its last time);
        ``day`` itself and no notice when none is left within the
        horizon."""
        env = request.env
        later = sorted(free_day for free_day in free_days if free_day > day)
        if later:
            found = {later[0]: free_days[later[0]]}
        else:
            # A day chosen beyond the next free days: look after it.
            found = self._gema_free_days(
                branch, service_type, day + timedelta(days=1), 1, errors
            )
        if not found:
            return day, [], None
        next_day, times = next(iter(found.items()))
        next_label = format_date(env, next_day, date_format="EEEE, d MMMM y")
        if day == today:
            notice = env._(
                "There is no free time left today. The next free day is "
                "%(next)s; its free times are shown below.",
                next=next_label,
            )
        else:
            notice = env._(
                "There is no free time on %(day)s. The next free day is "
                "%(next)s; its free times are shown below.",
                day=format_date(env, day, date_format="EEEE, d MMMM y"),
                next=next_label,
            )
        return next_day, times, notice

    def _gema_time_labels(self, branch, slots):
        """The distinct start times of ``slots``, each with its label in the
        branch's time zone, for the page."""
        tz = pytz.timezone(branch._gema_tz())
        return [
            {
                "label": pytz.utc.localize(start).astimezone(tz).strftime("%H:%M"),
                "start": start,
            }
            for start in sorted({slot["start"] for slot in slots})
        ]

    def _gema_free_times(self, branch, service_type, day, errors):
        """The day's free start times, each with its label in the branch's
        time zone; a problem of the search becomes the date's error."""
        try:
            # sudo: the public user cannot read technicians, calendars or
            # slots; only the start times leave this method (G-5).
            slots = (
                request.env["gema.planner"]
                .sudo()
                ._free_slots(branch, service_type, day)
            )
        except (UserError, ValidationError) as error:
            errors["date"] = error.args[0]
            slots = []
        return self._gema_time_labels(branch, slots)

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

    def _gema_max_lengths(self):
        """The maxlength of each field, from the rules the server applies."""
        rules = request.env["gema.booking"]._text_rules()
        return {
            **{name: max_length for name, (max_length, _lines) in rules.items()},
            "customer_phone": MAX_PHONE,
            "license_plate": MAX_PLATE,
        }

    def _gema_check_rate_limit(self, phone, key):
        """An error message when this number or this IP address already sent
        too many website requests within the last hour.

        Counted twice: a number already over the limit in this transaction's
        view is refused at once; otherwise the number, the address and the
        form's key are claimed (``gema.claim``), so that simultaneous posts
        are counted one after the other, and counted again.
        """
        ip = request.httprequest.remote_addr
        error = self._gema_rate_limit_error(phone, ip)
        if not error:
            request.env["gema.claim"]._claim(
                f"phone:{phone}", f"ip:{ip}", f"request_key:{key}"
            )
            error = self._gema_rate_limit_error(phone, ip)
        return error

    def _gema_rate_limit_error(self, phone, ip):
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


def _echo(value):
    """What the visitor typed, to show it back in the form: without control
    characters (line breaks kept), at most a few thousand characters."""
    return "".join(
        char
        for char in (value or "")[:5000]
        if char == "\n" or not unicodedata.category(char).startswith("C")
    )
