import logging
import re
from datetime import datetime

from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..tools import (
    field_error_lines,
    required_plate,
)
from .gema_booking_const import CHANNELS, MAX_COMPLAINT, REQUEST_KEY
from .gema_vehicle import MAX_VEHICLE_TYPE

_logger = logging.getLogger(__name__)

# The visitor's IP address as the server gives it (IPv4 or IPv6).
_IP = re.compile(r"^[0-9A-Fa-f:.]{2,45}$", re.ASCII)


class GemaBookingRequest(models.AbstractModel):
    """A booking request as customers and staff send it (BK-1, BK-3),
    inherited by ``gema.booking``: the one validator of its values (the
    public form, the chat desk and the backend call it) and the creation of
    a request from the public form, with the branch, the service and the
    requested time checked and the customer found or created."""

    _name = "gema.booking.request"
    _description = "Booking Request Intake"

    @api.model
    def _text_rules(self):
        return dict(
            super()._text_rules(),
            vehicle_type=(MAX_VEHICLE_TYPE, False),
            complaint=(MAX_COMPLAINT, True),
        )

    @api.model
    def _validate_values(self, values, creating=True):
        """The BK-3 data of a request checked the same way for the public
        page (which shows each message beside its field), the backend form,
        a chat handover and XML-RPC: also the licence plate, required."""
        clean, errors = super()._validate_values(values, creating=creating)
        if "license_plate" in values or creating:
            clean["license_plate"], problem = required_plate(
                self.env, values.get("license_plate")
            )
            if problem:
                errors["license_plate"] = problem
        return clean, errors

    @api.model
    def _can_ask_customer(self, vals):
        """A visitor of the public page cannot be asked whether the number's
        customer is them: they must not learn whose number it is (G-5)."""
        return vals.get("channel") != "website"

    @api.model
    def _create_request(self, values):
        """Record a booking request with exactly the data of BK-3.

        Every field is validated here (the public page and any script go
        through it), with one message per wrong field; the request key makes
        a second submit of the same form return the first booking (the key
        is claimed first, so two submits at the same moment make one). A
        website request is linked to the customer of its number whatever
        name was typed (the visitor cannot be asked, G-5). Returns the
        booking, in state request, with its first-response clock running
        (BK-2).
        """
        key = values.get("request_key") or False
        if key:
            if not isinstance(key, str) or not REQUEST_KEY.match(key):
                raise ValidationError(self.env._("The request key is not valid."))
            self.env["gema.claim"]._claim(f"request_key:{key}")
            # sudo: the website user cannot read bookings; only the key of
            # its own form is matched, and only the booking's id returned.
            existing = self.sudo().search([("request_key", "=", key)], limit=1)
            if existing:
                return self.browse(existing.id)
        clean, errors = self._validate_values(values)
        problems = field_error_lines(self, errors)
        channel = values.get("channel") or "website"
        if channel not in dict(CHANNELS):
            problems.append(self.env._("The channel is not valid."))
        company, service_type = self._request_branch_service(values, clean, problems)
        requested = self._request_start(values, problems)
        if problems:
            raise ValidationError("\n".join(problems))
        if channel == "website" and service_type:
            self.env["gema.planner"]._check_free(company, service_type, requested)
        return self.create(
            {
                **clean,
                # A request from the website has no service advisor yet.
                "user_id": self._default_user_id().id
                if channel != "website"
                else False,
                "service_type_id": service_type.id,
                "requested_start": requested,
                "channel": channel,
                "company_id": company.id,
                "customer_link": values.get("customer_link") or False,
                "request_key": key,
                "request_ip": _ip(values.get("request_ip")),
                # G-5: the visitor's own tick on the form, nothing else.
                "whatsapp_opt_in": values.get("whatsapp_opt_in") is True,
            }
        )

    @api.model
    def _request_branch_service(self, values, clean, problems):
        """The branch and the service of a request: the ids given must
        exist, and the service be active and offered by the branch (or
        else a complaint described). Each problem is added to
        ``problems``."""
        # sudo: the website user may not read companies or services; ids
        # given by the form are only checked to exist and be offered.
        company = (
            self.env["res.company"]
            .sudo()
            .browse(_int(values.get("company_id")))
            .exists()
        )
        if not company:
            problems.append(self.env._("Choose a branch."))
        service_type = (
            self.env["gema.service.type"]
            .sudo()
            .browse(_int(values.get("service_type_id")))
            .exists()
        )
        if service_type and (
            not service_type.active
            or (service_type.company_id and service_type.company_id != company)
        ):
            service_type = service_type.browse()
        if not service_type and not clean.get("complaint"):
            problems.append(
                self.env._(
                    "Choose a service offered by the branch or describe the complaint."
                )
            )
        return company, service_type

    @api.model
    def _request_start(self, values, problems):
        """The requested arrival (naive UTC) of a request, given as a
        datetime or its text; a missing, unreadable or past one is added
        to ``problems``."""
        requested = values.get("requested_start")
        if isinstance(requested, str):
            try:
                requested = fields.Datetime.to_datetime(requested)
            except ValueError:
                requested = None
        if not isinstance(requested, datetime):
            problems.append(self.env._("Choose the date and time of arrival."))
        elif requested < fields.Datetime.now():
            problems.append(self.env._("The requested time is in the past."))
        return requested


def _int(value):
    """A record id from a form or a script; 0 for anything else (also for
    numbers no id can be: PostgreSQL ids are 32-bit)."""
    try:
        number = int(value or 0)
    except (TypeError, ValueError):
        return 0
    return number if 0 < number < 2**31 else 0


def _ip(value):
    """The visitor's IP address as given by the server, or False."""
    return value if isinstance(value, str) and _IP.match(value) else False
