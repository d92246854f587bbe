from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import UserError

from .gema_violation import SOPS

REVIEW_MONTHS = 6


class GemaSopDocument(models.Model):
    """A controlled SOP document (G-1).

    Made by Organizational Development, checked by the Human Capital
    Manager, approved by the Management Committee: three steps, in that
    order, each signed by a different user with the date. An approved
    document is effective and is reviewed every six months; a scheduled
    action plans the review activity, and the G-1 time standard measures it.
    """

    _name = "gema.sop.document"
    _description = "SOP Document"
    _inherit = ["gema.sla.mixin"]
    _order = "sop, number"
    _rec_names_search = ["number", "name"]

    number = fields.Char(string="Document Number", required=True, tracking=True)
    name = fields.Char(string="Title", required=True, tracking=True)
    sop = fields.Selection(SOPS, string="SOP", required=True, index=True)
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    user_id = fields.Many2one(
        "res.users",
        string="Document Owner",
        default=lambda self: self.env.user,
        tracking=True,
        help="Plans and records the six-monthly review.",
    )
    state = fields.Selection(
        [
            ("draft", "Draft"),
            ("to_check", "To Check"),
            ("to_approve", "To Approve"),
            ("effective", "Effective"),
            ("obsolete", "Obsolete"),
        ],
        default="draft",
        required=True,
        tracking=True,
        copy=False,
        index=True,
    )
    created_date = fields.Date(
        string="Created On", required=True, default=fields.Date.context_today
    )
    effective_date = fields.Date(tracking=True, copy=False)
    revision = fields.Integer(string="Revision Number", readonly=True, copy=False)
    revision_date = fields.Date(readonly=True, copy=False)
    made_by_id = fields.Many2one(
        "res.users",
        readonly=True,
        copy=False,
        help="Organizational Development.",
    )
    made_date = fields.Date(readonly=True, copy=False)
    checked_by_id = fields.Many2one(
        "res.users",
        readonly=True,
        copy=False,
        help="Human Capital Manager.",
    )
    checked_date = fields.Date(readonly=True, copy=False)
    approved_by_id = fields.Many2one(
        "res.users",
        readonly=True,
        copy=False,
        help="Management Committee.",
    )
    approved_date = fields.Date(readonly=True, copy=False)
    original = fields.Binary(string="Original Document", attachment=True, copy=False)
    original_filename = fields.Char(copy=False)
    last_review_date = fields.Date(readonly=True, copy=False, tracking=True)
    next_review_date = fields.Date(
        compute="_compute_next_review_date",
        store=True,
        index=True,
        help="Six months after the effective date or the last review.",
    )

    _sql_constraints = [
        (
            "number_company_uniq",
            "UNIQUE (number, company_id)",
            "Another SOP document of this company has this number.",
        ),
    ]

    @api.depends("effective_date", "last_review_date", "state")
    def _compute_next_review_date(self):
        self.next_review_date = False
        for document in self.filtered(lambda d: d.state == "effective"):
            base = max(
                filter(None, [document.effective_date, document.last_review_date])
            )
            document.next_review_date = base + relativedelta(months=REVIEW_MONTHS)

    def _compute_display_name(self):
        for document in self:
            document.display_name = f"[{document.number}] {document.name}"

    def _step(self, from_state, to_state, user_field, date_field, previous_field):
        if not self.env.user.has_group("gema_sop.group_sop_admin"):
            raise UserError(self.env._("Only SOP administrators sign SOP documents."))
        wrong = self.filtered(lambda d: d.state != from_state)
        if wrong:
            raise UserError(
                self.env._(
                    "These documents are not at this approval step: %(documents)s",
                    documents=", ".join(wrong.mapped("display_name")),
                )
            )
        if previous_field:
            same = self.filtered(lambda d: d[previous_field] == self.env.user)
            if same:
                raise UserError(
                    self.env._(
                        "Each approval step is signed by a different person; you "
                        "signed the previous step of: %(documents)s",
                        documents=", ".join(same.mapped("display_name")),
                    )
                )
        self.write(
            {
                "state": to_state,
                user_field: self.env.uid,
                date_field: fields.Date.context_today(self),
            }
        )

    def action_submit(self):
        """Step 1: made by Organizational Development."""
        self._step("draft", "to_check", "made_by_id", "made_date", None)

    def action_check(self):
        """Step 2: checked by the Human Capital Manager."""
        self._step(
            "to_check", "to_approve", "checked_by_id", "checked_date", "made_by_id"
        )

    def action_approve(self):
        """Step 3: approved by the Management Committee; effective."""
        missing = self.filtered(lambda d: not d.effective_date)
        if missing:
            raise UserError(
                self.env._(
                    "Set the effective date before approving: %(documents)s",
                    documents=", ".join(missing.mapped("display_name")),
                )
            )
        self._step(
            "to_approve",
            "effective",
            "approved_by_id",
            "approved_date",
            "checked_by_id",
        )

    def action_mark_reviewed(self):
        """The six-monthly review found the document still right."""
        wrong = self.filtered(lambda d: d.state != "effective")
        if wrong:
            raise UserError(
                self.env._(
                    "Only effective documents are reviewed: %(documents)s",
                    documents=", ".join(wrong.mapped("display_name")),
                )
            )
        self.write({"last_review_date": fields.Date.context_today(self)})
        self.activity_feedback(["gema_sop.mail_activity_type_sop_review"])

    def action_new_revision(self):
        """Start the next revision: back to draft, approval chain cleared."""
        wrong = self.filtered(lambda d: d.state not in ("effective", "obsolete"))
        if wrong:
            raise UserError(
                self.env._(
                    "Only effective or obsolete documents get a new revision: "
                    "%(documents)s",
                    documents=", ".join(wrong.mapped("display_name")),
                )
            )
        for document in self:
            document.write(
                {
                    "state": "draft",
                    "revision": document.revision + 1,
                    "revision_date": fields.Date.context_today(self),
                    "made_by_id": False,
                    "made_date": False,
                    "checked_by_id": False,
                    "checked_date": False,
                    "approved_by_id": False,
                    "approved_date": False,
                    "effective_date": False,
                    "last_review_date": False,
                }
            )

    def action_obsolete(self):
        self.write({"state": "obsolete"})

    @api.model
    def _cron_plan_reviews(self, days_ahead=30):
        """Plan the review activity of documents due within ``days_ahead``."""
        activity_type = self.env.ref("gema_sop.mail_activity_type_sop_review")
        limit = fields.Date.context_today(self) + relativedelta(days=days_ahead)
        documents = self.search(
            [("state", "=", "effective"), ("next_review_date", "<=", limit)]
        )
        planned = set(
            self.env["mail.activity"]
            .search(
                [
                    ("res_model", "=", self._name),
                    ("res_id", "in", documents.ids),
                    ("activity_type_id", "=", activity_type.id),
                ]
            )
            .mapped("res_id")
        )
        for document in documents.filtered(lambda d: d.id not in planned):
            document.activity_schedule(
                "gema_sop.mail_activity_type_sop_review",
                date_deadline=document.next_review_date,
                user_id=document.user_id.id or self.env.uid,
            )
