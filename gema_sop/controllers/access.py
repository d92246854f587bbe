"""Who may open a customer page, and who may act on it (DESIGN, trust rules).

Every customer page (booking, service job and its photos and extra-work
decisions, chat rating, ticket and its rating) asks ``record_or_404``
first. A record's customer is the visitor who

(a) holds the record's ``access_token`` (the link in the message they
    received; compared in constant time, as portal does), or
(b) is logged in as a portal user of the record's customer: the record's
    partner has the user's commercial partner (company and contacts), the
    rule of ``customer_domain`` that the portal lists use too.

Nobody else gets in: staff without the token (technicians, service
advisors, CS officers, managers, administrators: their read rights in the
backend are not the customer's consent), portal users of another customer,
and visitors without the token or with a wrong or another record's token
all get 404, which does not even tell that the record exists.

A staff member who holds the token (it is in the message they sent) may
*view* the page, to see what the customer sees; the page then says so and
offers no decision or rating form. A request that records a customer's
decision (``decision=True``) is refused to staff even with the token: the
customer decides, and staff record a decision the customer gave by phone,
WhatsApp or in person in the backend, as theirs, with channel and evidence.
"""

from werkzeug.exceptions import NotFound

from odoo import SUPERUSER_ID
from odoo.http import request
from odoo.osv import expression
from odoo.tools import consteq


def staff_visitor():
    """True when the visitor is logged in as staff (an internal user): such a
    visitor sees a customer page only as a preview and never decides."""
    return request.env.user._is_internal()


def customer_domain(field="partner_id"):
    """The records whose customer (``field``) is the logged-in portal user's
    company or one of its contacts; no record for anyone else (staff,
    public)."""
    user = request.env.user
    if not user._is_portal():
        return expression.FALSE_DOMAIN
    return [(field, "child_of", user.partner_id.commercial_partner_id.id)]


def customer_search(model, count=False, **kwargs):
    """The records of ``model`` whose customer is the logged-in portal user
    (``customer_domain``), for the portal lists: their number with
    ``count``, else ``search(**kwargs)``; none for anyone else."""
    # As superuser: a portal user may not search on every field of the rule
    # (a booking's customer is hidden by field groups); the domain keeps
    # the visitor's own records only.
    records = request.env[model].with_user(SUPERUSER_ID)
    if count:
        return records.search_count(customer_domain())
    return records.search(customer_domain(), **kwargs)


def record_or_404(model, record_id, access_token, decision=False):
    """The record of ``model``, as superuser, when the visitor is its
    customer (its token, or its portal customer logged in); 404 otherwise.

    With ``decision``, the request records the customer's decision (extra
    work, rating): staff are refused even with the token.
    """
    # As superuser: the visitor (public, portal) cannot read the record; it
    # is only returned once the checks below passed.
    record_sudo = request.env[model].with_user(SUPERUSER_ID).browse(record_id).exists()
    if not record_sudo or (decision and staff_visitor()):
        raise NotFound()
    token = record_sudo.access_token
    if access_token and token and consteq(token, access_token):
        return record_sudo
    if record_sudo.filtered_domain(customer_domain()):
        return record_sudo
    raise NotFound()
