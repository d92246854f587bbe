from odoo import fields, models
from odoo.exceptions import UserError

from ..tools.internal_write import internal_write
from .gema_service_job_line import CLOSED_JOB_STATES


class GemaServiceJobDelay(models.AbstractModel):
    """Delay notices of a service job (ST-5), inherited by
    ``gema.service.job``: a planned end past the promised completion flags
    the job, and the delay notice (reason, new estimate, apology,
    alternative) is the one way the promise moves later."""

    _name = "gema.service.job.delay"
    _description = "Service Job Delay Notice"

    def action_open_delay_wizard(self):
        """ST-5: announce a delay (reason, new estimate, apology, alternative)."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Delay Notice"),
            "res_model": "gema.service.job.delay.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_job_id": self.id},
        }

    def _flag_delays(self):
        """ST-5: a planned end past the promised completion needs a delay
        notice; setting the flag starts its time standard."""
        late = self.filtered(
            lambda j: j.promised_date
            and j.planned_stop
            and j.planned_stop > j.promised_date
            and not j.delay_required
            and j.state not in CLOSED_JOB_STATES
        )
        if late:
            late.sudo().write({"delay_required": True})

    def _record_delay(self, reason, new_estimate, apology, alternative, note):
        """ST-5: record the delay notice, move the promise, send it."""
        self.ensure_one()
        if self.state in CLOSED_JOB_STATES:
            raise UserError(self.env._("%(job)s is closed.", job=self.name))
        if new_estimate <= fields.Datetime.now():
            raise UserError(self.env._("The new estimate must be in the future."))
        # ST-8: the new estimate rests on the technician's confirmation of
        # the current plan, like the first promise.
        if not self.plan_confirmed:
            raise UserError(
                self.env._(
                    "Ask a technician of %(job)s to confirm the new planned end "
                    "before announcing the new estimate.",
                    job=self.name,
                )
            )
        if new_estimate < self.technician_confirmed_date:
            raise UserError(
                self.env._(
                    "The new estimate cannot be earlier than the planned end the "
                    "technician confirmed."
                )
            )
        values = {
            "delay_reason": reason,
            "delay_apology": apology,
            "delay_alternative": alternative,
            "delay_alternative_note": note or False,
            # delay_notice_date: when the notice left (_gema_sent_date_fields).
            "delay_notice_date": False,
            "delay_required": False,
            "delay_count": self.delay_count + 1,
        }
        values["promised_date"] = new_estimate
        # The delay notice is the one way to move the promise later; the
        # fields stay the user's part (the desk's).
        self._check_fields(values)
        with internal_write(self):
            self.write(values)
        return self._notify("gema_sop.mail_template_service_job_delay")
