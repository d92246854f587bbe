from odoo import api, fields, models


class GemaChecklistMixin(models.AbstractModel):
    """An SOP checklist (BK-12, ST-10, FU-8) on a record, with its progress.

    The checklist is a ``mail.activity.plan`` (``_gema_checklist_plan``, an
    XML id) whose activity types keep their done activities (``keep_done``):
    the record's checklist is the activities of those types, done ones
    archived with their notes, so one grouped read counts the progress of a
    whole batch.

    Each item of the plan belongs to a step of the SOP (``gema_step`` on
    the plan's template): it is planned when the record's state reaches
    that step (``_gema_checklist_steps``), due on the step's day
    (``_checklist_step_dates``), for the desk person who owns the record,
    never all at once. What the system does itself (a message that left, a
    check it made) it ticks, with a note of what it did; a record that
    ends (``_gema_checklist_end_states``: cancelled, no-show, delivered,
    closed) cancels the items still pending.
    """

    _name = "gema.checklist.mixin"
    _description = "SOP Checklist of a Record"
    _inherit = ["mail.activity.mixin"]

    _gema_checklist_plan = None
    # {state: steps}: the checklist steps a record in that state has reached.
    _gema_checklist_steps = {}
    # The states that end the checklist: the pending items are cancelled.
    _gema_checklist_end_states = ()

    checklist_done = fields.Integer(compute="_compute_checklist")
    checklist_total = fields.Integer(compute="_compute_checklist")
    checklist_progress = fields.Float(
        string="Checklist", compute="_compute_checklist", help="Done items, in %."
    )

    def _compute_checklist(self):
        types = self._checklist_types()
        counts = {}
        if self.ids and types:
            # sudo: an item assigned to a colleague still counts; only the
            # numbers are shown.
            groups = (
                self.env["mail.activity"]
                .with_context(active_test=False)
                .sudo()
                ._read_group(
                    [
                        ("res_model", "=", self._name),
                        ("res_id", "in", self.ids),
                        ("activity_type_id", "in", types.ids),
                    ],
                    ["res_id", "active"],
                    ["__count"],
                )
            )
            for res_id, active, count in groups:
                done, total = counts.get(res_id, (0, 0))
                counts[res_id] = (done + (0 if active else count), total + count)
        for record in self:
            done, total = counts.get(record.id, (0, 0))
            record.checklist_done = done
            record.checklist_total = total
            record.checklist_progress = 100.0 * done / total if total else 0.0

    def write(self, vals):
        """A new state may reach a step of the checklist, or end it."""
        result = super().write(vals)
        if "state" in vals and self._gema_checklist_plan:
            self._launch_checklist()
        return result

    @api.model
    def _checklist_types(self):
        plan = self.env.ref(self._gema_checklist_plan, raise_if_not_found=False)
        if not plan:
            return self.env["mail.activity.type"]
        return plan.sudo().template_ids.activity_type_id

    def action_launch_checklist(self):
        """Plan the checklist items of the steps the record has reached
        (once per item)."""
        self._launch_checklist()

    def _checklist_summary(self, template, user):
        """The item's title in the language of the person who does it: the
        activity type's summary (translated in i18n/id.po), since Odoo does
        not translate a plan template's summary; the template's own summary
        when its type has none."""
        activity_type = template.activity_type_id.with_context(lang=user.lang)
        return activity_type.summary or template.summary

    def _launch_checklist(self):
        """Plan the items of the steps each record's state has reached that
        it has not had yet (done or pending), due on the step's day, and
        cancel the pending items of the records whose state ends the
        checklist. One search and one create for the whole batch.

        sudo: the checklist is the system's; it follows a state change the
        user was allowed to make (a technician starting the work plans the
        service advisor's items, never their own)."""
        plan = self.env.ref(self._gema_checklist_plan, raise_if_not_found=False)
        if not plan or not self:
            return
        templates = plan.sudo().template_ids
        existing = self.with_context(active_test=False)._checklist_items(
            templates.activity_type_id
        )
        have = {(a.res_id, a.activity_type_id.id) for a in existing}
        ended = self.filtered(lambda r: r.state in self._gema_checklist_end_states)
        self._checklist_cancel(
            existing.filtered(lambda a: a.active and a.res_id in ended.ids)
        )
        todo = []
        for record in self - ended:
            steps = self._gema_checklist_steps.get(record.state, ())
            todo += [
                (record, template)
                for template in templates
                if steps
                and (template.gema_step in steps or not template.gema_step)
                and (record.id, template.activity_type_id.id) not in have
                and record._checklist_applies(template)
            ]
        if not todo:
            return
        records = self.browse({record.id for record, _template in todo})
        dates = records._checklist_step_dates({t.gema_step for _r, t in todo})
        users = records._checklist_users()
        model_id = self.env["ir.model"]._get_id(self._name)
        self.env["mail.activity"].sudo().with_context(
            mail_activity_quick_update=True
        ).create(
            [
                {
                    "res_model_id": model_id,
                    "res_id": record.id,
                    "activity_type_id": template.activity_type_id.id,
                    "summary": self._checklist_summary(template, users[record.id]),
                    "note": template.note,
                    "user_id": users[record.id].id,
                    "date_deadline": template._get_date_deadline(
                        dates.get((record.id, template.gema_step))
                        or record._checklist_today()
                    ),
                    "automated": True,
                }
                for record, template in todo
            ]
        )

    def _checklist_items(self, types):
        """The pending checklist items of these records of ``types`` (done
        ones too with ``active_test=False``).

        sudo: the checklist is the system's, whoever's action touches it."""
        return (
            self.env["mail.activity"]
            .sudo()
            .search(
                [
                    ("res_model", "=", self._name),
                    ("res_id", "in", self.ids),
                    ("activity_type_id", "in", types.ids),
                ]
            )
        )

    def _checklist_applies(self, template):
        """Whether this record needs the template's item at all (e.g. the
        approval items only when extra work was proposed)."""
        return True

    def _checklist_step_dates(self, steps):
        """{(record id, step): the day its items are due}; today (the
        record's branch day, as Odoo's own plans) when a step has no day of
        its own."""
        return {}

    def _checklist_today(self):
        """Today in the record's branch time zone: the day a step without a
        day of its own is due (Odoo's plans take the context's, UTC in a
        scheduled action or an install: from 00:00 to 07:00 WIB that is
        yesterday, and the item would be overdue when made)."""
        self.ensure_one()
        branch = self.company_id if "company_id" in self._fields else self.env.company
        return fields.Date.context_today(self.with_context(tz=branch._gema_tz()))

    def _checklist_users(self):
        """{record id: user} who does the record's checklist: its
        responsible (``user_id``), else the current user when they work at
        the desk, else the branch's supervisor or manager; never a
        technician pressing a step of the work."""
        desk = self.env.user.has_group(
            "gema_sop.group_service_advisor"
        ) or self.env.user.has_group("gema_sop.group_cs_officer")
        users = {r.id: r.user_id for r in self if r.user_id}
        if not desk:
            orphans = self.filtered(lambda r: not r.user_id)
            people = orphans._sla_people() if orphans else {}
            for record in orphans:
                users[record.id] = (
                    people[record.id]["supervisor"]
                    or people[record.id]["manager"]
                    or self.env.user
                )
        return {r.id: users.get(r.id) or self.env.user for r in self}

    def _checklist_replan(self, step):
        """Move the pending items of ``step`` to the step's new day (a
        booking moved to another day, a follow-up call planned again)."""
        plan = self.env.ref(self._gema_checklist_plan, raise_if_not_found=False)
        if not plan:
            return
        templates = plan.sudo().template_ids.filtered(lambda t: t.gema_step == step)
        pending = self._checklist_items(templates.activity_type_id)
        dates = self._checklist_step_dates({step})
        by_type = {t.activity_type_id: t for t in templates}
        for activity in pending:
            deadline = by_type[activity.activity_type_id]._get_date_deadline(
                dates.get((activity.res_id, step))
            )
            if activity.date_deadline != deadline:
                activity.date_deadline = deadline

    def _checklist_cancel(self, activities):
        """Cancel pending items whose step will not come (Odoo's cancel of
        an activity: it goes; the state change is in the chatter). One
        unlink for a batch: the no-show cron ends many bookings at once."""
        activities.unlink()

    def _checklist_done(self, xmlids, note=None):
        """Tick the checklist items (activity type XML ids) the system itself
        has just done, e.g. the booking proof sent with the confirmation,
        with ``note`` (a text, or a function of the record) saying what it
        did. Only pending items are ticked: each once.

        sudo: the system ticks what it did, whichever role's action (or the
        customer's page) made it happen."""
        activities = self._checklist_items(
            self.env["mail.activity.type"].browse(
                [self.env.ref(xmlid).id for xmlid in xmlids]
            )
        )
        if not activities:
            return
        if not callable(note):
            activities.action_feedback(
                feedback=note or self.env._("Done by the system.")
            )
            return
        for res_id, items in activities.grouped("res_id").items():
            items.action_feedback(feedback=note(self.browse(res_id)))

    def _checklist_message_note(self, message):
        """The note of an item ticked because ``message`` left."""
        channels = dict(message._fields["channel"]._description_selection(self.env))
        return self.env._(
            "Done by the system: %(message)s left by %(channel)s.",
            message=message.template_id.name or "-",
            channel=channels.get(message.channel, message.channel),
        )
