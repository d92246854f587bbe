"""The customer's live status page of a service job (SPEC ST-1 ... ST-4).

A customer opens ``/my/jobs/<id>?access_token=...`` from the link in their
WhatsApp or email message, or ``/my/jobs`` when they have a portal login.
The page shows what the customer needs to know and nothing else (G-5): the
job number, plate, state in plain words, last update, estimated completion
and cost, the extra work with its approval, the vehicle photos, and the
technicians' first names. Internal notes, chatter and other customers' data
never reach it.

Every route checks the job first (``access.record_or_404``: the job's
token, or its portal customer logged in; else 404) and only then reads it
with sudo; lines and photos are looked up *inside* that job, so a token of
one job never opens another job, its lines or its photos. Staff see the page
only with its token, as a preview without the decision forms, and never
record a decision here (ST-2: they record what the customer said in the
backend, with channel and evidence).
"""

from urllib.parse import urlencode

from werkzeug.exceptions import NotFound

from odoo import fields
from odoo.addons.portal.controllers.portal import CustomerPortal
from odoo.addons.portal.controllers.portal import pager as portal_pager
from odoo.exceptions import UserError
from odoo.http import request, route
from odoo.tools import format_datetime

from ..models.gema_service_job_line import CLOSED_JOB_STATES
from .access import customer_search, record_or_404, staff_visitor

NOTICE_KEY = "gema_job_notice"
DECISIONS = ("approved", "refused")
NOTE_MAX_LENGTH = 500


