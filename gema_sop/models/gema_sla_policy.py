from datetime import datetime, time, timedelta

import pytz

from odoo import api, fields, models, tools
from odoo.exceptions import ValidationError
from odoo.tools.safe_eval import safe_eval

from .gema_violation import SOPS, VIOLATION_TYPES

UNIT_HOURS = {"minutes": 1 / 60, "hours": 1, "days": 24}


class GemaSlaPolicy(models.Model):
    """A time standard of an SOP, as data a manager can edit (G-4).

    A policy says which records it watches (model, domain, branch), when its
    clock starts (``start_event``), what stops it (``stop_event``), and the
    deadline: a duration after the start, or a moment relative to a date of
    the record (H-1, H+2), counted in the working time of the record's
    branch calendar or in plain calendar time. ``repeat`` restarts the clock
    each time it is stopped while the record still matches (periodic status
    updates). The lines (``gema.sla.status``) carry the computed deadlines.
    A policy may also name fields of the record that keep its own result
    and time taken (``result_field_id``, ``elapsed_field_id``), for the
    lists, filters and reports of that one standard (the booking's and the
    chat's first response): the engine fills them, no model does it by hand.
    """

    _name = "gema.sla.policy"
    _description = "SLA Policy (SOP Time Standard)"
    _order = "sop, sequence, id"

    name = fields.Char(required=True, translate=True)
    code = fields.Char(help="The SPEC clause this time standard implements, e.g. BK-2.")
    sop = fields.Selection(SOPS, string="SOP", required=True, index=True)
    description = fields.Text(translate=True)
    active = fields.Boolean(default=True)
    sequence = fields.Integer(default=10)
    company_id = fields.Many2one(
        "res.company",
        string="Branch",
        help="Empty: the policy applies to every branch.",
    )
    model_id = fields.Many2one(
        "ir.model",
        required=True,
        ondelete="cascade",
        domain=lambda self: [("model", "in", self._sla_models())],
        help="The kind of SOP record this time standard watches.",
    )
    model = fields.Char(
        related="model_id.model", string="Model Name", store=True, index=True
    )
    domain = fields.Char(
        default="[]",
        help="Only records matching this filter are watched.",
    )
    start_event = fields.Selection(
        [
            ("create", "Record created"),
            ("state", "State reached"),
            ("state_change", "Any state change"),
            ("field_set", "Field set"),
        ],
        required=True,
        default="create",
    )
    start_states = fields.Char(
        help="Technical state values, separated by commas, e.g. confirmed,done."
    )
    start_field_id = fields.Many2one(
        "ir.model.fields",
        ondelete="cascade",
        domain="[('model_id', '=', model_id)]",
    )
    stop_event = fields.Selection(
        [
            ("message", "Customer contacted (outgoing message logged)"),
            ("state", "State reached"),
            ("field_set", "Field set"),
        ],
        required=True,
        default="message",
    )
    stop_states = fields.Char(
        help="Technical state values, separated by commas, e.g. confirmed,done."
    )
    stop_field_id = fields.Many2one(
        "ir.model.fields",
        ondelete="cascade",
        domain="[('model_id', '=', model_id)]",
    )
    cancel_states = fields.Char(
        help="States in which the standard no longer applies: open lines are "
        "cancelled, not breached (e.g. cancel). Separated by commas."
    )
    deadline_type = fields.Selection(
        [
            ("duration", "Duration after the start"),
            ("relative", "Relative to a date of the record"),
        ],
        required=True,
        default="duration",
    )
    duration = fields.Float(help="The target, in the unit below.")
    duration_unit = fields.Selection(
        [("minutes", "Minutes"), ("hours", "Hours"), ("days", "Days")],
        default="hours",
        required=True,
    )
    anchor_field_id = fields.Many2one(
        "ir.model.fields",
        string="Anchor Date Field",
        ondelete="cascade",
        domain="[('model_id', '=', model_id), ('ttype', 'in', ('date', 'datetime'))]",
        help="The date the deadline is relative to, e.g. the booking date.",
    )
    offset_days = fields.Integer(
        help="Days from the anchor date: -1 for the day before (H-1), 2 for "
        "two days after (H+2). In working time only working days count."
    )
    deadline_hour = fields.Float(
        default=17.0,
        help="Local time (branch time zone) of the deadline on that day.",
    )
    time_mode = fields.Selection(
        [
            ("working", "Working time of the branch"),
            ("calendar", "Calendar time"),
        ],
        required=True,
        default="working",
        help="Working time counts only the opening hours of the record's "
        "branch calendar, without its leaves (public holidays).",
    )
    repeat = fields.Boolean(
        string="Recurring",
        help="When the clock is stopped and the record still matches, the "
        "next period starts at once (e.g. a status update every 4 hours).",
    )
    at_risk_ratio = fields.Float(
        string="At Risk At",
        default=0.8,
        help="Share of the target after which the record is at risk and its "
        "owner is warned (0.8 = 80%).",
    )
    violation_type = fields.Selection(
        VIOLATION_TYPES,
        help="The violation recorded against the responsible employee on breach.",
    )
    result_field_id = fields.Many2one(
        "ir.model.fields",
        string="Result Kept In",
        ondelete="set null",
        domain="[('model_id', '=', model_id), ('ttype', '=', 'selection')]",
        help="A field of the record that keeps this standard's own result (on "
        "time, at risk, breached), for lists and reports.",
    )
    elapsed_field_id = fields.Many2one(
        "ir.model.fields",
        string="Time Taken Kept In",
        ondelete="set null",
        domain="[('model_id', '=', model_id), ('ttype', 'in', ('float', 'integer'))]",
        help="A field of the record that keeps the time this standard took, "
        "in the unit of the target, once met (0 until then).",
    )

    _sql_constraints = [
        (
            "at_risk_ratio_range",
            "CHECK (at_risk_ratio > 0 AND at_risk_ratio < 1)",
            "The at-risk share must be between 0 and 1 (e.g. 0.8).",
        ),
    ]

    @api.model
    def _sla_models(self):
        """Names of the models that inherit the SLA mixin."""
        mixin = self.env.registry["gema.sla.mixin"]
        return [
            name
            for name, model in self.env.registry.items()
            if name != "gema.sla.mixin" and issubclass(model, mixin)
        ]

    @api.constrains(
        "model_id",
        "domain",
        "start_event",
        "start_states",
        "start_field_id",
        "stop_event",
        "stop_states",
        "stop_field_id",
        "deadline_type",
        "duration",
        "anchor_field_id",
        "result_field_id",
        "elapsed_field_id",
    )
    def _check_definition(self):
        problems = []
        sla_models = self._sla_models()
        for policy in self:
            if policy.model not in sla_models:
                problems.append(
                    self.env._(
                        "%(policy)s: %(model)s does not track time standards.",
                        policy=policy.name,
                        model=policy.model_id.name,
                    )
                )
                continue
            try:
                self.env[policy.model].search(policy._domain(), limit=1)
            except Exception:
                problems.append(
                    self.env._(
                        "%(policy)s: the filter is not valid.", policy=policy.name
                    )
                )
            for event, states, field in (
                (policy.start_event, policy.start_states, policy.start_field_id),
                (policy.stop_event, policy.stop_states, policy.stop_field_id),
            ):
                if event == "state" and not _split(states):
                    problems.append(
                        self.env._("%(policy)s: name the states.", policy=policy.name)
                    )
                if event == "field_set" and not field:
                    problems.append(
                        self.env._("%(policy)s: choose the field.", policy=policy.name)
                    )
            if policy.deadline_type == "duration" and policy.duration <= 0:
                problems.append(
                    self.env._(
                        "%(policy)s: the target duration must be positive.",
                        policy=policy.name,
                    )
                )
            if policy.deadline_type == "relative" and not policy.anchor_field_id:
                problems.append(
                    self.env._(
                        "%(policy)s: choose the date the deadline is relative to.",
                        policy=policy.name,
                    )
                )
            problems += policy._kept_field_problems()
        if problems:
            raise ValidationError("\n".join(problems))

    def _kept_field_problems(self):
        """The fields that keep the result and the time taken must be a
        selection and a number of the watched model."""
        problems = []
        for field, types in (
            (self.result_field_id, ("selection",)),
            (self.elapsed_field_id, ("float", "integer")),
        ):
            if field and (field.model_id != self.model_id or field.ttype not in types):
                problems.append(
                    self.env._(
                        "%(policy)s: %(field)s cannot keep the result or the time "
                        "taken of this standard.",
                        policy=self.name,
                        field=field.field_description,
                    )
                )
        return problems

    @api.model_create_multi
    def create(self, vals_list):
        policies = super().create(vals_list)
        self.env.registry.clear_cache()
        return policies

    def write(self, vals):
        result = super().write(vals)
        self.env.registry.clear_cache()
        return result

    def unlink(self):
        result = super().unlink()
        self.env.registry.clear_cache()
        return result

    @api.model
    def _policies_for(self, model_name):
        """The active policies of a model (sudo: the engine runs for every
        user, policies are configuration)."""
        return self.sudo().browse(self._policy_ids(model_name))

    @api.model
    @tools.ormcache("model_name")
    def _policy_ids(self, model_name):
        return tuple(self.sudo().search([("model", "=", model_name)]).ids)

    def _domain(self):
        self.ensure_one()
        return safe_eval(self.domain or "[]", {"uid": self.env.uid})

    def _matching(self, records):
        """The records this policy watches."""
        self.ensure_one()
        if self.company_id:
            records = records.filtered(lambda r: r._sla_branch() == self.company_id)
        domain = self._domain()
        return records.filtered_domain(domain) if domain else records

    def _filtered_on(self, names):
        """The policies whose filter (or branch) reads one of the fields
        ``names``: a write of these fields can bring records into them."""
        names = set(names)
        return self.filtered(lambda policy: policy._filter_fields() & names)

    def _filter_fields(self):
        """The fields of the watched model whose change can change which
        records match: those of the filter, the fields they are computed
        from (e.g. ``overnight`` from the planned times), and the branch."""
        self.ensure_one()
        Model = self.env[self.model]
        todo = [
            leaf[0].split(".")[0]
            for leaf in self._domain()
            if isinstance(leaf, (list, tuple)) and isinstance(leaf[0], str)
        ]
        if self.company_id:
            todo.append("company_id")
        names = set()
        while todo:
            name = todo.pop()
            field = Model._fields.get(name)
            if field and name not in names:
                names.add(name)
                todo.extend(
                    path.split(".")[0] for path in Model.pool.field_depends[field]
                )
        return names

    def _start_holds(self, record):
        """Whether ``record`` is in the situation that starts this clock and
        not in one that stops or cancels it, so that a record coming into
        the filter starts the clock then: created (it exists), in a start
        state, or with the start field set. Any state change is a moment,
        never a situation."""
        self.ensure_one()
        state = record.state if "state" in record._fields else False
        if self.start_event == "state_change" or state in self._states("cancel"):
            return False
        if self.stop_event == "state" and state in self._states("stop"):
            return False
        if self.stop_event == "field_set" and record[self.stop_field_id.name]:
            return False
        if self.start_event == "state":
            return state in self._states("start")
        if self.start_event == "field_set":
            return bool(record[self.start_field_id.name])
        return True

    def _states(self, kind):
        return _split(self[f"{kind}_states"])

    # Deadlines ---------------------------------------------------------

    def _unit_hours(self, calendar):
        """Hours in one unit of the target; a working day is the calendar's
        hours per day."""
        if self.duration_unit == "days" and self.time_mode == "working" and calendar:
            return calendar.hours_per_day or 8
        return UNIT_HOURS[self.duration_unit]

    def _target_hours(self, calendar):
        """The target in hours."""
        return self.duration * self._unit_hours(calendar)

    def _elapsed_in_unit(self, line, field):
        """The time taken by a line (values read from ``gema.sla.status``),
        in the unit of the target and the precision of ``field``: 0 until
        the standard was met."""
        self.ensure_one()
        records = self.env[field.model_name]
        if not line or not line["reached"]:
            return field.convert_to_cache(0, records)
        calendar = line["company_id"] and (
            self.env["res.company"]
            .browse(line["company_id"][0])
            ._gema_operating_calendar()
        )
        hours = line["elapsed_hours"] / self._unit_hours(calendar)
        return field.convert_to_cache(hours, records)

    def _plan_many(self, calendar, requests):
        """``start`` plus ``hours`` in this policy's time mode for each
        ``(start, hours)`` of ``requests`` (naive UTC), planned together
        (``resource.calendar._gema_plan_hours_many``)."""
        if self.time_mode == "calendar" or not calendar:
            return [start + timedelta(hours=hours) for start, hours in requests]
        return [_round(moment) for moment in calendar._gema_plan_hours_many(requests)]

    def _deadlines(self, record, start):
        """The deadline, at-risk moment and manager escalation moment of a
        line of ``record`` starting at ``start`` (naive UTC datetimes).
        Returns ``{}`` when a relative deadline has no anchor date."""
        return self._deadlines_many([(record, start)])[0]

    def _deadlines_of(self, records, start):
        """{record id: ``_deadlines``} of clocks of ``records`` all
        starting at ``start``."""
        return dict(
            zip(
                records.ids,
                self._deadlines_many([(record, start) for record in records]),
                strict=True,
            )
        )

    def _deadlines_many(self, clocks):
        """``_deadlines`` of each ``(record, start)`` of ``clocks``, planned
        per branch calendar at once: a duration's three moments of every
        clock in one reading of the calendar, a relative deadline once per
        branch, anchor date and start."""
        self.ensure_one()
        result = [None] * len(clocks)
        if self.deadline_type == "duration":
            by_calendar = {}
            for index, (record, start) in enumerate(clocks):
                calendar = record._sla_branch()._gema_operating_calendar()
                by_calendar.setdefault(calendar, []).append((index, start))
            for calendar, starts in by_calendar.items():
                hours = self._target_hours(calendar)
                shares = (self.at_risk_ratio, 1, 2)
                moments = iter(
                    self._plan_many(
                        calendar,
                        [
                            (start, hours * share)
                            for _i, start in starts
                            for share in shares
                        ],
                    )
                )
                for index, _start in starts:
                    at_risk, deadline, manager = (
                        next(moments),
                        next(moments),
                        next(moments),
                    )
                    result[index] = {
                        "deadline": deadline,
                        "at_risk_at": at_risk,
                        "manager_deadline": manager,
                    }
            return result
        anchor = self.anchor_field_id.name
        planned = {}
        for index, (record, start) in enumerate(clocks):
            key = (record._sla_branch(), record[anchor], start)
            if key not in planned:
                planned[key] = self._relative_deadlines(record, start)
            result[index] = planned[key]
        return result

    def _relative_deadlines(self, record, start):
        """``_deadlines`` of a deadline relative to a date of the record."""
        branch = record._sla_branch()
        calendar = branch._gema_operating_calendar()
        anchor = record[self.anchor_field_id.name]
        if not anchor:
            return {}
        tz = pytz.timezone(branch._gema_tz())
        if isinstance(anchor, datetime):
            anchor = pytz.utc.localize(anchor).astimezone(tz).date()
        # In calendar time, days are plain days (no calendar to count in).
        if self.time_mode == "calendar":
            calendar = calendar.browse()
        day = calendar._gema_shift_day(anchor, self.offset_days)
        hour, minute = divmod(round(self.deadline_hour * 60), 60)
        local = tz.localize(datetime.combine(day, time(min(hour, 23), minute)))
        deadline = local.astimezone(pytz.utc).replace(tzinfo=None)
        # The at-risk moment lies at the same share of the time left; the
        # second period (manager) is one more working (or calendar) day.
        at_risk = start + (deadline - start) * self.at_risk_ratio
        next_day = calendar._gema_shift_day(day, 1)
        manager = tz.localize(datetime.combine(next_day, local.time()))
        return {
            "deadline": deadline,
            "at_risk_at": max(at_risk, start) if deadline > start else deadline,
            "manager_deadline": manager.astimezone(pytz.utc).replace(tzinfo=None),
        }


def _split(states):
    return {s.strip() for s in (states or "").split(",") if s.strip()}


def _round(dt):
    """Planned datetimes to the second (float hours leave microseconds)."""
    if not dt:
        return dt
    return (dt + timedelta(microseconds=500000)).replace(microsecond=0)
