from datetime import datetime, time, timedelta

import pytz
from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from ..tools import assign_numbers, normalize_whatsapp

STATES = [
    ("to_call", "To Call"),
    ("no_answer", "No Answer"),
    ("contacted", "Contacted"),
    ("testimonial", "Testimonial Requested"),
    ("closed", "Closed"),
]
OPEN_STATES = ("to_call", "no_answer")
# From a state, the steps of a follow-up (buttons ``action_<step>``) and the
# state each leads to. The customer is called until reached (FU-2, FU-6); a
# follow-up is closed once reached, or unreachable after ``MAX_ATTEMPTS``
# calls (a button's own check).
TRANSITIONS = {
    "to_call": {"no_answer": "no_answer", "contacted": "contacted"},
    "no_answer": {
        "no_answer": "no_answer",
        "contacted": "contacted",
        "close": "closed",
    },
    "contacted": {"request_testimonial": "testimonial", "close": "closed"},
    "testimonial": {"close": "closed"},
    "closed": {},
}
OUTCOMES = [
    ("satisfied", "Satisfied"),
    ("feedback", "Feedback or Suggestion"),
    ("complaint", "Complaint"),
]
# FU-8: the checklist items, in the order of the SOP's section 9.
CHECKLIST = [
    "gema_sop.mail_activity_type_fu8_data_checked",
    "gema_sop.mail_activity_type_fu8_contacted",
    "gema_sop.mail_activity_type_fu8_condition",
    "gema_sop.mail_activity_type_fu8_feedback",
    "gema_sop.mail_activity_type_fu8_testimonial",
    "gema_sop.mail_activity_type_fu8_review_link",
]
# FU-6: after this many calls without an answer the follow-up may be closed
# as unreachable.
MAX_ATTEMPTS = 3
# FU-1: the daily list covers the vehicles delivered up to this many days ago.
LIST_DAYS = 3