class GemaServiceJobPortal(CustomerPortal):
    """Status page, job list and extra-work decisions of the customer."""

    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if "gema_job_count" in counters:
            values["gema_job_count"] = customer_search("gema.service.job", count=True)
        return values

    # ------------------------------------------------------------------
    # Routes
    # ------------------------------------------------------------------

    @route(
        ["/my/jobs", "/my/jobs/page/<int:page>"],
        type="http",
        auth="user",
        website=True,
    )
    def portal_my_jobs(self, page=1, **kw):
        """The logged-in customer's own jobs, newest first."""
        count = customer_search("gema.service.job", count=True)
        pager = portal_pager(
            url="/my/jobs",
            total=count,
            page=page,
            step=self._items_per_page,
        )
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "page_name": "gema_job",
                "pager": pager,
                "default_url": "/my/jobs",
                "jobs": customer_search(
                    "gema.service.job",
                    order="create_date desc, id desc",
                    limit=self._items_per_page,
                    offset=pager["offset"],
                ),
                "customer_states": self._gema_customer_states(),
            }
        )
        values["tz_by_job"] = {job.id: job.gema_tz for job in values["jobs"]}
        values["state_by_job"] = {
            job.id: self._gema_state_words(job, values["customer_states"])[0]
            for job in values["jobs"]
        }
        request.session["my_gema_jobs_history"] = values["jobs"].ids[:100]
        return request.render("gema_sop.portal_my_jobs", values)

    @route("/my/jobs/<int:job_id>", type="http", auth="public", website=True)
    def portal_my_job(self, job_id, access_token=None, **kw):
        """The live status page of one job (token link or portal login)."""
        job_sudo = record_or_404("gema.service.job", job_id, access_token)
        values = self._gema_job_page_values(job_sudo, access_token)
        return request.render("gema_sop.portal_my_job", values)

    @route(
        "/my/jobs/<int:job_id>/photos/<int:attachment_id>",
        type="http",
        auth="public",
        website=True,
    )
    def portal_my_job_photo(self, job_id, attachment_id, access_token=None, **kw):
        """A vehicle photo of the job, for whoever may see the job only."""
        job_sudo = record_or_404("gema.service.job", job_id, access_token)
        photo_sudo = job_sudo.photo_ids.filtered(
            lambda attachment: attachment.id == attachment_id
            and (attachment.mimetype or "").startswith("image/")
        )
        if not photo_sudo:
            raise NotFound()
        stream = request.env["ir.binary"]._get_image_stream_from(
            photo_sudo, width=1280, height=1280
        )
        response = stream.get_response()
        # The photo is the customer's: no shared caches.
        response.headers["Cache-Control"] = "private, max-age=3600"
        return response

    @route(
        "/my/jobs/<int:job_id>/lines/<int:line_id>/decision",
        type="http",
        auth="public",
        methods=["POST"],
        website=True,
    )
    def portal_my_job_line_decision(
        self,
        job_id,
        line_id,
        decision=None,
        access_token=None,
        note=None,
        confirmed=None,
        **kw,
    ):
        """ST-2: the customer approves or refuses one proposed extra work.

        The CSRF token is checked by the route (POST form); the visitor must
        be the job's customer (its token, not staff, or its portal customer);
        the line must belong to that job, so a line id of another job gives
        404 and changes nothing. A decision is final, so the first post
        (the Approve or Refuse button) only shows the page again with the
        question "are you sure", whose answer posts ``confirmed``; without
        JavaScript too. The same decision posted again (a double tap, a
        reload, a second tab) records nothing and tells nobody again: the
        page shows the decision already taken. Two posts at the same moment
        write the same row: PostgreSQL lets one commit and Odoo retries the
        other, which then finds the decision taken.
        """
        job_sudo = record_or_404(
            "gema.service.job", job_id, access_token, decision=True
        )
        line_sudo = job_sudo.line_ids.filtered(lambda line: line.id == line_id)
        if not line_sudo or decision not in DECISIONS:
            raise NotFound()
        note = (note or "").strip()[:NOTE_MAX_LENGTH] or None
        if line_sudo.approval_state == decision:
            self._gema_set_notice("info", self._gema_decided_text(line_sudo), line_sudo)
            return request.redirect(self._gema_job_url(job_sudo, access_token))
        if not confirmed and self._gema_decidable(line_sudo):
            values = self._gema_job_page_values(job_sudo, access_token)
            values["confirm"] = {"line": line_sudo, "decision": decision, "note": note}
            return request.render("gema_sop.portal_my_job", values)
        try:
            # Already sudo (from the access check): a customer cannot write
            # lines; the access check proved this line is theirs to decide.
            line_sudo._record_decision(decision, "portal", note=note)
        except UserError as error:
            self._gema_set_notice("danger", error.args[0], line_sudo)
        else:
            text = (
                request.env._(
                    'Thank you. Your approval of "%(work)s" has been recorded.',
                    work=line_sudo.name,
                )
                if decision == "approved"
                else request.env._(
                    'Thank you. Your refusal of "%(work)s" has been recorded; '
                    "we will not do this work.",
                    work=line_sudo.name,
                )
            )
            self._gema_set_notice("success", text, line_sudo)
        return request.redirect(self._gema_job_url(job_sudo, access_token))

    # ------------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------------

    def _gema_job_url(self, job, access_token):
        """The status page of ``job``, with the token the visitor came with."""
        if not access_token:
            return job.access_url
        return f"{job.access_url}?{urlencode({'access_token': access_token})}"

    def _gema_decidable(self, line):
        """The customer can still decide ``line`` online: proposed, sent
        for approval and not expired, on an open job (the checks of
        ``_record_decision`` give the reason otherwise)."""
        return (
            line.approval_state == "proposed"
            and line.approval_expires
            and line.approval_expires >= fields.Datetime.now()
            and line.job_id.state not in CLOSED_JOB_STATES
        )

    def _gema_decided_text(self, line):
        """The decision already taken on ``line``, and when."""
        date = format_datetime(
            request.env, line.decision_date, tz=line.job_id.gema_tz, dt_format="short"
        )
        if line.approval_state == "approved":
            return request.env._(
                'Your approval of "%(work)s" was already recorded on %(date)s.',
                work=line.name,
                date=date,
            )
        return request.env._(
            'Your refusal of "%(work)s" was already recorded on %(date)s.',
            work=line.name,
            date=date,
        )

    def _gema_set_notice(self, kind, text, line):
        """Keep the result of a decision for the next page view (the form
        posts, then redirects: a reload never posts twice)."""
        request.session[NOTICE_KEY] = {
            "type": kind,
            "text": text,
            "line_id": line.id,
        }

    def _gema_customer_states(self):
        """Each job state in the customer's words: (title, explanation)."""
        env = request.env
        return {
            "reception": (
                env._("Vehicle received"),
                env._("We have received your vehicle and will inspect it soon."),
            ),
            "inspection": (
                env._("Being inspected"),
                env._("Our technician is checking your vehicle."),
            ),
            "waiting_approval": (
                env._("Waiting for your approval"),
                env._(
                    "We found extra work. Please approve or refuse each item "
                    "below; we only start it after your approval."
                ),
            ),
            "in_progress": (
                env._("Work in progress"),
                env._("Our technicians are working on your vehicle."),
            ),
            "quality_check": (
                env._("Final check"),
                env._("The work is done; we are checking the result."),
            ),
            "ready": (
                env._("Ready for pickup"),
                env._("Your vehicle is ready. You can collect it at our workshop."),
            ),
            "delivered": (
                env._("Collected"),
                env._("You have collected your vehicle. Thank you for your trust."),
            ),
            "cancelled": (
                env._("Cancelled"),
                env._("This service has been cancelled."),
            ),
        }

    def _gema_state_words(self, job_sudo, customer_states):
        """The job's state in the customer's words. While the job waits for
        approval, what really waits: items to decide (the state's own
        words), items whose time to decide online passed, or nothing, once
        the customer decided on every item."""
        words = customer_states.get(job_sudo.state, ("", ""))
        if job_sudo.state != "waiting_approval":
            return words
        waiting = job_sudo.line_ids.filtered(
            lambda line: line.approval_state == "proposed" and line.approval_expires
        )
        if waiting.filtered(self._gema_decidable):
            return words
        env = request.env
        if waiting:
            return (
                words[0],
                env._(
                    "Some extra work still needs your decision, but the time "
                    "to decide online has passed: please contact us."
                ),
            )
        return (
            env._("Decision received"),
            env._(
                "Thank you: we have your decision on each extra work item. "
                "We will continue and keep you informed."
            ),
        )

    def _gema_job_page_values(self, job_sudo, access_token):
        notice = request.session.pop(NOTICE_KEY, None)
        if notice and notice.get("line_id") not in job_sudo.line_ids.ids:
            notice = None
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "page_name": "gema_job",
                "job": job_sudo,
                # A proposed line reaches the customer with its approval
                # request (which sets its validity); before that the service
                # advisor may still change it.
                "lines": job_sudo.line_ids.filtered(
                    lambda line: line.approval_state != "proposed"
                    or line.approval_expires
                ),
                "closed": job_sudo.state in CLOSED_JOB_STATES,
                "photos": job_sudo.photo_ids.filtered(
                    lambda attachment: (attachment.mimetype or "").startswith("image/")
                ),
                "state_words": self._gema_state_words(
                    job_sudo, self._gema_customer_states()
                ),
                "confirm": None,
                # Only a first name: the customer knows who works on their
                # car, nothing more about the employee (issue: no technician
                # data beyond a first name).
                "technician_names": [
                    name.split()[0]
                    for name in job_sudo.technician_ids.mapped("name")
                    if name and name.strip()
                ],
                "tz": job_sudo.gema_tz,
                "currency": job_sudo.currency_id,
                "notice": notice,
                # Staff with the token see the customer's page, not its forms.
                "preview": staff_visitor(),
                "query": urlencode({"access_token": access_token})
                if access_token
                else "",
                "now": fields.Datetime.now(),
            }
        )
        # A token visitor has no portal home to go back to.
        no_breadcrumbs = request.env.user._is_public()
        return self._get_page_view_values(
            job_sudo, access_token, values, "my_gema_jobs_history", no_breadcrumbs
        )
