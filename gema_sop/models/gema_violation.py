from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

SOPS = [
    ("BK", "Online Booking"),
    ("ST", "Work Status Communication"),
    ("FU", "Follow-up & Testimonials"),
    ("CS", "Chat & WhatsApp Service"),
    ("AS", "After-sales Service"),
    ("G", "All SOPs"),
]

# The violations each SOP lists (BK-11, ST-9, FU-7); the CS and AS ones are
# derived from their time and quality standards (CS-4..CS-6, AS-1..AS-5).
VIOLATION_TYPES = [
    ("bk_no_reply", "BK: customer message not answered"),
    ("bk_wrong_schedule", "BK: wrong booking schedule entered"),
    ("bk_no_reminder", "BK: H-1 reminder not sent"),
    ("st_no_update", "ST: no status update"),
    ("st_false_information", "ST: false or inaccurate information"),
    ("fu_no_followup", "FU: no follow-up"),
    ("fu_complaint_ignored", "FU: follow-up complaint not handled"),
    ("fu_impolite_request", "FU: testimonial asked impolitely or with pressure"),
    ("cs_late_response", "CS: first response too late"),
    ("cs_no_escalation", "CS: problem not escalated"),
    ("cs_not_closed", "CS: conversation not closed properly"),
    ("as_no_ticket_number", "AS: ticket number not given"),
    ("as_sla_missed", "AS: ticket SLA missed"),
    ("as_no_shipping_notice", "AS: shipping status not told"),
    ("cs_escalation_late", "CS: escalation not handled in time"),
    ("other", "Other"),
]


class GemaViolation(models.Model):
    """An SOP violation against an employee, and its sanction (G-2).

    Detected automatically when an SLA line is breached (``sla_status_id``)
    or reported by a supervisor. Only supervisors and managers decide:
    confirm, sanction or waive; employees read their own, read-only.
    """

    _name = "gema.violation"
    _description = "SOP Violation"
    _inherit = ["mail.thread", "mail.activity.mixin", "gema.record.link.mixin"]
    _order = "date desc, id desc"
    _check_company_auto = True

    name = fields.Char(compute="_compute_name", store=True)
    employee_id = fields.Many2one(
        "hr.employee",
        required=True,
        index=True,
        tracking=True,
        check_company=True,
        ondelete="restrict",
    )
    user_id = fields.Many2one(
        related="employee_id.user_id", store=True, string="Employee User", index=True
    )
    company_id = fields.Many2one(
        "res.company",
        string="Branch",
        required=True,
        index=True,
        default=lambda self: self.env.company,
    )
    sop = fields.Selection(SOPS, string="SOP", required=True, index=True)
    violation_type = fields.Selection(
        VIOLATION_TYPES, string="Type", required=True, index=True, tracking=True
    )
    description = fields.Text()
    res_model = fields.Char(string="Concerned Model")
    res_id = fields.Many2oneReference(string="Concerned Record")
    # Supervisors judge violations about records they may not open.
    record_name = fields.Char(string="Concerns", compute_sudo=True)
    detection = fields.Selection(
        [("sla", "Automatic (SLA breach)"), ("report", "Reported by a supervisor")],
        required=True,
        default="report",
        readonly=True,
    )
    sla_status_id = fields.Many2one(
        "gema.sla.status", string="SLA Line", readonly=True, index="btree_not_null"
    )
    date = fields.Date(required=True, default=fields.Date.context_today, index=True)
    state = fields.Selection(
        [
            ("draft", "To Review"),
            ("confirmed", "Confirmed"),
            ("sanctioned", "Sanctioned"),
            ("waived", "Waived"),
        ],
        default="draft",
        required=True,
        tracking=True,
        copy=False,
        index=True,
    )
    sanction_type = fields.Selection(
        [
            ("verbal_warning", "Verbal Warning"),
            ("written_warning", "Written Warning"),
            ("performance_evaluation", "Performance Evaluation"),
            ("compensation", "Compensation for Losses"),
        ],
        tracking=True,
        copy=False,
    )
    compensation_amount = fields.Monetary(currency_field="currency_id", copy=False)
    currency_id = fields.Many2one(related="company_id.currency_id")
    waive_reason = fields.Text(copy=False, tracking=True)
    decided_by_id = fields.Many2one("res.users", readonly=True, copy=False)
    decided_date = fields.Datetime(readonly=True, copy=False)

    @api.depends("employee_id.name", "violation_type")
    def _compute_name(self):
        labels = dict(self._fields["violation_type"]._description_selection(self.env))
        for violation in self:
            violation.name = " - ".join(
                filter(
                    None,
                    [
                        violation.employee_id.name,
                        labels.get(violation.violation_type),
                    ],
                )
            )

    @api.constrains("sanction_type", "compensation_amount", "state")
    def _check_sanction(self):
        bad = self.filtered(
            lambda v: (v.state == "sanctioned" and not v.sanction_type)
            or (v.sanction_type == "compensation" and v.compensation_amount <= 0)
        )
        if bad:
            raise ValidationError(
                self.env._(
                    "A sanctioned violation needs its sanction, and a compensation "
                    "needs a positive amount: %(violations)s",
                    violations=", ".join(bad.mapped("display_name")),
                )
            )

    def _check_decider(self):
        if not self.env.user.has_group("gema_sop.group_cs_supervisor"):
            raise UserError(
                self.env._(
                    "Only supervisors and managers can confirm, sanction or "
                    "waive a violation."
                )
            )

    def _check_state(self, allowed, action):
        bad = self.filtered(lambda v: v.state not in allowed)
        if bad:
            raise UserError(
                self.env._(
                    "%(action)s is not possible for violations in this state: "
                    "%(violations)s",
                    action=action,
                    violations=", ".join(bad.mapped("display_name")),
                )
            )

    def _decide(self, vals):
        vals.update(decided_by_id=self.env.uid, decided_date=fields.Datetime.now())
        self.write(vals)

    def action_confirm(self):
        self._check_decider()
        self._check_state(["draft"], self.env._("Confirming"))
        self._decide({"state": "confirmed"})

    def action_sanction(self):
        """Apply the sanction chosen on the form (G-2)."""
        self._check_decider()
        self._check_state(["confirmed"], self.env._("Sanctioning"))
        self._decide({"state": "sanctioned"})

    def action_waive(self):
        self._check_decider()
        self._check_state(["draft", "confirmed"], self.env._("Waiving"))
        missing = self.filtered(lambda v: not (v.waive_reason or "").strip())
        if missing:
            raise UserError(
                self.env._(
                    "Write the reason for waiving: %(violations)s",
                    violations=", ".join(missing.mapped("display_name")),
                )
            )
        self._decide({"state": "waived"})

    def action_reset_to_draft(self):
        self._check_decider()
        self._check_state(["confirmed", "waived"], self.env._("Reopening"))
        self.write({"state": "draft", "decided_by_id": False, "decided_date": False})
