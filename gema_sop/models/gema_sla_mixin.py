from odoo import api, fields, models

from .gema_sla_status import OPEN_STATES, SLA_RESULTS


class GemaSlaMixin(models.AbstractModel):
    """Makes an SOP record SLA-aware (G-4).

    Inheriting this mixin is all a model needs: its creates and writes start,
    stop or cancel the clocks of the policies (``gema.sla.policy``) that
    watch it, an outgoing customer message stops the "customer contacted"
    clocks, and the record carries its next deadline, its SLA result and
    whether it was on time (stored, for lists, filters and reports: the
    average of ``gema_sla_on_time_rate`` is the share of records on time)
    and a smart button to its lines.

    Models override ``_sla_people`` when their owner, supervisor or
    manager is found otherwise than through ``user_id`` and the branch.
    """

    _name = "gema.sla.mixin"
    _description = "SLA-aware SOP Record"
    _inherit = ["mail.thread", "mail.activity.mixin"]

    gema_sla_status_ids = fields.One2many(
        "gema.sla.status",
        "res_id",
        string="SLA Lines",
        domain=lambda self: [("res_model", "=", self._name)],
        readonly=True,
    )
    gema_sla_status_count = fields.Integer(
        string="SLA Lines Count", compute="_compute_gema_sla_status_count"
    )
    gema_sla_deadline = fields.Datetime(
        string="Next SLA Deadline",
        readonly=True,
        index=True,
        copy=False,
        help="The earliest deadline among the running time standards.",
    )
    gema_sla_result = fields.Selection(
        SLA_RESULTS,
        string="SLA Result",
        readonly=True,
        index=True,
        copy=False,
        tracking=True,
        help="Breached if any time standard of the record was breached, at "
        "risk if one is close to its deadline, otherwise on time.",
    )
    gema_sla_on_time = fields.Boolean(
        string="On Time",
        compute="_compute_gema_sla_on_time",
        store=True,
        help="No time standard of the record was breached.",
    )
    gema_sla_on_time_rate = fields.Float(
        string="On Time (%)",
        compute="_compute_gema_sla_on_time",
        store=True,
        aggregator="avg",
        help="100 when no time standard of the record was breached, else 0; "
        "its average is the share of records on time.",
    )

    def _compute_gema_sla_status_count(self):
        counts = dict(
            self.env["gema.sla.status"]._read_group(
                [("res_model", "=", self._name), ("res_id", "in", self.ids)],
                ["res_id"],
                ["__count"],
            )
        )
        for record in self:
            record.gema_sla_status_count = counts.get(record.id, 0)

    @api.depends("gema_sla_result")
    def _compute_gema_sla_on_time(self):
        for record in self:
            record.gema_sla_on_time = record.gema_sla_result != "breached"
            record.gema_sla_on_time_rate = 100.0 if record.gema_sla_on_time else 0.0

    @api.model_create_multi
    def create(self, vals_list):
        records = super().create(vals_list)
        records._sla_event(created=True)
        return records

    def write(self, vals):
        if self.env.context.get("gema_sla_refresh") or not self._sla_policies():
            return super().write(vals)
        old_states = {}
        if "state" in vals and "state" in self._fields:
            old_states = {record.id: record.state for record in self}
        # The records each policy watched before its filter's fields change,
        # to start the clocks of those that come into it.
        matched_before = {
            policy.id: policy._matching(self)
            for policy in self._sla_policies()._filtered_on(vals)
        }
        result = super().write(vals)
        self._sla_event(
            changed=set(vals), old_states=old_states, matched_before=matched_before
        )
        return result

    def unlink(self):
        lines = (
            self.env["gema.sla.status"]
            .sudo()
            .search([("res_model", "=", self._name), ("res_id", "in", self.ids)])
        )
        result = super().unlink()
        lines.unlink()
        return result

    def _message_post_after_hook(self, message, msg_vals):
        """An outgoing message to the customer stops "contacted" clocks.
        Not the customer's own email (the mail gateway posts it, context
        ``from_alias``), nor an email or a WhatsApp reply to the customer
        still to be sent (``gema_message_pending``: its sending stops them)."""
        result = super()._message_post_after_hook(message, msg_vals)
        if (
            message.subtype_id in self._customer_subtypes()
            and not self.env.context.get("from_alias")
            and not self.env.context.get("gema_message_pending")
        ):
            self._sla_event(contacted=True)
        return result

    def _customer_subtypes(self):
        return self.env.ref("mail.mt_comment") | self.env.ref(
            "gema_sop.mt_customer_message"
        )

    def action_gema_open_sla_lines(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "gema_sop.gema_sla_status_action"
        )
        action["domain"] = [("res_model", "=", self._name), ("res_id", "=", self.id)]
        action["context"] = {}
        return action

    def action_gema_sla_recompute(self):
        """G-4 (server action): plan the open clocks of these records again
        in the branch's calendar as it is now (after imported holidays or
        changed hours), warn or escalate those now due, once, and store the
        records' SLA result. A line keeps its stage: nothing is escalated
        twice."""
        self.check_access("write")
        # The lines are read as sudo (the engine's); the records were checked.
        lines = self._sla_open_lines()
        for line, vals in lines._planned_again().items():
            if vals:
                line.write(vals)
                line.next_check = line._next_check()
        now = fields.Datetime.now()
        lines.filtered(
            lambda line: line.next_check and line.next_check <= now
        )._escalate(now)
        self._sla_refresh()
        return True

    # Hooks of SOP models -------------------------------------------------

    def _sla_branch(self):
        """The branch whose calendar counts the time (one record)."""
        return self.company_id if "company_id" in self._fields else self.env.company

    def _sla_owner(self):
        """The user responsible for the record's time standards (one record)."""
        return self.user_id if "user_id" in self._fields else self.create_uid

    def _sla_people(self):
        """{record id: {"user", "supervisor", "manager"}} for escalations.

        Owner: ``_sla_owner``. Supervisor: the owner's manager in the
        employee hierarchy, else a CS supervisor of the branch. Manager: a
        Customer Care manager of the branch.
        """
        group_supervisor = self.env.ref("gema_sop.group_cs_supervisor")
        group_manager = self.env.ref("gema_sop.group_manager")
        owners = {record.id: record._sla_owner() for record in self}
        employees = self.env["hr.employee"]._gema_employees_of(
            self.env["res.users"].union(*owners.values())
        )
        per_branch = {}
        people = {}
        for record in self:
            owner = owners[record.id]
            branch = record._sla_branch()
            if branch not in per_branch:
                per_branch[branch] = (
                    _first_in_branch(group_supervisor, branch, exclude=group_manager)
                    or _first_in_branch(group_supervisor, branch),
                    _first_in_branch(group_manager, branch),
                )
            employee = employees._gema_employee_in(owner, branch)
            people[record.id] = {
                "user": owner,
                "supervisor": employee.parent_id.user_id or per_branch[branch][0],
                "manager": per_branch[branch][1],
            }
        return people

    # Engine ----------------------------------------------------------------

    def _sla_policies(self):
        return self.env["gema.sla.policy"]._policies_for(self._name)

    def _sla_event(
        self,
        created=False,
        changed=(),
        old_states=None,
        contacted=False,
        matched_before=None,
    ):
        """Start, stop, cancel or re-plan the clocks after an event.

        ``matched_before``: {policy id: the records it watched before the
        write}; a record that comes into a policy's filter while in its
        start situation starts the clock, though its state did not change
        (ST-3: a job whose planned end moves to the next day leaves the
        4-hour standard and enters the daily one)."""
        policies = self._sla_policies()
        if not policies or not self:
            return
        now = fields.Datetime.now()
        Status = self.env["gema.sla.status"].sudo()
        by_key = {
            (line.policy_id.id, line.res_id): line for line in self._sla_open_lines()
        }
        changed = set(changed)
        old_states = old_states or {}
        matched_before = matched_before or {}
        stop, cancel, replan, start, entered = Status, Status, Status, [], []
        for policy in policies:
            matching = policy._matching(self)
            entering = matching - matched_before.get(policy.id, matching)
            cancel_states = policy._states("cancel")
            anchor = policy.anchor_field_id.name
            for record in self:
                line = by_key.get((policy.id, record.id))
                state = record.state if "state" in self._fields else False
                # A record created in a state that cancels the clock (a
                # delivered job imported or made by the demo) starts none.
                cancelled = record not in matching or (
                    (created or "state" in changed) and state in cancel_states
                )
                if line:
                    if self._stop_reached(policy, record, changed, contacted):
                        stop |= line
                        if policy.repeat and not cancelled:
                            start.append((policy, record))
                    elif cancelled:
                        cancel |= line
                    elif anchor and anchor in changed:
                        replan |= line
                elif cancelled:
                    continue
                elif self._start_reached(policy, record, created, changed, old_states):
                    start.append((policy, record))
                elif record in entering and policy._start_holds(record):
                    entered.append((policy, record))
        start += self._sla_not_met(entered)
        stop._close(now)
        cancel._close(now, state="cancelled")
        self._sla_replan(replan)
        self._sla_start(start, now)
        if stop or cancel or replan or start:
            self._sla_refresh()

    def _sla_open_lines(self):
        """The open SLA lines of these records (sudo: the engine's)."""
        return (
            self.env["gema.sla.status"]
            .sudo()
            .search(
                [
                    ("res_model", "=", self._name),
                    ("res_id", "in", self.ids),
                    ("state", "in", OPEN_STATES),
                ]
            )
        )

    def _sla_replan(self, lines):
        """Plan the open ``lines`` again from their start, after the field
        their deadline counts from changed."""
        for line, vals in lines._planned_again().items():
            if vals:
                line.write(
                    dict(
                        vals,
                        next_check=vals["at_risk_at"],
                        escalation_stage=0,
                        state="running",
                    )
                )

    @api.model
    def _start_reached(self, policy, record, created, changed, old_states):
        event = policy.start_event
        if event == "create":
            return created
        if event == "state":
            if not (created or "state" in changed):
                return False
            states = policy._states("start")
            return record.state in states and old_states.get(record.id) not in states
        if event == "state_change":
            return (
                not created
                and "state" in changed
                and old_states.get(record.id) != record.state
            )
        field = policy.start_field_id.name
        return bool((created or field in changed) and record[field])

    def _sla_not_met(self, starts):
        """The (policy, record) pairs of ``starts`` whose standard the record
        has not met yet: a standard that does not recur, once met (or met
        late), does not start again when the record comes back into its
        filter (a complaint answered after its escalation). One query."""
        once = [(policy, record) for policy, record in starts if not policy.repeat]
        if not once:
            return starts
        met = (
            self.env["gema.sla.status"]
            .sudo()
            ._read_group(
                [
                    ("res_model", "=", self._name),
                    ("res_id", "in", [record.id for _policy, record in once]),
                    ("policy_id", "in", [policy.id for policy, _record in once]),
                    ("state", "in", ("done", "late")),
                ],
                ["policy_id", "res_id"],
            )
        )
        met = {(policy.id, res_id) for policy, res_id in met}
        return [
            (policy, record)
            for policy, record in starts
            if (policy.id, record.id) not in met
        ]

    @api.model
    def _stop_reached(self, policy, record, changed, contacted):
        event = policy.stop_event
        if event == "message":
            return contacted
        if event == "state":
            return "state" in changed and record.state in policy._states("stop")
        field = policy.stop_field_id.name
        return bool(field in changed and record[field])

    def _sla_start(self, starts, now):
        """Open a line for each (policy, record) with its computed times."""
        records_of = {}
        for policy, record in starts:
            records_of.setdefault(policy, []).append(record.id)
        vals_list = []
        for policy, ids in records_of.items():
            records = self.browse(ids)
            times_of = policy._deadlines_of(records, now)
            vals_list += [
                {
                    "policy_id": policy.id,
                    "res_model": record._name,
                    "res_id": record.id,
                    "company_id": record._sla_branch().id,
                    "user_id": record._sla_owner().id,
                    "start": now,
                    **times_of[record.id],
                    "next_check": times_of[record.id]["at_risk_at"],
                }
                for record in records
                if times_of[record.id]
            ]
        Status = self.env["gema.sla.status"].sudo()
        # A recurring clock restarts right after its line was closed: the
        # closing must reach the database before the one-open-line index
        # sees the new line.
        Status.flush_model(["state"])
        Status.create(vals_list)

    def _sla_refresh(self):
        """Store the next deadline and the SLA result of each record, and
        the values of the policies that keep theirs on the record
        (``_sla_kept_values``)."""
        lines = (
            self.env["gema.sla.status"]
            .sudo()
            ._read_group(
                [
                    ("res_model", "=", self._name),
                    ("res_id", "in", self.ids),
                    ("state", "!=", "cancelled"),
                ],
                ["res_id", "state"],
                ["deadline:min"],
            )
        )
        summary = {}
        for res_id, state, deadline in lines:
            entry = summary.setdefault(res_id, {"states": set(), "deadline": False})
            entry["states"].add(state)
            if state in OPEN_STATES and (
                not entry["deadline"] or deadline < entry["deadline"]
            ):
                entry["deadline"] = deadline
        kept = self._sla_kept_values()
        for record in self.with_context(gema_sla_refresh=True):
            entry = summary.get(record.id)
            result = False
            if entry:
                states = entry["states"]
                result = (
                    "breached"
                    if states & {"breached", "late"}
                    else "at_risk"
                    if "at_risk" in states
                    else "on_time"
                )
            values = {
                "gema_sla_deadline": entry and entry["deadline"],
                "gema_sla_result": result,
                **kept.get(record.id, {}),
            }
            if any(record[key] != value for key, value in values.items()):
                # sudo: the SLA engine's result, whoever triggered it.
                record.sudo().write(values)

    def _sla_kept_values(self):
        """{record id: {field: value}}: the result and the time taken of
        the policies that keep them on the record (``result_field_id``,
        ``elapsed_field_id``), from the record's latest line of the policy
        that was not cancelled; the time taken once the standard was met,
        in the unit of its target. A record whose only lines were cancelled
        has no result; a record the policy never clocked (made already
        answered) keeps its values. One query for the batch."""
        policies = self._sla_policies().filtered(
            lambda policy: policy.result_field_id or policy.elapsed_field_id
        )
        if not policies or not self:
            return {}
        lines = (
            self.env["gema.sla.status"]
            .sudo()
            .search_read(
                [
                    ("policy_id", "in", policies.ids),
                    ("res_model", "=", self._name),
                    ("res_id", "in", self.ids),
                ],
                [
                    "policy_id",
                    "res_id",
                    "company_id",
                    "state",
                    "result",
                    "reached",
                    "elapsed_hours",
                ],
                order="id",
            )
        )
        latest = {}
        for line in lines:
            key = (line["policy_id"][0], line["res_id"])
            if line["state"] != "cancelled":
                latest[key] = line
            else:
                latest.setdefault(key, None)
        kept = {}
        for (policy_id, res_id), line in latest.items():
            policy = policies.browse(policy_id)
            values = kept.setdefault(res_id, {})
            if policy.result_field_id:
                values[policy.result_field_id.name] = (line or {}).get("result", False)
            if policy.elapsed_field_id:
                values[policy.elapsed_field_id.name] = policy._elapsed_in_unit(
                    line, self._fields[policy.elapsed_field_id.name]
                )
        return kept


def _first_in_branch(group, branch, exclude=None):
    """The first active user of ``group`` working in ``branch``."""
    users = group.sudo().users.filtered(
        lambda u: u.active and branch in u.company_ids and not u._is_superuser()
    )
    if exclude:
        users -= exclude.sudo().users
    return users.sorted("id")[:1]