class GemaFollowup(models.Model):
    """The post-service call to a customer, and their testimonial (FU).

    One per delivered service job, made when the vehicle is handed over
    (and by a daily scheduled action for any job that missed it), so the
    daily call list of FU-1 is complete. The service advisor checks the
    customer's number, calls or writes (FU-2), records the vehicle's
    condition and the outcome; a complaint goes to the branch's CS
    supervisor with its own time standard. Customers who do not answer stay
    on the list with their next attempt planned (FU-6). Only a satisfied
    customer is asked for a testimonial, with the branch's review link and
    no reward (FU-3, FU-5); where the branch asks every reached customer
    for a public review (Google forbids review gating), any customer
    without an open complaint gets the link in a neutral message, once.
    Every testimonial gets a professional reply
    before the follow-up is closed. The H+2 standard (FU-4) counts from the
    service completion date (``service_date``).
    """

    _name = "gema.followup"
    _description = "Service Follow-up"
    _inherit = [
        "gema.sla.mixin",
        "gema.message.mixin",
        "gema.checklist.mixin",
        "gema.state.mixin",
    ]
    _gema_checklist_plan = "gema_sop.mail_activity_plan_followup"
    # FU-8: checking the data and reaching the customer are due on the call
    # day; what the call records (condition, feedback, which *Contacted*
    # requires and ticks at once) and the testimonial and review link come
    # once the customer is reached; closing ends them.
    _gema_checklist_steps = {
        "to_call": ("call",),
        "no_answer": ("call",),
        "contacted": ("call", "contacted"),
        "testimonial": ("call", "contacted"),
    }
    _gema_checklist_end_states = ("closed",)
    _gema_transitions = TRANSITIONS
    # FU-4: the written follow-up counts as the attempt once it left.
    _gema_sent_date_fields = {
        "gema_sop.mail_template_followup_message": "first_attempt_date",
    }
    _order = "service_date desc, id desc"
    _check_company_auto = True

    name = fields.Char(
        string="Reference", readonly=True, copy=False, default="/", index="trigram"
    )
    state = fields.Selection(
        STATES,
        default="to_call",
        required=True,
        tracking=True,
        copy=False,
        index=True,
        readonly=True,
    )
    # The steps the state allows (``TRANSITIONS``), for the buttons.
    can_no_answer = fields.Boolean(compute="_compute_gema_can")
    can_contacted = fields.Boolean(compute="_compute_gema_can")
    can_request_testimonial = fields.Boolean(compute="_compute_gema_can")
    can_close = fields.Boolean(compute="_compute_gema_can")
    service_job_id = fields.Many2one(
        "gema.service.job",
        required=True,
        readonly=True,
        index=True,
        ondelete="restrict",
        check_company=True,
        help="A delivered job keeps its follow-up: it cannot be deleted while "
        "the follow-up exists.",
    )
    company_id = fields.Many2one(
        related="service_job_id.company_id", string="Branch", store=True, index=True
    )
    partner_id = fields.Many2one(
        related="service_job_id.partner_id", string="Customer", store=True, index=True
    )
    vehicle_id = fields.Many2one(related="service_job_id.vehicle_id", store=True)
    license_plate = fields.Char(related="service_job_id.license_plate", store=True)
    user_id = fields.Many2one(
        "res.users",
        string="Service Advisor",
        index=True,
        tracking=True,
        domain=lambda self: [
            ("groups_id", "in", self.env.ref("gema_sop.group_service_advisor").id)
        ],
        help="Who calls the customer; the job's service advisor by default.",
    )
    service_date = fields.Datetime(
        string="Service Completed",
        required=True,
        readonly=True,
        index=True,
        help="When the vehicle was handed back to the customer; the follow-up "
        "is due at the latest on the second working day after it (H+2).",
    )
    customer_phone = fields.Char(
        string="Customer Number",
        compute="_compute_customer_phone",
        store=True,
        help="The customer's mobile (else phone) number in international form.",
    )
    phone_status = fields.Selection(
        [("valid", "Valid"), ("invalid", "Not Valid"), ("missing", "Missing")],
        string="Number Check",
        compute="_compute_customer_phone",
        store=True,
        index=True,
        help="FU-1: the customer can only be contacted on a valid mobile "
        "number (the review link goes by WhatsApp); a landline is not valid. "
        "Correct it on the customer.",
    )
    contact_channel = fields.Selection(
        [("phone", "Phone Call"), ("whatsapp", "WhatsApp")],
        string="Contacted By",
        default="phone",
    )
    attempt_count = fields.Integer(
        string="Unanswered Attempts", readonly=True, copy=False
    )
    first_attempt_date = fields.Datetime(
        string="First Attempt",
        readonly=True,
        copy=False,
        index="btree_not_null",
        help="When the customer was first called or written to (FU-4).",
    )
    last_attempt_date = fields.Datetime(
        string="Last Attempt", readonly=True, copy=False
    )
    next_attempt_date = fields.Date(
        string="Next Attempt",
        readonly=True,
        copy=False,
        index="btree_not_null",
        help="FU-6: the working day the customer is called again.",
    )
    contact_date = fields.Datetime(string="Reached On", readonly=True, copy=False)
    contacted_by_id = fields.Many2one(
        "res.users", string="Reached By", readonly=True, copy=False
    )
    condition_note = fields.Text(
        string="Vehicle Condition After Service",
        help="What the customer says about the vehicle since the service (FU-2).",
    )
    outcome = fields.Selection(OUTCOMES, index=True, tracking=True, copy=False)
    feedback = fields.Text(
        string="Feedback or Complaint",
        help="The customer's feedback or complaint, in their words.",
    )
    complaint_date = fields.Datetime(
        string="Complaint Escalated", readonly=True, copy=False
    )
    complaint_user_id = fields.Many2one(
        "res.users", string="Escalated To", readonly=True, copy=False
    )
    complaint_resolution = fields.Text(
        help="How the complaint was handled, as told to the customer."
    )
    complaint_handled_date = fields.Datetime(
        string="Complaint Handled", readonly=True, copy=False
    )
    complaint_open = fields.Boolean(
        string="Open Complaint", compute="_compute_complaint_open", store=True
    )
    testimonial_requested_date = fields.Datetime(
        string="Testimonial Requested", readonly=True, copy=False
    )
    testimonial_requested_by_id = fields.Many2one(
        "res.users", string="Requested By", readonly=True, copy=False
    )
    social_permission = fields.Selection(
        [("granted", "Granted"), ("refused", "Refused")],
        string="Social Media Permission",
        readonly=True,
        copy=False,
        help="FU-3: whether the customer allows their testimonial to be "
        "posted on social media (never with personal data).",
    )
    social_permission_date = fields.Datetime(
        string="Permission Recorded", readonly=True, copy=False
    )
    social_permission_by_id = fields.Many2one(
        "res.users", string="Permission Recorded By", readonly=True, copy=False
    )
    testimonial_date = fields.Date(
        string="Testimonial Received",
        copy=False,
        help="When the customer's testimonial (review) was published or received.",
    )
    testimonial_sentiment = fields.Selection(
        [("positive", "Positive"), ("neutral", "Neutral"), ("negative", "Negative")],
        string="Testimonial Tone",
        copy=False,
    )
    testimonial_text = fields.Text(string="Testimonial", copy=False)
    testimonial_url = fields.Char(string="Testimonial Link", copy=False)
    testimonial_reply = fields.Text(
        string="Our Reply",
        copy=False,
        help="FU-5: every testimonial, positive or negative, gets a polite, "
        "professional reply.",
    )
    testimonial_reply_date = fields.Datetime(
        string="Replied On", readonly=True, copy=False
    )
    testimonial_reply_by_id = fields.Many2one(
        "res.users", string="Replied By", readonly=True, copy=False
    )
    gema_tz = fields.Char(string="Branch Time Zone", compute="_compute_gema_tz")
    review_url = fields.Char(
        string="Review Link", related="company_id.gema_google_review_url"
    )
    review_request_allowed = fields.Boolean(
        string="Can Request Review", compute="_compute_review_request_allowed"
    )

    _sql_constraints = [
        (
            "service_job_unique",
            "UNIQUE (service_job_id)",
            "A service job has only one follow-up.",
        ),
    ]

    # Computes ----------------------------------------------------------------

    @api.depends("partner_id.mobile", "partner_id.phone")
    def _compute_customer_phone(self):
        """FU-1: the customer's mobile number (of the mobile, else the phone
        field); a landline or a wrong number is "not valid"."""
        for followup in self:
            numbers = [
                number
                for number in (followup.partner_id.mobile, followup.partner_id.phone)
                if number
            ]
            followup.customer_phone = numbers[0] if numbers else False
            followup.phone_status = "invalid" if numbers else "missing"
            for number in numbers:
                try:
                    followup.customer_phone = normalize_whatsapp(self.env, number)
                except ValidationError:
                    continue
                followup.phone_status = "valid"
                break

    @api.depends("complaint_date", "complaint_handled_date")
    def _compute_complaint_open(self):
        for followup in self:
            followup.complaint_open = bool(
                followup.complaint_date and not followup.complaint_handled_date
            )

    @api.depends(
        "company_id.gema_review_ask_everyone",
        "company_id.gema_google_review_url",
        "contact_date",
        "complaint_open",
    )
    def _compute_review_request_allowed(self):
        for followup in self:
            followup.review_request_allowed = not followup._review_problem()

    @api.depends("company_id")
    def _compute_gema_tz(self):
        for followup in self:
            followup.gema_tz = followup.company_id._gema_tz()

    # CRUD ----------------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        jobs = self.env["gema.service.job"].browse(
            [vals["service_job_id"] for vals in vals_list if vals.get("service_job_id")]
        )
        by_id = {job.id: job for job in jobs}
        companies = []
        for vals in vals_list:
            job = by_id.get(vals.get("service_job_id"))
            if job:
                vals.setdefault("user_id", job.user_id.id)
                vals.setdefault("service_date", job.state_date)
            if (vals.get("testimonial_reply") or "").strip():
                vals.setdefault("testimonial_reply_date", fields.Datetime.now())
                vals.setdefault("testimonial_reply_by_id", self.env.uid)
            companies.append(job.company_id if job else None)
        assign_numbers(self, vals_list, companies)
        followups = super().create(vals_list)
        followups._launch_checklist()
        followups.filtered(lambda f: f.phone_status == "valid")._checklist_done(
            CHECKLIST[:1],
            lambda followup: self.env._(
                "Checked by the system: the vehicle was finished on %(day)s and "
                "the customer's number is valid.",
                day=fields.Date.to_string(
                    _local_day(followup.service_date, followup.gema_tz)
                ),
            ),
        )
        return followups

    def write(self, vals):
        if "testimonial_reply" in vals:
            # FU-5: who answered the testimonial and when (stops its clock).
            replied = bool((vals["testimonial_reply"] or "").strip())
            vals = {
                "testimonial_reply_date": replied and fields.Datetime.now(),
                "testimonial_reply_by_id": replied and self.env.uid,
                **vals,
            }
        return super().write(vals)

    # Actions -------------------------------------------------------------------

    def action_no_answer(self):
        """FU-6: the customer did not answer; plan the next attempt on the
        next working day. The follow-up stays on the list."""
        self._check_action("no_answer")
        self._check_phone()
        now = fields.Datetime.now()
        call = self.env.ref("mail.mail_activity_data_call")
        for followup in self:
            next_day = followup._next_working_day()
            followup._move(
                "no_answer",
                attempt_count=followup.attempt_count + 1,
                first_attempt_date=followup.first_attempt_date or now,
                last_attempt_date=now,
                next_attempt_date=next_day,
            )
            followup.activity_unlink(["mail.mail_activity_data_call"])
            followup.activity_schedule(
                activity_type_id=call.id,
                date_deadline=next_day,
                user_id=(followup.user_id or self.env.user).id,
                summary=self.env._("Call the customer again (follow-up)"),
            )
            followup.message_post(
                body=self.env._(
                    "No answer (attempt %(count)s); next attempt on %(day)s.",
                    count=followup.attempt_count,
                    day=fields.Date.to_string(next_day),
                ),
                subtype_xmlid="mail.mt_note",
            )
        self._checklist_replan("call")
        return True

    def action_contacted(self):
        """FU-2: the customer was reached and asked about the vehicle; the
        outcome is recorded, and a complaint goes to the CS supervisor."""
        self._check_action("contacted")
        self._check_phone()
        for followup in self:
            missing = []
            if not followup.contact_channel:
                missing.append(self.env._("how the customer was contacted"))
            if not (followup.condition_note or "").strip():
                missing.append(self.env._("the vehicle's condition after the service"))
            if not followup.outcome:
                missing.append(self.env._("the outcome"))
            if (
                followup.outcome in ("complaint", "feedback")
                and not (followup.feedback or "").strip()
            ):
                missing.append(self.env._("the customer's feedback or complaint"))
            if missing:
                raise UserError(
                    self.env._(
                        "Record %(missing)s before marking %(followup)s as contacted.",
                        missing=", ".join(missing),
                        followup=followup.name,
                    )
                )
        now = fields.Datetime.now()
        for followup in self:
            followup._move(
                "contacted",
                contact_date=now,
                contacted_by_id=self.env.uid,
                first_attempt_date=followup.first_attempt_date or now,
                last_attempt_date=now,
                next_attempt_date=False,
            )
        self.activity_unlink(["mail.mail_activity_data_call"])
        self._checklist_done(
            CHECKLIST[:4],
            lambda followup: self.env._(
                "Recorded with the call (%(channel)s): %(outcome)s.",
                channel=dict(
                    followup._fields["contact_channel"]._description_selection(self.env)
                ).get(followup.contact_channel),
                outcome=dict(
                    followup._fields["outcome"]._description_selection(self.env)
                ).get(followup.outcome),
            ),
        )
        self.filtered(lambda f: f.outcome == "complaint")._escalate_complaint()
        return True

    def action_complaint_handled(self):
        """The CS supervisor handled the complaint (FU-2, FU-7)."""
        if not self.env.user.has_group("gema_sop.group_cs_supervisor"):
            raise UserError(
                self.env._("Only a CS supervisor can mark a complaint as handled.")
            )
        for followup in self:
            if not followup.complaint_open:
                raise UserError(
                    self.env._(
                        "%(followup)s has no open complaint.", followup=followup.name
                    )
                )
            if not (followup.complaint_resolution or "").strip():
                raise UserError(
                    self.env._(
                        "Write how the complaint of %(followup)s was handled.",
                        followup=followup.name,
                    )
                )
        self.write({"complaint_handled_date": fields.Datetime.now()})
        self.activity_feedback(
            ["gema_sop.mail_activity_type_followup_complaint"],
            feedback=self.env._("Complaint handled."),
        )
        return True

    def action_send_followup_message(self):
        """FU-2: write to the customer (WhatsApp link by default) to ask how
        the vehicle is; counts as the follow-up attempt of FU-4."""
        self.ensure_one()
        self._check_state(OPEN_STATES)
        self._check_phone()
        return self._notify("gema_sop.mail_template_followup_message")

    def action_request_testimonial(self):
        """FU-3: only after a positive answer, with the branch's review link;
        the request offers no reward (FU-5)."""
        self.ensure_one()
        if not self.can_request_testimonial or self.outcome != "satisfied":
            raise UserError(
                self.env._(
                    "A testimonial is only requested from a satisfied customer, "
                    "after the follow-up call."
                )
            )
        problem = self._review_link_problem()
        if problem:
            raise UserError(problem)
        result = self._notify("gema_sop.mail_template_followup_testimonial")
        self._move(
            "testimonial",
            testimonial_requested_date=fields.Datetime.now(),
            testimonial_requested_by_id=self.env.uid,
        )
        return result

    def action_request_review(self):
        """FU-3/FU-5 without review gating: where the branch asks every
        reached customer, the review link goes in a neutral message to any
        customer without an open complaint, whatever their answer; once per
        follow-up (a second press brings the same message back)."""
        self.ensure_one()
        problem = self._review_problem()
        if problem:
            raise UserError(problem)
        template = self.env.ref("gema_sop.mail_template_followup_review")
        channel = self.env.context.get("gema_channel", "whatsapp_link")
        key = self.env["gema.message"]._once_key(
            self, template, fields.Date.to_date(self.service_date)
        )
        messages = self._send_message(template, channel, once_key=key)
        return self._open_link(messages)

    def action_permission_granted(self):
        """FU-3: the customer allows posting their testimonial on social media."""
        return self._record_permission("granted")

    def action_permission_refused(self):
        """FU-3: the customer does not want it posted on social media."""
        return self._record_permission("refused")

    def action_close(self):
        """Close the follow-up: the customer was reached (or could not be
        after several attempts), no complaint is open, and every testimonial
        has its reply (FU-5)."""
        for followup in self:
            problem = False
            if followup.state == "closed":
                problem = self.env._(
                    "%(followup)s is already closed.", followup=followup.name
                )
            elif (
                followup.state in OPEN_STATES and followup.attempt_count < MAX_ATTEMPTS
            ):
                problem = self.env._(
                    "%(followup)s: reach the customer first; a follow-up is "
                    "closed without an answer only after %(max)s attempts.",
                    followup=followup.name,
                    max=MAX_ATTEMPTS,
                )
            elif followup.complaint_open:
                problem = self.env._(
                    "%(followup)s: the complaint must be handled by the CS "
                    "supervisor first.",
                    followup=followup.name,
                )
            elif followup.testimonial_date and not followup.testimonial_reply_date:
                problem = self.env._(
                    "%(followup)s: reply to the testimonial professionally "
                    "before closing.",
                    followup=followup.name,
                )
            if problem:
                raise UserError(problem)
        self._move("closed", next_attempt_date=False)
        self.activity_unlink(["mail.mail_activity_data_call"])
        return True

    def action_report_impolite(self):
        """FU-7: a supervisor reports a testimonial asked impolitely or with
        pressure, against the employee who asked."""
        self.ensure_one()
        employee = self.env["hr.employee"].search(
            [
                ("user_id", "=", (self.testimonial_requested_by_id or self.user_id).id),
                ("company_id", "=", self.company_id.id),
            ],
            limit=1,
        )
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Report a Violation"),
            "res_model": "gema.violation",
            "view_mode": "form",
            "target": "new",
            "context": {
                "default_sop": "FU",
                "default_violation_type": "fu_impolite_request",
                "default_company_id": self.company_id.id,
                "default_employee_id": employee.id,
                "default_res_model": self._name,
                "default_res_id": self.id,
            },
        }

    def action_open_job(self):
        self.ensure_one()
        return self.service_job_id._get_records_action()

    # Business methods ----------------------------------------------------------

    def _check_phone(self):
        """FU-1: no contact without a valid number."""
        wrong = self.filtered(lambda f: f.phone_status != "valid")
        if wrong:
            raise UserError(
                self.env._(
                    "The customer's number of %(followups)s is missing or not "
                    "valid: correct it on the customer before contacting them.",
                    followups=", ".join(wrong.mapped("name")),
                )
            )

    def _escalate_complaint(self):
        """FU-2: the branch's CS supervisor gets the complaint as an activity;
        setting the date starts the "complaint handled" time standard."""
        people = self._sla_people()
        for followup in self:
            supervisor = (
                people[followup.id]["supervisor"]
                or people[followup.id]["manager"]
                or followup.user_id
                or self.env.user
            )
            followup.write(
                {
                    "complaint_user_id": supervisor.id,
                    "complaint_date": fields.Datetime.now(),
                }
            )
            followup.activity_schedule(
                "gema_sop.mail_activity_type_followup_complaint",
                user_id=supervisor.id,
                note=Markup("<p>%s</p><p>%s</p>")
                % (
                    self.env._(
                        "Complaint of %(customer)s after the service of %(plate)s:",
                        customer=followup.partner_id.name,
                        plate=followup.license_plate,
                    ),
                    followup.feedback,
                ),
            )

    def _review_problem(self):
        """Why this follow-up's customer cannot be asked for a public review
        now (False when they can)."""
        self.ensure_one()
        if not self.company_id.gema_review_ask_everyone:
            return self.env._(
                "The branch %(branch)s asks only satisfied customers for a "
                "review, with the testimonial request.",
                branch=self.company_id.name,
            )
        if not self.contact_date:
            return self.env._(
                "%(followup)s: reach the customer before asking for a review.",
                followup=self.name,
            )
        if self.complaint_open:
            return self.env._(
                "%(followup)s: the complaint must be handled before asking for "
                "a review.",
                followup=self.name,
            )
        return self._review_link_problem()

    def _review_link_problem(self):
        """FU-3: no review request without the branch's review link."""
        if self.company_id.gema_google_review_url:
            return False
        return self.env._(
            "The branch %(branch)s has no Google review link: set it in "
            "the branch settings first.",
            branch=self.company_id.name,
        )

    def _record_permission(self, answer):
        wrong = self.filtered(
            lambda f: f.outcome != "satisfied" or f.state == "to_call"
        )
        if wrong:
            raise UserError(
                self.env._(
                    "Ask for the social media permission only when a satisfied "
                    "customer gives a testimonial: %(followups)s",
                    followups=", ".join(wrong.mapped("name")),
                )
            )
        self.write(
            {
                "social_permission": answer,
                "social_permission_date": fields.Datetime.now(),
                "social_permission_by_id": self.env.uid,
            }
        )
        # G-5: the permission is the customer's, kept on them with its channel.
        for followup in self.filtered("partner_id"):
            followup.partner_id._gema_record_consent(
                "testimonial",
                "granted" if answer == "granted" else "withdrawn",
                followup.contact_channel or "phone",
                source=followup,
            )
        return True

    def _on_message_sent(self, message):
        """FU-8: the testimonial request (with the review link) ticks items
        5 and 6 once it left, the neutral review request item 6."""
        result = super()._on_message_sent(message)
        if message.template_id == self.env.ref(
            "gema_sop.mail_template_followup_testimonial"
        ):
            self._checklist_done(CHECKLIST[4:], self._checklist_message_note(message))
        elif message.template_id == self.env.ref(
            "gema_sop.mail_template_followup_review"
        ):
            self._checklist_done(CHECKLIST[5:], self._checklist_message_note(message))
        return result

    def _checklist_applies(self, template):
        """FU-3: the testimonial only of a satisfied customer; the review
        link to them, or to any customer without a complaint where the
        branch asks everyone."""
        if template.activity_type_id == self.env.ref(CHECKLIST[4]):
            return self.outcome == "satisfied"
        if template.activity_type_id == self.env.ref(CHECKLIST[5]):
            return self.outcome == "satisfied" or (
                self.company_id.gema_review_ask_everyone and self.outcome != "complaint"
            )
        return super()._checklist_applies(template)

    def _checklist_step_dates(self, steps):
        """FU-1, FU-6: the call's items are due on the next attempt's day,
        else on the working day after the vehicle was finished (the day
        its follow-up list comes), never before today."""
        dates = super()._checklist_step_dates(steps)
        if "call" in steps:
            next_days = {}  # one working-day search per calendar and day
            for followup in self:
                today = datetime.now(pytz.timezone(followup.gema_tz)).date()
                day = followup.next_attempt_date
                if not day and followup.service_date:
                    calendar = followup.company_id._gema_operating_calendar()
                    done = _local_day(followup.service_date, followup.gema_tz)
                    if (calendar.id, done) not in next_days:
                        next_days[calendar.id, done] = calendar._gema_shift_day(done, 1)
                    day = next_days[calendar.id, done]
                dates[followup.id, "call"] = max(day or today, today)
        return dates

    def _next_working_day(self):
        """The branch's next working day after today (its time zone)."""
        self.ensure_one()
        calendar = self.company_id._gema_operating_calendar()
        today = datetime.now(pytz.timezone(self.gema_tz)).date()
        return calendar._gema_shift_day(today, 1)

    def _sla_owner(self):
        """The CS supervisor owns an open complaint's standard; the service
        advisor the others."""
        if self.complaint_open and self.complaint_user_id:
            return self.complaint_user_id
        return self.user_id or self.create_uid

    @api.model
    def _create_for_jobs(self, jobs):
        """The follow-ups of delivered ``jobs`` that have none yet."""
        jobs = jobs.filtered(lambda j: j.state == "delivered")
        done = set(self.search([("service_job_id", "in", jobs.ids)]).service_job_id.ids)
        todo = jobs.filtered(lambda j: j.id not in done)
        return self.create([{"service_job_id": job.id} for job in todo])

    # Scheduled actions -------------------------------------------------------

    @api.model
    def _cron_create_missing(self):
        """FU-1: every morning, make the follow-ups the hand-over did not
        (imported or repaired jobs) for vehicles delivered in the last
        ``LIST_DAYS`` days, so the day's list is complete. Idempotent."""
        since = datetime.combine(
            fields.Date.today() - timedelta(days=LIST_DAYS + 1), time.min
        )
        jobs = self.env["gema.service.job"].search(
            [
                ("state", "=", "delivered"),
                ("state_date", ">=", since),
                ("followup_ids", "=", False),
            ]
        )
        recent = jobs.filtered(
            lambda j: _days_ago(j.state_date, j.gema_tz) <= LIST_DAYS
        )
        return self._create_for_jobs(recent)


def _days_ago(moment, tz_name):
    """Days between ``moment`` (naive UTC) and today, in time zone ``tz_name``."""
    today = datetime.now(pytz.timezone(tz_name)).date()
    return (today - _local_day(moment, tz_name)).days


def _local_day(moment, tz_name):
    """The day of a UTC ``moment`` in the time zone ``tz_name``."""
    return pytz.utc.localize(moment).astimezone(pytz.timezone(tz_name)).date()
