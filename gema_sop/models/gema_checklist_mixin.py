from odoo import api, fields, models


class GemaChecklistMixin(models.AbstractModel):
    """An SOP checklist (BK-12, ST-10, FU-8) on a record, with its progress.

    The checklist is a ``mail.activity.plan`` (``_gema_checklist_plan``, an
    XML id) whose activity types keep their done activities (``keep_done``):
    the record's checklist is the activities of those types, done ones
    archived with their notes, so one grouped read counts the progress of a
    whole batch.
    """

    _name = "gema.checklist.mixin"
    _description = "SOP Checklist of a Record"
    _inherit = ["mail.activity.mixin"]

    _gema_checklist_plan = None

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

    @api.model
    def _checklist_types(self):
        plan = self.env.ref(self._gema_checklist_plan, raise_if_not_found=False)
        if not plan:
            return self.env["mail.activity.type"]
        return plan.sudo().template_ids.activity_type_id

    def action_launch_checklist(self):
        """Start the checklist (once per record)."""
        self._launch_checklist()

    def _checklist_summary(self, template, user):
        """The item's title in the language of the person who does it: the
        activity type's summary (translated in i18n/id.po), since Odoo does
        not translate a plan template's summary; the template's own summary
        when its type has none."""
        activity_type = template.activity_type_id.with_context(lang=user.lang)
        return activity_type.summary or template.summary

    def _launch_checklist(self):
        """Schedule the plan's items on the records that have none yet, for
        the record's responsible user (``user_id``), else the current one."""
        plan = self.env.ref(self._gema_checklist_plan, raise_if_not_found=False)
        if not plan:
            return
        started = set(
            self.env["mail.activity"]
            .with_context(active_test=False)
            .sudo()
            .search(
                [
                    ("res_model", "=", self._name),
                    ("res_id", "in", self.ids),
                    ("activity_type_id", "in", self._checklist_types().ids),
                ]
            )
            .mapped("res_id")
        )
        for record in self.filtered(lambda r: r.id not in started):
            responsible = record.user_id or self.env.user
            for template in plan.template_ids:
                user = (
                    template._determine_responsible(responsible, record)["responsible"]
                    or responsible
                )
                record.activity_schedule(
                    activity_type_id=template.activity_type_id.id,
                    summary=self._checklist_summary(template, user),
                    note=template.note,
                    user_id=user.id,
                    date_deadline=template._get_date_deadline(),
                )

    def _checklist_done(self, xmlids):
        """Tick the checklist items (activity type XML ids) the system itself
        has just done, e.g. the booking proof sent with the confirmation."""
        self.activity_feedback(xmlids, feedback=self.env._("Done by the system."))
