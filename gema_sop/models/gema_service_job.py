from datetime import datetime

import pytz
from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from ..tools import assign_numbers
from ..tools.internal_write import is_internal_write
from .gema_service_job_line import CLOSED_JOB_STATES
from .gema_service_job_work import TECHNICIAN_FIELDS

STATES = [
    ("reception", "Vehicle Reception"),
    ("inspection", "Inspection"),
    ("waiting_approval", "Waiting for Approval"),
    ("in_progress", "In Progress"),
    ("quality_check", "Quality Check"),
    ("ready", "Ready for Pickup"),
    ("delivered", "Delivered"),
    ("cancelled", "Cancelled"),
]
# The only moves a job can make: from a state, its steps (buttons
# ``action_<step>``) and the state each leads to. Quality check goes back to
# work when the check fails; work goes back to waiting for approval when new
# extra work is found on the way. Asking again for an approval keeps the job
# waiting; starting work in progress resumes it when paused.
TRANSITIONS = {
    "reception": {"inspect": "inspection", "cancel": "cancelled"},
    "inspection": {
        "request_approval": "waiting_approval",
        "start": "in_progress",
        "cancel": "cancelled",
    },
    "waiting_approval": {
        "request_approval": "waiting_approval",
        "start": "in_progress",
        "cancel": "cancelled",
    },
    "in_progress": {
        "request_approval": "waiting_approval",
        "start": "in_progress",
        "finish": "quality_check",
        "cancel": "cancelled",
    },
    "quality_check": {
        "qc_fail": "in_progress",
        "ready": "ready",
        "cancel": "cancelled",
    },
    "ready": {"deliver": "delivered"},
    "delivered": {},
    "cancelled": {},
}
# A job longer than this (hours of estimated work) gets periodic updates (ST-3).
LONG_JOB_HOURS = 3.0
# ST-10: the checklist items, in the order of the SOP's section 9.
CHECKLIST = [
    "gema_sop.mail_activity_type_st10_progress",
    "gema_sop.mail_activity_type_st10_extra_work",
    "gema_sop.mail_activity_type_st10_contacted",
    "gema_sop.mail_activity_type_st10_explained",
    "gema_sop.mail_activity_type_st10_approval",
    "gema_sop.mail_activity_type_st10_confirmation",
    "gema_sop.mail_activity_type_st10_evidence",
    "gema_sop.mail_activity_type_st10_followup",
]
# The messages that explain the status and the (new) estimate (ST-10.4).
EXPLAINING_TEMPLATES = (
    "gema_sop.mail_template_service_job_initial",
    "gema_sop.mail_template_service_job_update",
    "gema_sop.mail_template_service_job_delay",
    "gema_sop.mail_template_service_job_ready",
)
ALTERNATIVES = [
    ("vehicle_delivery", "Vehicle delivered to the customer"),
    ("discount", "Special discount"),
    ("courtesy_car", "Courtesy car"),
    ("other", "Other"),
]


