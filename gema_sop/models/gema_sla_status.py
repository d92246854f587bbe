import pytz
from markupsafe import Markup

from odoo import api, fields, models
from odoo.tools import SQL

OPEN_STATES = ("running", "at_risk", "breached")
SLA_RESULTS = [("on_time", "On Time"), ("at_risk", "At Risk"), ("breached", "Breached")]


class GemaSlaStatus(models.Model):
    """One clock of a time standard on one SOP record (G-4).

    Deadlines are computed once, when the clock starts, and stored with the
    moment the scheduled action must next look at the line (``next_check``:
    the at-risk moment, then the deadline, then the manager escalation). The
    cron reads only lines whose ``next_check`` has passed, through a partial
    index, and moves each line one ``escalation_stage`` forward, so that the
    warning, the breach and the manager escalation each happen once.
    """

    _name = "gema.sla.status"
    _description = "SLA Line"
    _order = "start desc, id desc"
    _rec_name = "policy_id"
    _inherit = ["gema.record.link.mixin"]

    policy_id = fields.Many2one(
        "gema.sla.policy", required=True, ondelete="cascade", index=True, readonly=True
    )
    sop = fields.Selection(related="policy_id.sop", store=True, string="SOP")
    res_model = fields.Char(required=True)
    res_id = fields.Many2oneReference(required=True)
    company_id = fields.Many2one(
        "res.company", string="Branch", index=True, readonly=True
    )
    user_id = fields.Many2one(
        "res.users", string="Responsible", index=True, readonly=True
    )
    start = fields.Datetime(required=True, readonly=True)
    at_risk_at = fields.Datetime(string="At Risk From", readonly=True)
    deadline = fields.Datetime(required=True, index=True, readonly=True)
    manager_deadline = fields.Datetime(string="Manager Escalation", readonly=True)
    reached = fields.Datetime(readonly=True, help="When the stop event happened.")
    elapsed_hours = fields.Float(
        readonly=True,
        aggregator="avg",
        help="From start to stop, in the policy's time mode (working hours of "
        "the branch, or calendar hours).",
    )
    state = fields.Selection(
        [
            ("running", "Running"),
            ("at_risk", "At Risk"),
            ("breached", "Breached"),
            ("done", "Met"),
            ("late", "Met Late"),
            ("cancelled", "Cancelled"),
        ],
        default="running",
        required=True,
        index=True,
        readonly=True,
    )
    result = fields.Selection(
        SLA_RESULTS,
        string="SLA Result",
        compute="_compute_result",
        store=True,
        index=True,
    )
    escalation_stage = fields.Integer(
        readonly=True,
        help="0: none yet, 1: owner warned, 2: breach escalated to the "
        "supervisor, 3: escalated to the manager.",
    )
    # Indexed in ``init`` with the id, in the claim's order.
    next_check = fields.Datetime(readonly=True)
    violation_ids = fields.One2many(
        "gema.violation", "sla_status_id", string="Violations"
    )
    violation_id = fields.Many2one("gema.violation", compute="_compute_violation_id")

    def init(self):
        # One open clock per policy and record, whatever the number of
        # workers writing at the same time.
        self.env.cr.execute(
            SQL(
                "CREATE UNIQUE INDEX IF NOT EXISTS gema_sla_status_one_open_idx "
                "ON gema_sla_status (policy_id, res_model, res_id) "
                "WHERE state IN %s",
                OPEN_STATES,
            )
        )
        # The cron's claim reads the due lines in this index's order, with no
        # sort, however long the backlog. Only open lines have a next check
        # (``_close`` and ``_next_check`` clear it otherwise). It
        # replaces the column index of ``next_check``, which Odoo keeps.
        self.env.cr.execute(
            SQL(
                "CREATE INDEX IF NOT EXISTS gema_sla_status_due_idx "
                "ON gema_sla_status (next_check, id) WHERE next_check IS NOT NULL; "
                "DROP INDEX IF EXISTS gema_sla_status__next_check_index"
            )
        )
        # The lists' order (``_order``), read from an index, not sorted: for
        # all lines, and for the open ones (the list's default filter).
        self.env.cr.execute(
            SQL(
                "CREATE INDEX IF NOT EXISTS gema_sla_status_start_idx "
                "ON gema_sla_status (start, id); "
                "CREATE INDEX IF NOT EXISTS gema_sla_status_open_start_idx "
                "ON gema_sla_status (start, id) WHERE state IN %s",
                OPEN_STATES,
            )
        )

    @api.depends("state")
    def _compute_result(self):
        results = {
            "running": "on_time",
            "done": "on_time",
            "at_risk": "at_risk",
            "breached": "breached",
            "late": "breached",
            "cancelled": False,
        }
        for line in self:
            line.result = results[line.state]

    @api.depends("violation_ids")
    def _compute_violation_id(self):
        """The violation recorded on breach (one per line, G-2)."""
        for line in self:
            line.violation_id = line.violation_ids[:1]

    def _compute_display_name(self):
        for line in self:
            line.display_name = f"{line.policy_id.name} - {line.record_name or ''}"

    # Engine ------------------------------------------------------------

    def _close(self, when, state=None):
        """Stop the clocks at ``when``: met, met late, or ``state``. The
        working hours elapsed are counted once per calendar and start: the
        lines of a batch of records share them."""
        counted = {}
        for line in self:
            calendar = line.company_id._gema_operating_calendar()
            if line.policy_id.time_mode != "working" or not calendar:
                elapsed = (when - line.start).total_seconds() / 3600
            else:
                if (calendar, line.start) not in counted:
                    counted[calendar, line.start] = calendar.get_work_hours_count(
                        pytz.utc.localize(line.start), pytz.utc.localize(when)
                    )
                elapsed = counted[calendar, line.start]
            line.write(
                {
                    "state": state or ("late" if when > line.deadline else "done"),
                    "reached": when,
                    "elapsed_hours": elapsed,
                    "next_check": False,
                }
            )

    def _planned_again(self):
        """{line: its deadlines planned again from its start in its
        branch's calendar as it is now}, each policy's lines planned
        together (``gema.sla.policy._deadlines_many``)."""
        planned = {}
        for policy, lines in self.grouped("policy_id").items():
            records = self.env[policy.model]
            clocks = [(records.browse(line.res_id), line.start) for line in lines]
            planned.update(zip(lines, policy._deadlines_many(clocks), strict=True))
        return planned

    def _refresh_records(self):
        for records in self._linked_records().values():
            records._sla_refresh()

    @api.model
    def _cron_process_due(self, batch_size=200):
        """Warn, escalate and record breaches of one batch of due lines.

        One indexed query claims the batch; ``FOR UPDATE SKIP LOCKED`` makes
        a second worker take other lines (or none) instead of the same ones,
        and the stage each line reaches is written in the same transaction,
        so nothing is escalated twice. Progress goes to ``ir.cron``, which
        commits and calls again while lines remain.
        """
        now = fields.Datetime.now()
        due = self._due_query(now, batch_size)
        rows = self.env.execute_query(SQL("%s FOR UPDATE SKIP LOCKED", due))
        lines = self.browse(row[0] for row in rows)
        lines._escalate(now)
        remaining = 0
        if len(lines) == batch_size:
            # At most a batch counted, on the same index: ``ir.cron`` only
            # needs to know that work remains, and counting a backlog of
            # 100,000 lines after each batch would cost as much as the batch.
            self.flush_model(["next_check"])
            remaining = self.env.execute_query(
                SQL("SELECT COUNT(*) FROM (%s) due", due)
            )[0][0]
        self.env["ir.cron"]._notify_progress(done=len(lines), remaining=remaining)
        return len(lines)

    @api.model
    def _due_query(self, now, limit):
        """The first ``limit`` due lines in ``gema_sla_status_due_idx``
        order: the plan reads the index and stops after them."""
        return SQL(
            "SELECT id FROM gema_sla_status WHERE next_check <= %s "
            "ORDER BY next_check, id LIMIT %s",
            now,
            limit,
        )

    def _escalate(self, now):
        """Move each line to the stage its times call for, once."""
        warn = self.filtered(
            lambda line: line.escalation_stage == 0 and line.deadline > now
        )
        breach = self.filtered(
            lambda line: line.escalation_stage < 2 and line.deadline <= now
        )
        manager = self.filtered(
            lambda line: line.escalation_stage == 2
            and line.manager_deadline
            and line.manager_deadline <= now
        )
        done = warn | breach | manager
        # Lines claimed but not due any more (e.g. a changed deadline).
        for line in self - done:
            line.next_check = line._next_check()
        if warn:
            warn.write({"state": "at_risk", "escalation_stage": 1})
            warn._schedule("gema_sop.mail_activity_type_sla_warning", "user")
        if breach:
            breach.write({"state": "breached", "escalation_stage": 2})
            breach._schedule("gema_sop.mail_activity_type_sla_escalation", "supervisor")
            breach._log_breach()
            breach._record_violations()
        if manager:
            manager.write({"escalation_stage": 3})
            manager._schedule("gema_sop.mail_activity_type_sla_escalation", "manager")
        for line in done:
            line.next_check = line._next_check()
        (warn | breach)._refresh_records()

    def _next_check(self):
        self.ensure_one()
        if self.state not in OPEN_STATES:
            return False
        return {0: self.at_risk_at, 1: self.deadline, 2: self.manager_deadline}.get(
            self.escalation_stage, False
        )

    def _schedule(self, activity_type_xmlid, whom):
        """One activity per line for its owner, supervisor or manager."""
        activity_type = self.env.ref(activity_type_xmlid)
        vals_list = []
        for res_model, records in self._linked_records().items():
            model_id = self.env["ir.model"]._get_id(res_model)
            people = records._sla_people()
            for line in self.filtered(lambda line, m=res_model: line.res_model == m):
                user = people.get(line.res_id, {}).get(whom) or line.user_id
                if not user:
                    continue
                vals_list.append(
                    {
                        "res_model_id": model_id,
                        "res_id": line.res_id,
                        "activity_type_id": activity_type.id,
                        "user_id": user.id,
                        "summary": line.policy_id.name,
                        "note": line._activity_note(whom),
                        "date_deadline": fields.Date.context_today(self),
                    }
                )
        # No notification email per activity: a batch that breaches would
        # mail a supervisor once per line; the activities show in their
        # activity menu at once, and the record's chatter has the breach.
        self.env["mail.activity"].sudo().with_context(
            mail_activity_quick_update=True
        ).create(vals_list)

    def _activity_note(self, whom):
        deadline = fields.Datetime.context_timestamp(
            self.with_context(tz=self.company_id._gema_tz()), self.deadline
        ).strftime("%Y-%m-%d %H:%M")
        if whom == "user":
            text = self.env._(
                "Due %(deadline)s: act before the time standard is breached.",
                deadline=deadline,
            )
        elif whom == "supervisor":
            text = self.env._(
                "Breached (due %(deadline)s), responsible: %(user)s.",
                deadline=deadline,
                user=self.user_id.name or "-",
            )
        else:
            text = self.env._(
                "Still breached after a second period (due %(deadline)s), "
                "responsible: %(user)s.",
                deadline=deadline,
                user=self.user_id.name or "-",
            )
        return Markup("<p>%s</p>") % text

    def _log_breach(self):
        """A chatter note on each record whose time standard was breached."""
        for records in self._linked_records().values():
            lines = self.filtered(lambda line, m=records._name: line.res_model == m)
            # Markup: ``_message_log_batch`` escapes a plain string body,
            # which would show the tags as text; the policy name (text a
            # manager typed) is escaped once by the ``%``.
            bodies = {
                line.res_id: Markup("<p>%s</p>")
                % self.env._(
                    "Time standard breached: %(policy)s", policy=line.policy_id.name
                )
                for line in lines
            }
            records.sudo()._message_log_batch(
                bodies={rid: bodies[rid] for rid in records.ids},
                author_id=self.env.ref("base.partner_root").id,
            )

    def _record_violations(self):
        """G-2: a violation against the responsible employee of each breach."""
        lines = self.filtered(
            lambda line: line.policy_id.violation_type and line.user_id
        )
        employees = self.env["hr.employee"]._gema_employees_of(lines.user_id)
        vals_list = []
        for line in lines:
            employee = employees._gema_employee_in(line.user_id, line.company_id)
            if not employee:
                continue
            vals_list.append(
                {
                    "employee_id": employee.id,
                    "company_id": employee.company_id.id,
                    "sop": line.policy_id.sop,
                    "violation_type": line.policy_id.violation_type,
                    "res_model": line.res_model,
                    "res_id": line.res_id,
                    "detection": "sla",
                    "sla_status_id": line.id,
                    "description": line.policy_id.name,
                }
            )
        self.env["gema.violation"].sudo().create(vals_list)
