from datetime import timedelta

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import format_amount, format_datetime

from ..tools.internal_write import internal_write, is_internal_write

# How long a customer's approval link stays valid after the request was sent
# (ST-2). Two days cover a customer who reads the message the next evening;
# an older request is stale (price or findings may have changed) and must be
# sent again, which renews the link.
APPROVAL_VALIDITY = timedelta(hours=48)
CLOSED_JOB_STATES = ("delivered", "cancelled")
# The ways a staff member hears a customer's decision (ST-1: in person, by
# phone or WhatsApp); "portal" (the customer link) is the customer's own.
STAFF_METHODS = ("whatsapp", "phone", "in_person")
# What the customer decided on, and how it was recorded: fixed once decided.
DECIDED_FIELDS = ("name", "price", "approval_method", "approval_note", "evidence_ids")


class GemaServiceJobLine(models.Model):
    """Extra work found on a job, and the customer's decision on it (ST-2).

    A line is proposed with its price; the customer approves or refuses it
    through the job's token link or their portal login (``portal``), or the
    service advisor records a decision the customer gave on WhatsApp, by
    phone or in person, with the evidence attached (ST-8), as the one who
    recorded it. The decision keeps who, when, how, a note and the
    evidence, and can be made once; what was decided (the work, its price)
    and how are then fixed. Only the customer's page reaches ``portal``
    (trust rules): no backend user, form or XML-RPC call records a decision
    as the customer's (``gema.customer.decision.mixin``). Work on a line
    (``work_state``) cannot start before it was approved, nor while its job
    is not in progress or paused; it moves only by *Start* and *Done*,
    pressed by a technician of the job or a service advisor
    (``can_start_work`` and ``can_done_work`` show them). Only the desk
    writes a line (``gema.field.guard.mixin``): a technician changes neither
    the work, its price nor the customer's decision.
    """

    _name = "gema.service.job.line"
    _inherit = ["gema.customer.decision.mixin", "gema.field.guard.mixin"]
    _description = "Service Job Extra Work"
    _order = "job_id, sequence, id"
    _check_company_auto = True
    _gema_desk_groups = ("gema_sop.group_service_advisor", "gema_sop.group_cs_officer")
    _gema_customer_fields = (
        "approval_state",
        "decision_date",
        "decided_by_name",
        "recorded_by_id",
    )

    job_id = fields.Many2one(
        "gema.service.job", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(
        related="job_id.company_id", store=True, index=True, string="Branch"
    )
    currency_id = fields.Many2one(related="job_id.currency_id")
    sequence = fields.Integer(default=10)
    name = fields.Char(
        string="Extra Work",
        required=True,
        help="What is to be done and why, in plain words for the customer.",
    )
    price = fields.Monetary(currency_field="currency_id")
    approval_state = fields.Selection(
        [
            ("proposed", "Proposed"),
            ("approved", "Approved"),
            ("refused", "Refused"),
        ],
        default="proposed",
        required=True,
        index=True,
        copy=False,
        readonly=True,
    )
    approval_method = fields.Selection(
        [
            ("portal", "Customer link"),
            ("whatsapp", "WhatsApp"),
            ("phone", "Phone"),
            ("in_person", "In person"),
        ],
        string="Decided By Way Of",
        copy=False,
    )
    decision_date = fields.Datetime(string="Decided On", copy=False, readonly=True)
    decided_by_name = fields.Char(
        string="Decided By",
        copy=False,
        readonly=True,
        help="The person who gave the decision (the customer).",
    )
    recorded_by_id = fields.Many2one(
        "res.users",
        copy=False,
        readonly=True,
        help="The staff member who recorded a decision given by phone, "
        "WhatsApp or in person; empty when the customer used the link.",
    )
    approval_note = fields.Text(copy=False)
    evidence_ids = fields.Many2many(
        "ir.attachment",
        "gema_service_job_line_evidence_rel",
        "line_id",
        "attachment_id",
        copy=False,
        help="Screenshot of the chat, call log or signed note (ST-8).",
    )
    approval_expires = fields.Datetime(
        string="Link Valid Until",
        copy=False,
        help="The customer's approval link accepts a decision until then "
        "(48 hours after the approval request). Send the request again to "
        "renew it.",
    )
    work_state = fields.Selection(
        [("todo", "To Do"), ("in_progress", "In Progress"), ("done", "Done")],
        default="todo",
        required=True,
        copy=False,
        readonly=True,
    )
    can_start_work = fields.Boolean(compute="_compute_can_work")
    can_done_work = fields.Boolean(compute="_compute_can_work")

    # Computes ---------------------------------------------------------------

    @api.depends("approval_state", "work_state", "job_id.state", "job_id.paused")
    def _compute_can_work(self):
        """Whether *Start* and *Done* may be pressed, by the checks the
        buttons make (``_not_startable``), so the cards and the code agree."""
        blocked = self._not_startable()
        for line in self:
            line.can_start_work = line.work_state == "todo" and line not in blocked
            line.can_done_work = line.work_state == "in_progress"

    # CRUD -------------------------------------------------------------------

    def write(self, vals):
        """The progress of the work moves by its buttons only, as a job's
        state (``gema.state.mixin``): a direct write would skip their checks."""
        if "work_state" in vals and not self.env.su and not is_internal_write(self):
            raise UserError(
                self.env._(
                    "Use Start and Done of the extra work %(lines)s; they check "
                    "that it was approved and that the job is in progress.",
                    lines=", ".join(self.mapped("name")),
                )
            )
        return super().write(vals)

    def _fields_refused(self, names):
        return self.env._(
            "Technicians start and finish the approved extra work with its "
            "buttons; the work, its price and the customer's decision are "
            "recorded by the service advisor."
        )

    def _check_customer_fields(self, vals_list):
        """Besides the decision itself: "portal" is never chosen in the
        backend, and a decided line keeps what was decided and how."""
        super()._check_customer_fields(vals_list)
        if self.env.su:
            return
        if any(vals.get("approval_method") == "portal" for vals in vals_list):
            raise self._portal_refused()
        changed = {name for vals in vals_list for name in vals}
        decided = self.filtered(lambda line: line.approval_state != "proposed")
        if decided and changed & set(DECIDED_FIELDS):
            raise UserError(
                self.env._(
                    "The customer already decided on %(lines)s; the work, its "
                    "price and the record of the decision can no longer change.",
                    lines=", ".join(decided.mapped("name")),
                )
            )

    def _portal_refused(self):
        return UserError(
            self.env._(
                "Only the customer decides by the customer link, on the job's "
                "page. For a decision the customer gave you, choose WhatsApp, "
                "phone or in person and attach the evidence."
            )
        )

    def _staff_way(self):
        return self.env._(
            "A decision the customer gave by phone, WhatsApp or in person is "
            "recorded with Record Approval or Record Refusal, with its evidence."
        )

    # Actions ----------------------------------------------------------------

    def action_approve(self):
        """Service advisor: record the customer's approval given outside the link."""
        for line in self:
            line._record_decision(
                "approved", line.approval_method, line.approval_note, line.evidence_ids
            )
        return True

    def action_refuse(self):
        """Service advisor: record the customer's refusal given outside the link."""
        for line in self:
            line._record_decision(
                "refused", line.approval_method, line.approval_note, line.evidence_ids
            )
        return True

    def action_start_work(self):
        """Technician: start the extra work, only once it was approved and
        while the job is in progress (not paused)."""
        self.job_id._check_technician_access()
        unapproved = self.filtered(lambda line: line.approval_state != "approved")
        if unapproved:
            raise UserError(
                self.env._(
                    "The customer has not approved this extra work yet, so it "
                    "cannot start: %(lines)s",
                    lines=", ".join(unapproved.mapped("name")),
                )
            )
        idle = self._not_startable().job_id
        if idle:
            raise UserError(
                self.env._(
                    "Start or resume the job before its extra work: %(jobs)s",
                    jobs=", ".join(idle.mapped("name")),
                )
            )
        started = self.filtered(lambda line: line.work_state != "todo")
        if started:
            raise UserError(
                self.env._(
                    "This extra work was already started: %(lines)s",
                    lines=", ".join(started.mapped("name")),
                )
            )
        with internal_write(self):
            self.write({"work_state": "in_progress"})
        return True

    def action_done_work(self):
        """Technician: the extra work is done."""
        self.job_id._check_technician_access()
        not_started = self.filtered(lambda line: line.work_state != "in_progress")
        if not_started:
            raise UserError(
                self.env._(
                    "Only extra work in progress can be finished: %(lines)s",
                    lines=", ".join(not_started.mapped("name")),
                )
            )
        with internal_write(self):
            self.write({"work_state": "done"})
        return True

    def _not_startable(self):
        """The lines whose work cannot start now: not approved, or their
        job is not in progress or paused."""
        return self.filtered(
            lambda line: line.approval_state != "approved"
            or line.job_id.state != "in_progress"
            or line.job_id.paused
        )

    def _record_decision(self, decision, method, note=None, evidence=None):
        """Record the customer's ``decision`` ("approved" or "refused") on
        this line, given by ``method`` (portal, whatsapp, phone, in_person).

        Refused with a clear message when the line was already decided, the
        job is closed, the link expired (portal), or a decision given outside
        the link comes without evidence or from someone other than a service
        advisor or CS officer. ``portal`` is the customer's own decision:
        only the customer's page makes it, as superuser, after it checked
        that the visitor is the job's customer (``controllers/access.py``);
        a backend user asking for it is refused. Any other method is
        recorded as the staff member's (``recorded_by_id``, the chatter
        entry's author).
        """
        self.ensure_one()
        self._check_decidable(decision)
        recorded_by = self._decision_recorder(method, evidence)
        who = self.job_id.partner_id.name
        now = fields.Datetime.now()
        evidence = evidence or self.env["ir.attachment"]
        # Evidence uploaded before the decision has no owner yet: it becomes
        # the line's, so it is readable by whoever can read the line.
        evidence.filtered(lambda a: not a.res_id).sudo().write(
            {"res_model": self._name, "res_id": self.id}
        )
        # sudo: the decision fields are written only here, once the checks
        # above passed (the customer's page checked its visitor, staff their
        # group and write access); gema.customer.decision.mixin refuses them
        # to any direct write.
        self.sudo().write(
            {
                "approval_state": decision,
                "approval_method": method,
                "decision_date": now,
                "decided_by_name": who,
                "recorded_by_id": recorded_by.id,
                "approval_note": note or False,
                "evidence_ids": [fields.Command.set(evidence.ids)],
            }
        )
        self.job_id._log_decision(self)
        self._notify_advisors()
        return True

    def _check_decidable(self, decision):
        """Refuse an unknown decision, a line already decided and a line of
        a closed job."""
        if decision not in ("approved", "refused"):
            raise UserError(
                self.env._("Unknown decision: %(decision)s", decision=decision)
            )
        if self.approval_state != "proposed":
            raise UserError(
                self.env._(
                    "The customer already decided on %(line)s (%(state)s on "
                    "%(date)s); a decision cannot be made twice.",
                    line=self.name,
                    state=dict(
                        self._fields["approval_state"]._description_selection(self.env)
                    )[self.approval_state],
                    date=format_datetime(
                        self.env,
                        self.decision_date,
                        tz=self.job_id.gema_tz,
                        dt_format="short",
                    ),
                )
            )
        if self.job_id.state in CLOSED_JOB_STATES:
            raise UserError(
                self.env._(
                    "Job %(job)s is closed; its extra work can no longer be "
                    "approved or refused.",
                    job=self.job_id.name,
                )
            )

    def _decision_recorder(self, method, evidence):
        """Who records a decision given by ``method``: nobody for the
        customer's own page (which runs as superuser after checking its
        visitor), the staff member otherwise, who must be a service advisor
        or CS officer with write access and bring evidence."""
        if method == "portal":
            if not self.env.su:
                raise self._portal_refused()
            if (
                not self.approval_expires
                or self.approval_expires < fields.Datetime.now()
            ):
                raise UserError(
                    self.env._(
                        "This approval link has expired. Please contact the "
                        "workshop; the service advisor will send you a new one."
                    )
                )
            return self.env["res.users"]
        elif method in STAFF_METHODS:
            user = self.env.user
            if not self.env.su and not (
                user.has_group("gema_sop.group_service_advisor")
                or user.has_group("gema_sop.group_cs_officer")
            ):
                raise UserError(
                    self.env._(
                        "Only service advisors and CS officers record a "
                        "customer's decision on extra work."
                    )
                )
            self.check_access("write")
            if not evidence:
                raise UserError(
                    self.env._(
                        "Attach the evidence of the customer's decision on "
                        "%(line)s (chat screenshot, call note or signed form).",
                        line=self.name,
                    )
                )
            return user
        raise UserError(
            self.env._(
                "Choose how the customer gave the decision on %(line)s.",
                line=self.name,
            )
        )

    def _notify_advisors(self):
        """Tell the service advisor of the job the decision just recorded,
        with the next step, as an activity assigned to them: Odoo notifies
        the assignee (inbox or email, as they chose) and the systray keeps
        it until done. Without an advisor on the job, every service advisor
        of the branch (supervisors and managers only when the branch has no
        plain advisor) gets one. Nobody is told their own decision: staff who
        recorded it already know. Written in each advisor's language; called
        once per decision, by ``_record_decision`` after it stored it.
        """
        self.ensure_one()
        job = self.job_id
        advisors = job.user_id.filtered("active") or self._branch_advisors()
        advisors -= self.recorded_by_id
        today = fields.Date.context_today(job.with_context(tz=job.gema_tz))
        for advisor in advisors:
            line = self.with_context(lang=advisor.lang or "en_US")
            # sudo: the activity is the system's message to the advisor; the
            # customer's page (as superuser) or the recording staff member
            # may not be allowed to assign work to another user.
            job.sudo().activity_schedule(
                "mail.mail_activity_data_todo",
                date_deadline=today,
                user_id=advisor.id,
                summary=line._decision_activity_summary(),
                note=line._decision_activity_note(),
            )

    def _branch_advisors(self):
        """The active service advisors of the line's branch, the front desk
        before its supervisors and managers (who are advisors too)."""
        # sudo: reads the group's members to find whom to tell, nothing more.
        advisors = (
            self.env.ref("gema_sop.group_service_advisor")
            .sudo()
            .users.filtered(
                lambda user: user.active
                and self.company_id in user.company_ids
                and not user._is_superuser()
            )
        )
        supervisors = self.env.ref("gema_sop.group_cs_supervisor").sudo().users
        return (advisors - supervisors or advisors).sorted("id")

    def _decision_activity_summary(self):
        """The activity's title: what the customer decided, and what to do."""
        if self.approval_state == "approved":
            return self.env._(
                "Customer approved extra work: %(line)s — tell the technician "
                "and plan the work",
                line=self.name,
            )
        return self.env._(
            "Customer refused extra work: %(line)s — tell the technician not to do it",
            line=self.name,
        )

    def _decision_activity_note(self):
        """Who decided, how, when and at what price; then the job's next
        step: the items still waiting, or starting the work."""
        job = self.job_id
        methods = dict(self._fields["approval_method"]._description_selection(self.env))
        decided = self.env._(
            "%(who)s decided on %(line)s (%(price)s) via %(method)s on %(date)s.",
            who=self.decided_by_name or "",
            line=self.name,
            price=format_amount(self.env, self.price, self.currency_id),
            method=methods.get(self.approval_method, ""),
            date=format_datetime(
                self.env, self.decision_date, tz=job.gema_tz, dt_format="short"
            ),
        )
        waiting = job.line_ids.filtered(
            lambda line: line.approval_state == "proposed" and line.approval_expires
        )
        if waiting:
            step = self.env._(
                "Still waiting for the customer's decision on: %(lines)s.",
                lines=", ".join(waiting.mapped("name")),
            )
        elif job.state == "waiting_approval":
            step = self.env._(
                "Every extra work item is decided: start the work on %(job)s "
                "when the technician is ready.",
                job=job.name,
            )
        else:
            step = self.env._("Update the work plan of %(job)s.", job=job.name)
        return Markup("<p>%s</p><p>%s</p>") % (decided, step)

    @api.model
    def _approval_expiry(self):
        return fields.Datetime.now() + APPROVAL_VALIDITY

    def _decision_summary(self):
        """One line of chatter for the decision (who, when, how, note)."""
        self.ensure_one()
        methods = dict(self._fields["approval_method"]._description_selection(self.env))
        states = dict(self._fields["approval_state"]._description_selection(self.env))
        summary = self.env._(
            "%(line)s: %(decision)s by %(who)s via %(method)s",
            line=self.name,
            decision=states[self.approval_state],
            who=self.decided_by_name or "",
            method=methods.get(self.approval_method, ""),
        )
        if self.recorded_by_id:
            summary = self.env._(
                "%(summary)s, recorded by %(user)s",
                summary=summary,
                user=self.recorded_by_id.name,
            )
        if self.approval_note:
            summary = f"{summary} ({self.approval_note})"
        return Markup("<li>%s</li>") % summary
