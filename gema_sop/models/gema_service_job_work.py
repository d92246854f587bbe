from odoo import fields, models
from odoo.exceptions import UserError

# What a technician (without a desk role) may change on their jobs: their
# steps and confirmations, nothing about the customer or the estimates.
TECHNICIAN_FIELDS = {
    "paused",
    "pause_reason",
    "started_date",
    "finished_date",
    "qc_passed_date",
    "qc_passed_by_id",
    "technician_confirmed_date",
    "technician_confirmed_by",
    "photo_ids",
}


class GemaServiceJobWork(models.AbstractModel):
    """The technician's part of a service job, inherited by
    ``gema.service.job``: confirming the estimate, starting, pausing and
    finishing the work, the quality check (ST-2, ST-4, ST-5, ST-6), and who
    may do it (the job's technicians; the desk on any job of its branch).
    Which fields a technician writes is ``TECHNICIAN_FIELDS``, read by the
    job's field guard."""

    _name = "gema.service.job.work"
    _description = "Service Job Work Steps"

    def action_confirm_estimate(self):
        """Technician: confirm the planned end is feasible (ST-8)."""
        employee = self._check_technician_access()
        missing = self.filtered(lambda j: not j.planned_stop)
        if missing:
            raise UserError(
                self.env._(
                    "Plan the end of the work before confirming it: %(jobs)s",
                    jobs=", ".join(missing.mapped("name")),
                )
            )
        for job in self:
            job.write(
                {
                    "technician_confirmed_date": job.planned_stop,
                    "technician_confirmed_by": (
                        employee & job.technician_ids or job.technician_ids[:1]
                    ).id,
                }
            )
        return True

    def action_start(self):
        """Technician: start (or resume) the work."""
        self._check_technician_access()
        for job in self:
            if job.state == "in_progress" and job.paused:
                job.write({"paused": False, "pause_reason": False})
                job.message_post(body=self.env._("Work resumed."))
                continue
            job._check_decided()
            job._check_action("start")
            job._move("in_progress")
            if not job.started_date:
                job.started_date = fields.Datetime.now()
        return True

    def action_pause(self):
        """Technician: pause the work; the wizard asks the reason."""
        self._check_technician_access()
        wrong = self.filtered(lambda j: j.state != "in_progress" or j.paused)
        if wrong:
            raise UserError(
                self.env._(
                    "Only work in progress can be paused: %(jobs)s",
                    jobs=", ".join(wrong.mapped("name")),
                )
            )
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Pause Work"),
            "res_model": "gema.service.job.pause.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_job_id": self.id},
        }

    def _pause(self, reason):
        """Pause the work for ``reason`` (a technician's words)."""
        self._check_technician_access()
        if not (reason or "").strip():
            raise UserError(self.env._("Say why the work is paused."))
        self.write({"paused": True, "pause_reason": reason.strip()})
        for job in self:
            job.message_post(
                body=self.env._("Work paused: %(reason)s", reason=reason.strip())
            )

    def action_finish(self):
        """Technician: the work is done; the quality check follows."""
        self._check_technician_access()
        self._check_action("finish")
        for job in self:
            job._check_decided()
            open_work = job.line_ids.filtered(
                lambda line: line.approval_state == "approved"
                and line.work_state != "done"
            )
            if open_work:
                raise UserError(
                    self.env._(
                        "%(job)s: finish the approved extra work first: %(lines)s",
                        job=job.name,
                        lines=", ".join(open_work.mapped("name")),
                    )
                )
            job._move("quality_check")
            job.finished_date = fields.Datetime.now()
        return True

    def action_qc_pass(self):
        """The final quality check passed (ST-4 comes after it)."""
        self._check_technician_access()
        wrong = self.filtered(lambda j: j.state != "quality_check")
        if wrong:
            raise UserError(
                self.env._(
                    "Only finished work can pass the quality check: %(jobs)s",
                    jobs=", ".join(wrong.mapped("name")),
                )
            )
        self.write(
            {"qc_passed_date": fields.Datetime.now(), "qc_passed_by_id": self.env.uid}
        )
        return True

    def action_qc_fail(self):
        """The quality check failed: back to work."""
        self._check_technician_access()
        self._check_action("qc_fail")
        self.write({"qc_passed_date": False, "qc_passed_by_id": False})
        self._move("in_progress")
        return True

    def _check_technician_access(self):
        """Technicians act on the jobs they are assigned to; desk roles and
        managers on any job of their branch. Returns the user's employees."""
        user = self.env.user
        employees = user.employee_ids
        if self.env.su or user.has_group("gema_sop.group_service_advisor"):
            return employees
        foreign = self.filtered(lambda j: not (employees & j.technician_ids))
        if foreign:
            raise UserError(
                self.env._(
                    "You are not a technician of %(jobs)s.",
                    jobs=", ".join(foreign.mapped("name")),
                )
            )
        return employees

    def _check_decided(self):
        """Work starts and ends only once the customer decided on every
        extra work proposed (ST-2)."""
        if self.pending_approval_count:
            raise UserError(
                self.env._(
                    "%(job)s: the customer has not decided on all the extra work yet.",
                    job=self.name,
                )
            )