class GemaServiceJob(models.Model):
    """A vehicle in the workshop, and what its customer is told (ST).

    Opened at vehicle reception (from a booking, or as a walk-in), the job
    goes through inspection, the customer's approval of extra work, work,
    quality check, pickup and delivery (``TRANSITIONS``, read by the
    buttons and the form through ``gema.state.mixin``, refuses any other
    move). Its technicians are held through ``gema.technician.slot`` for the
    planned time, so that no technician is ever on two jobs or a job and a
    booking at once (BK-4). The time standards of the SOP (contact within 2
    hours of each status change, periodic updates of long jobs, the delay
    notice) are ``gema.sla.policy`` data watching this model; the messages
    are ``mail.template`` records sent through ``gema.message.mixin``.
    """

    _name = "gema.service.job"
    _description = "Service Job"
    _inherit = [
        "gema.service.job.delay",
        "gema.service.job.work",
        "gema.sla.mixin",
        "gema.message.mixin",
        "gema.checklist.mixin",
        "gema.state.mixin",
        "gema.field.guard.mixin",
        "gema.customer.mixin",
        "portal.mixin",
    ]
    _gema_checklist_plan = "gema_sop.mail_activity_plan_service_job"
    # ST-10: the items come with the inspection, the approval request and,
    # for a job over more than a day, the work; hand-over ends them.
    _gema_checklist_steps = {
        "inspection": ("inspection",),
        "waiting_approval": ("inspection", "approval"),
        "in_progress": ("inspection", "long_job"),
        "quality_check": ("inspection", "long_job"),
        "ready": ("inspection",),
    }
    _gema_checklist_end_states = ("delivered", "cancelled")
    _gema_transitions = TRANSITIONS
    _gema_can_depends = ("paused",)
    # Technicians report their steps; the customer, estimates and plan are
    # the desk's.
    _gema_desk_groups = ("gema_sop.group_service_advisor", "gema_sop.group_cs_officer")
    _gema_writable_fields = {"gema_sop.group_technician": TECHNICIAN_FIELDS}
    # ST-1, ST-5: told when the message left, not when the button was pressed.
    _gema_sent_date_fields = {
        "gema_sop.mail_template_service_job_initial": "initial_notice_date",
        "gema_sop.mail_template_service_job_delay": "delay_notice_date",
    }
    _order = "id desc"
    _check_company_auto = True

    name = fields.Char(
        string="Job Number", readonly=True, copy=False, default="/", index="trigram"
    )
    state = fields.Selection(
        STATES,
        default="reception",
        required=True,
        tracking=True,
        copy=False,
        index=True,
        readonly=True,
        # The kanban shows every state, empty ones too, in the flow's order.
        group_expand=True,
    )
    # The steps the state allows (``TRANSITIONS``), for the buttons.
    can_inspect = fields.Boolean(compute="_compute_gema_can")
    can_request_approval = fields.Boolean(compute="_compute_gema_can")
    can_start = fields.Boolean(compute="_compute_gema_can")
    can_finish = fields.Boolean(compute="_compute_gema_can")
    can_qc_fail = fields.Boolean(string="Can Fail QC", compute="_compute_gema_can")
    can_ready = fields.Boolean(compute="_compute_gema_can")
    can_deliver = fields.Boolean(compute="_compute_gema_can")
    can_cancel = fields.Boolean(compute="_compute_gema_can")
    company_id = fields.Many2one(
        "res.company",
        string="Branch",
        required=True,
        index=True,
        default=lambda self: self.env.company,
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    partner_id = fields.Many2one(
        "res.partner",
        string="Customer",
        required=True,
        index=True,
        tracking=True,
        check_company=True,
        compute="_compute_partner_id",
        store=True,
        readonly=False,
        precompute=True,
        help="The vehicle's owner by default.",
    )
    partner_phone = fields.Char(
        string="Customer Phone",
        compute="_compute_partner_contact",
        groups="gema_sop.group_service_advisor,gema_sop.group_cs_officer",
    )
    partner_email = fields.Char(
        string="Customer Email",
        compute="_compute_partner_contact",
        groups="gema_sop.group_service_advisor,gema_sop.group_cs_officer",
    )
    # A walk-in whose vehicle has no owner yet is recorded by name and
    # WhatsApp number; the customer is found or created from them.
    customer_name = fields.Char(string="Walk-in Customer's Name")
    customer_phone = fields.Char(
        string="Walk-in Customer's WhatsApp Number",
        groups="gema_sop.group_service_advisor,gema_sop.group_cs_officer",
    )
    customer_link = fields.Selection(
        groups="gema_sop.group_service_advisor,gema_sop.group_cs_officer"
    )
    gema_number_customer = fields.Char(
        groups="gema_sop.group_service_advisor,gema_sop.group_cs_officer"
    )
    vehicle_id = fields.Many2one(
        "gema.vehicle", required=True, index=True, tracking=True, check_company=True
    )
    license_plate = fields.Char(related="vehicle_id.license_plate", store=True)
    booking_id = fields.Many2one(
        "gema.booking",
        index="btree_not_null",
        readonly=True,
        copy=False,
        check_company=True,
        ondelete="set null",
        help="The online booking this job was opened from when the customer "
        "arrived (BK-8); empty for walk-ins.",
    )
    user_id = fields.Many2one(
        "res.users",
        string="Service Advisor",
        index=True,
        tracking=True,
        default=lambda self: self.env.user,
        domain=lambda self: [
            ("groups_id", "in", self.env.ref("gema_sop.group_service_advisor").id)
        ],
    )
    technician_ids = fields.Many2many(
        "hr.employee",
        "gema_service_job_technician_rel",
        "job_id",
        "employee_id",
        string="Technicians",
        tracking=True,
        check_company=True,
    )
    planned_start = fields.Datetime(tracking=True)
    planned_stop = fields.Datetime(
        string="Planned End",
        tracking=True,
        help="When the work is planned to be finished; the technicians are "
        "held until then.",
    )
    slot_ids = fields.One2many(
        "gema.technician.slot",
        compute="_compute_slot_ids",
        string="Technician Slots",
    )
    complaint = fields.Text(help="The customer's complaint, in their words.")
    diagnosis = fields.Text(
        help="The initial diagnosis in plain words, without unexplained "
        "technical terms (ST-8): it is sent to the customer."
    )
    estimated_duration = fields.Float(help="Hours of work expected.")
    estimated_cost = fields.Monetary(currency_field="currency_id", tracking=True)
    extra_cost = fields.Monetary(
        string="Approved Extra Work",
        currency_field="currency_id",
        compute="_compute_costs",
        store=True,
    )
    total_cost = fields.Monetary(
        string="Total Estimated Cost",
        currency_field="currency_id",
        compute="_compute_costs",
        store=True,
    )
    promised_date = fields.Datetime(
        string="Promised Completion",
        tracking=True,
        copy=False,
        help="The completion time told to the customer. It can only be set "
        "once a technician of the job confirmed the planned end (ST-8), and "
        "moved later only with a delay notice (ST-5).",
    )
    technician_confirmed_date = fields.Datetime(
        string="Completion Confirmed by Technician",
        copy=False,
        readonly=True,
        tracking=True,
        help="The planned end a technician of the job confirmed as feasible. "
        "Changing the planned end clears it.",
    )
    technician_confirmed_by = fields.Many2one(
        "hr.employee", string="Confirmed By", copy=False, readonly=True
    )
    plan_confirmed = fields.Boolean(
        string="Planned End Confirmed",
        compute="_compute_plan_confirmed",
        help="A technician of the job confirmed the current planned end.",
    )
    line_ids = fields.One2many("gema.service.job.line", "job_id", string="Extra Work")
    pending_approval_count = fields.Integer(compute="_compute_costs", store=True)
    extra_work_count = fields.Integer(
        string="Approved Extra Work Items",
        compute="_compute_extra_work_progress",
        help="Extra work the customer approved: the technician does it.",
    )
    extra_work_done_count = fields.Integer(
        string="Approved Extra Work Done", compute="_compute_extra_work_progress"
    )
    photo_ids = fields.Many2many(
        "ir.attachment",
        "gema_service_job_photo_rel",
        "job_id",
        "attachment_id",
        string="Vehicle Photos",
        copy=False,
        help="Shown to the customer on the status page and with the "
        "completion notice (ST-4).",
    )
    last_update_date = fields.Datetime(
        string="Last Customer Update",
        readonly=True,
        copy=False,
        help="When a message was last sent to the customer about this job.",
    )
    initial_notice_date = fields.Datetime(
        string="Initial Notice Sent", readonly=True, copy=False
    )
    long_job = fields.Boolean(
        compute="_compute_update_standard",
        store=True,
        help="Expected to take more than 3 hours or to stay overnight: the "
        "customer gets periodic updates (ST-3).",
    )
    overnight = fields.Boolean(
        compute="_compute_update_standard",
        store=True,
        help="Planned to end on a later day than it starts: daily updates.",
    )
    paused = fields.Boolean(readonly=True, copy=False)
    pause_reason = fields.Char(readonly=True, copy=False)
    started_date = fields.Datetime(string="Work Started", readonly=True, copy=False)
    finished_date = fields.Datetime(string="Work Finished", readonly=True, copy=False)
    qc_passed_date = fields.Datetime(
        string="Quality Check Passed", readonly=True, copy=False
    )
    qc_passed_by_id = fields.Many2one(
        "res.users", string="Checked By", readonly=True, copy=False
    )
    pickup_date = fields.Datetime(
        string="Pickup Time",
        copy=False,
        help="When the customer can collect the vehicle (completion notice).",
    )
    delay_required = fields.Boolean(
        string="Delay Notice Due",
        readonly=True,
        copy=False,
        help="The planned end passed the promised completion: the customer "
        "must get a delay notice at once (ST-5).",
    )
    delay_reason = fields.Text(readonly=True, copy=False)
    delay_apology = fields.Text(readonly=True, copy=False)
    delay_alternative = fields.Selection(
        ALTERNATIVES, string="Alternative Offered", readonly=True, copy=False
    )
    delay_alternative_note = fields.Char(readonly=True, copy=False)
    delay_notice_date = fields.Datetime(
        string="Delay Notice Sent", readonly=True, copy=False
    )
    delay_count = fields.Integer(string="Delays", readonly=True, copy=False)
    state_date = fields.Datetime(
        string="In This State Since", readonly=True, copy=False, index=True
    )
    state_log_ids = fields.One2many(
        "gema.service.job.state.log", "job_id", string="State History", readonly=True
    )
    gema_tz = fields.Char(
        string="Branch Time Zone",
        compute="_compute_gema_tz",
        help="Times in customer messages are shown in it.",
    )
    gema_state_label = fields.Char(string="Status", compute="_compute_gema_labels")
    followup_ids = fields.One2many(
        "gema.followup",
        "service_job_id",
        string="Follow-ups",
        groups="gema_sop.group_service_advisor,gema_sop.group_cs_officer",
    )
    followup_count = fields.Integer(
        string="Follow-up Count",
        compute="_compute_followup_count",
        groups="gema_sop.group_service_advisor,gema_sop.group_cs_officer",
    )
    delay_alternative_label = fields.Char(
        string="Alternative", compute="_compute_gema_labels"
    )

    _sql_constraints = [
        (
            "planned_stop_after_start",
            "CHECK (planned_stop IS NULL OR planned_start IS NULL "
            "OR planned_stop > planned_start)",
            "The planned end must be after the planned start.",
        ),
    ]

    # Computes ----------------------------------------------------------------

    @api.depends("vehicle_id")
    def _compute_partner_id(self):
        for job in self.filtered(lambda j: not j.partner_id):
            job.partner_id = job.vehicle_id.partner_id

    @api.depends("partner_id.mobile", "partner_id.phone", "partner_id.email")
    def _compute_partner_contact(self):
        for job in self:
            job.partner_phone = job.partner_id.mobile or job.partner_id.phone
            job.partner_email = job.partner_id.email

    @api.depends("company_id")
    def _compute_gema_tz(self):
        for job in self:
            job.gema_tz = job.company_id._gema_tz()

    @api.depends("state", "delay_alternative")
    @api.depends_context("lang")
    def _compute_gema_labels(self):
        """Selections in the reader's language, for the customer messages."""
        states = dict(self._fields["state"]._description_selection(self.env))
        alternatives = dict(
            self._fields["delay_alternative"]._description_selection(self.env)
        )
        for job in self:
            job.gema_state_label = states.get(job.state, "")
            job.delay_alternative_label = alternatives.get(job.delay_alternative, "")

    @api.depends("followup_ids")
    def _compute_followup_count(self):
        for job in self:
            job.followup_count = len(job.followup_ids)

    @api.depends("technician_confirmed_date", "planned_stop")
    def _compute_plan_confirmed(self):
        for job in self:
            job.plan_confirmed = bool(
                job.planned_stop and job.technician_confirmed_date == job.planned_stop
            )

    def _compute_slot_ids(self):
        slots = self.env["gema.technician.slot"].search(
            [("res_model", "=", self._name), ("res_id", "in", self.ids)]
        )
        for job in self:
            job.slot_ids = slots.filtered(lambda s, job=job: s.res_id == job.id)

    @api.depends("estimated_cost", "line_ids.price", "line_ids.approval_state")
    def _compute_costs(self):
        for job in self:
            approved = job.line_ids.filtered(
                lambda line: line.approval_state == "approved"
            )
            job.extra_cost = sum(approved.mapped("price"))
            job.total_cost = job.estimated_cost + job.extra_cost
            job.pending_approval_count = len(
                job.line_ids.filtered(lambda line: line.approval_state == "proposed")
            )

    @api.depends("line_ids.approval_state", "line_ids.work_state")
    def _compute_extra_work_progress(self):
        """How much of the approved extra work is done, for the technician's
        card (*Finished* waits for all of it)."""
        for job in self:
            approved = job.line_ids.filtered(
                lambda line: line.approval_state == "approved"
            )
            job.extra_work_count = len(approved)
            job.extra_work_done_count = len(
                approved.filtered(lambda line: line.work_state == "done")
            )

    @api.depends("estimated_duration", "planned_start", "planned_stop", "company_id")
    def _compute_update_standard(self):
        for job in self:
            overnight = False
            if job.planned_start and job.planned_stop:
                tz = pytz.timezone(job.gema_tz)
                start, stop = (
                    pytz.utc.localize(moment).astimezone(tz).date()
                    for moment in (job.planned_start, job.planned_stop)
                )
                overnight = stop > start
            job.overnight = overnight
            job.long_job = overnight or job.estimated_duration > LONG_JOB_HOURS

    def _compute_access_url(self):
        for job in self:
            job.access_url = f"/my/jobs/{job.id}"

    # Constraints -------------------------------------------------------------

    @api.constrains("promised_date")
    def _check_promise_confirmed(self):
        """ST-8: never promise a completion time the technician did not confirm.

        Checked when a promise is made; a technician confirming a later plan
        afterwards makes the promise late, which is the delay notice's case
        (ST-5), not an invalid promise."""
        wrong = self.filtered(
            lambda j: j.promised_date
            and (
                not j.technician_confirmed_date
                or j.promised_date < j.technician_confirmed_date
            )
        )
        if wrong:
            raise ValidationError(
                self.env._(
                    "A completion time can only be promised once a technician of "
                    "the job confirmed it, and not earlier than the time they "
                    "confirmed: %(jobs)s",
                    jobs=", ".join(wrong.mapped("name")),
                )
            )

    # CRUD ----------------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        assign_numbers(self, vals_list)
        for vals in vals_list:
            vals.setdefault("state_date", fields.Datetime.now())
        jobs = super().create(vals_list)
        for job in jobs.filtered(lambda j: not j.vehicle_id.partner_id):
            # A walk-in's new vehicle belongs to the customer just recorded.
            job.vehicle_id.partner_id = job.partner_id
        jobs._log_states()
        jobs._sync_slots()
        jobs._launch_checklist()
        return jobs

    def unlink(self):
        """A deleted job takes its slots (hold and history) with it: they
        only mean something with their job, and would keep its technicians
        from being deleted."""
        slots = self.env["gema.technician.slot"]._of_records(self)
        result = super().unlink()
        slots.unlink()
        return result

    def write(self, vals):
        self._check_write(vals)
        unconfirm = self.browse()
        if "planned_stop" in vals and "technician_confirmed_date" not in vals:
            # A new planned end is not what the technician confirmed. Once a
            # completion was promised, the confirmation stays as the basis of
            # that promise; a later plan is handled by the delay notice.
            unconfirm = self.filtered(
                lambda job: not job.promised_date and job.technician_confirmed_date
            )
        old_states = {}
        if "state" in vals:
            old_states = {job.id: job.state for job in self}
            vals = dict(vals, state_date=fields.Datetime.now(), paused=False)
        result = super().write(vals)
        if unconfirm:
            unconfirm.write(
                {"technician_confirmed_date": False, "technician_confirmed_by": False}
            )
        changed = [
            job for job in self if old_states.get(job.id, job.state) != job.state
        ]
        if changed:
            self.browse([job.id for job in changed])._log_states()
        if {"technician_ids", "planned_start", "planned_stop", "state"} & set(vals):
            self._sync_slots()
        if {"planned_stop", "promised_date"} & set(vals):
            self._flag_delays()
        return result

    def _check_write(self, vals):
        """A promised completion moves later only with a delay notice
        (ST-5): the delay notice's own write (``_record_delay``)."""
        if vals.get("promised_date") and not is_internal_write(self):
            new = fields.Datetime.to_datetime(vals["promised_date"])
            later = self.filtered(lambda j: j.promised_date and new > j.promised_date)
            if later:
                raise UserError(
                    self.env._(
                        "The promised completion of %(jobs)s can only be moved "
                        "later with a delay notice to the customer (reason, new "
                        "estimate, apology and an alternative).",
                        jobs=", ".join(later.mapped("name")),
                    )
                )

    def _fields_refused(self, names):
        return self.env._(
            "Technicians report their steps on the job; the customer, "
            "estimates and plan are changed by the service advisor."
        )

    # Actions -------------------------------------------------------------------

    def action_inspect(self):
        """The vehicle was received; inspection starts."""
        self._check_action("inspect")
        self._move("inspection")
        return True

    def action_send_initial_notice(self):
        """ST-1: tell the customer the diagnosis, duration and cost estimate."""
        self.ensure_one()
        problems = []
        if self.state in ("reception", *CLOSED_JOB_STATES):
            problems.append(self.env._("inspect the vehicle first"))
        if not (self.diagnosis or "").strip():
            problems.append(self.env._("write the diagnosis in plain words"))
        if self.estimated_duration <= 0:
            problems.append(self.env._("enter the estimated duration"))
        if self.estimated_cost <= 0:
            problems.append(self.env._("enter the estimated cost"))
        if problems:
            raise UserError(
                self.env._(
                    "The initial notice of %(job)s cannot be sent yet: %(problems)s.",
                    job=self.name,
                    problems="; ".join(problems),
                )
            )
        return self._notify("gema_sop.mail_template_service_job_initial")

    def action_send_status_update(self):
        """Tell the customer the current state and estimate (ST-3, ST-6, ST-7)."""
        self.ensure_one()
        return self._notify("gema_sop.mail_template_service_job_update")

    def action_gema_send_status_updates(self):
        """ST-3 (server action): the status update to each selected job's
        customer; delivered and cancelled jobs are refused. For one job
        sent by click-to-chat, returns the WhatsApp link to open."""
        closed = self.filtered(lambda j: j.state in ("delivered", "cancelled"))
        if closed:
            raise UserError(
                self.env._(
                    "No status update is sent for delivered or cancelled "
                    "jobs: %(jobs)s",
                    jobs=", ".join(closed.mapped("name")),
                )
            )
        actions = [job.action_send_status_update() for job in self]
        return actions[0] if len(actions) == 1 else True

    def action_gema_plan_followup(self):
        """FU-1 (server action): the follow-up call of each selected
        delivered job that has none yet; other jobs are refused."""
        self.check_access("write")
        undelivered = self.filtered(lambda j: j.state != "delivered")
        if undelivered:
            raise UserError(
                self.env._(
                    "A follow-up is planned for delivered jobs only: %(jobs)s",
                    jobs=", ".join(undelivered.mapped("name")),
                )
            )
        # sudo: as at hand-over, the system makes the follow-up (checked above).
        self.env["gema.followup"].sudo()._create_for_jobs(self)
        return True

    def action_request_approval(self):
        """ST-2: send the customer the link to approve or refuse the
        proposed extra work; the link is valid 48 hours."""
        self.ensure_one()
        proposed = self.line_ids.filtered(
            lambda line: line.approval_state == "proposed"
        )
        if not proposed:
            raise UserError(
                self.env._("Add the proposed extra work before asking for approval.")
            )
        self._check_action("request_approval")
        if self.state != "waiting_approval":
            self._move("waiting_approval")
        proposed.approval_expires = proposed._approval_expiry()
        return self._notify("gema_sop.mail_template_service_job_approval")

    def action_ready(self):
        """ST-4: after the final QC, tell the customer the vehicle is ready,
        when to collect it and the total estimated cost, with photos."""
        self.ensure_one()
        if not self.can_ready or not self.qc_passed_date:
            raise UserError(
                self.env._(
                    "%(job)s has not passed the final quality check; it cannot "
                    "be ready for pickup.",
                    job=self.name,
                )
            )
        if not self.pickup_date:
            raise UserError(
                self.env._("Enter when the customer can collect the vehicle.")
            )
        self._move("ready")
        return self._notify("gema_sop.mail_template_service_job_ready")

    def action_deliver(self):
        """The customer collected the vehicle; its follow-up call is due
        (FU-1, sudo: made by the system for whoever hands the vehicle over)."""
        self._check_action("deliver")
        self._move("delivered")
        self.env["gema.followup"].sudo()._create_for_jobs(self)
        return True

    def action_open_followups(self):
        self.ensure_one()
        return self.followup_ids._get_records_action(name=self.env._("Follow-ups"))

    def action_cancel(self):
        self._check_action("cancel")
        self._move("cancelled")
        return True

    def action_open_slots(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Technician Slots"),
            "res_model": "gema.technician.slot",
            "view_mode": "list,form",
            "domain": [("res_model", "=", self._name), ("res_id", "=", self.id)],
            "context": {"active_test": False},
        }

    # Business methods ----------------------------------------------------------

    def _allowed(self, step):
        """Work in progress is started again only when paused (resumed)."""
        allowed = super()._allowed(step)
        if step == "start":
            allowed = allowed.filtered(lambda j: j.state != "in_progress" or j.paused)
        return allowed

    def _transition_refused(self, state):
        return self.env._(
            "%(jobs)s cannot go from %(current)s to %(target)s.",
            jobs=", ".join(self.mapped("name")),
            current=self._states_text(),
            target=self._state_label(state),
        )

    def _notify(self, template_xmlid):
        """The job's messages carry its status page link: its token is made
        first, by the user who sends (not while rendering the template)."""
        self._portal_ensure_token()
        return super()._notify(template_xmlid)

    def _log_states(self):
        """Close the previous state's log line and open the new one
        (sudo: the history is written by the system for every role)."""
        now = fields.Datetime.now()
        Log = self.env["gema.service.job.state.log"].sudo()
        Log.search([("job_id", "in", self.ids), ("date_end", "=", False)])._close(now)
        Log.create(
            [{"job_id": job.id, "state": job.state, "date_start": now} for job in self]
        )

    def _sync_slots(self):
        """Hold each technician for the planned time; move the held slots
        when the plan changes, release them when a technician leaves the
        job, the plan is cleared, or the job is delivered or cancelled
        (``gema.planner._hold``)."""
        slots = self.env["gema.technician.slot"].search(
            [("res_model", "=", self._name), ("res_id", "in", self.ids)]
        )
        planner = self.env["gema.planner"]
        for job in self:
            keep = (
                job.state not in CLOSED_JOB_STATES
                and job.planned_start
                and job.planned_stop
            )
            planner._hold(
                job,
                slots.filtered(lambda s, job=job: s.res_id == job.id),
                job.technician_ids if keep else self.env["hr.employee"],
                job.planned_start,
                job.planned_stop,
            )
        self.invalidate_recordset(["slot_ids"])

    def _log_decision(self, lines):
        """Chatter trace of customer decisions on extra work (ST-2, ST-8);
        once no extra work waits for a decision, the checklist's approval
        items (ST-10.5, ST-10.6) are ticked with it."""
        self.ensure_one()
        body = Markup("<p>%s</p><ul>%s</ul>") % (
            self.env._("Customer decision on extra work:"),
            Markup().join(line._decision_summary() for line in lines),
        )
        self.sudo().message_post(
            body=body,
            attachment_ids=lines.evidence_ids.ids,
            subtype_xmlid="mail.mt_note",
        )
        if not self.line_ids.filtered(lambda line: line.approval_state == "proposed"):
            self._checklist_done(
                CHECKLIST[4:6],
                self.env._(
                    "Done by the system: the customer's decision on every extra "
                    "work item is recorded in the chatter, with how it was given "
                    "and its evidence."
                ),
            )

    # Checklist (ST-10) ---------------------------------------------------------

    def _checklist_applies(self, template):
        """The approval items only with extra work; the follow-up of a job
        over more than a day only for such a job."""
        if template.gema_step == "approval":
            return bool(self.line_ids)
        if template.gema_step == "long_job":
            return self.overnight
        return super()._checklist_applies(template)

    def _checklist_step_dates(self, steps):
        """ST-10.8: the follow-up of a job over more than a day is due on
        the branch's next working day (the job's second day)."""
        dates = super()._checklist_step_dates(steps)
        if "long_job" in steps:
            for job in self:
                calendar = job.company_id._gema_operating_calendar()
                today = datetime.now(pytz.timezone(job.gema_tz)).date()
                dates[job.id, "long_job"] = calendar._gema_shift_day(today, 1)
        return dates

    def _launch_checklist(self):
        """Past the inspection, whether extra work was identified is known
        (ST-10.2): proposed to the customer, or work started without it."""
        result = super()._launch_checklist()
        past = self.filtered(
            lambda j: j.state
            in ("waiting_approval", "in_progress", "quality_check", "ready")
        )
        past._checklist_done(
            CHECKLIST[1:2],
            lambda job: self.env._(
                "Done by the system: %(count)s extra work item(s) identified.",
                count=len(job.line_ids),
            )
            if job.line_ids
            else self.env._(
                "Done by the system: no extra work identified, the work went on "
                "without it."
            ),
        )
        return result

    def _on_message_sent(self, message):
        """ST-10: a message that left means the customer was contacted and
        the evidence saved (message log and chatter, with its channel); the
        notice, update, delay and ready messages explain the status and
        estimate; one on a later day than the reception is the follow-up of
        a job over more than a day."""
        result = super()._on_message_sent(message)
        items = [CHECKLIST[2], CHECKLIST[6]]
        if message.template_id in self.env["mail.template"].browse(
            [self.env.ref(xmlid).id for xmlid in EXPLAINING_TEMPLATES]
        ):
            items.append(CHECKLIST[3])
        tz = pytz.timezone(self.gema_tz)
        sent = message.sent_date or fields.Datetime.now()
        if (
            pytz.utc.localize(sent).astimezone(tz).date()
            > pytz.utc.localize(self.create_date).astimezone(tz).date()
        ):
            items.append(CHECKLIST[7])
        self._checklist_done(items, self._checklist_message_note(message))
        return result

    def _message_post_after_hook(self, message, msg_vals):
        """A message to the customer is the job's last update."""
        result = super()._message_post_after_hook(message, msg_vals)
        if message.subtype_id == self.env.ref("gema_sop.mt_customer_message"):
            self.sudo().write({"last_update_date": fields.Datetime.now()})
        return result
