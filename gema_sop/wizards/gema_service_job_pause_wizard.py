from odoo import fields, models


class GemaServiceJobPauseWizard(models.TransientModel):
    """A technician pauses a job and says why (waiting for parts, ...)."""

    _name = "gema.service.job.pause.wizard"
    _description = "Pause a Service Job"

    job_id = fields.Many2one("gema.service.job", required=True, ondelete="cascade")
    reason = fields.Char(required=True, help="E.g. waiting for a spare part.")

    def action_confirm(self):
        self.ensure_one()
        self.job_id._pause(self.reason)
        return {"type": "ir.actions.act_window_close"}
