from odoo import api, fields, models

from .gema_service_job import STATES


class GemaServiceJobStateLog(models.Model):
    """How long a job stayed in each state, for the reports.

    One line per state a job entered, closed when it leaves it, with the
    duration stored in calendar hours (the customer waits in calendar time;
    the SLA lines keep the working-time view). Managers average it per
    state, branch, service advisor or technician in the pivot.
    """

    _name = "gema.service.job.state.log"
    _description = "Service Job State History"
    _order = "date_start desc, id desc"

    job_id = fields.Many2one(
        "gema.service.job", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(
        related="job_id.company_id", store=True, index=True, string="Branch"
    )
    user_id = fields.Many2one(
        related="job_id.user_id", store=True, string="Service Advisor"
    )
    state = fields.Selection(STATES, required=True, index=True)
    date_start = fields.Datetime(string="Entered", required=True)
    date_end = fields.Datetime(string="Left")
    duration_hours = fields.Float(
        string="Hours in State",
        compute="_compute_duration_hours",
        store=True,
        aggregator="avg",
    )

    @api.depends("date_start", "date_end")
    def _compute_duration_hours(self):
        for log in self:
            log.duration_hours = (
                (log.date_end - log.date_start).total_seconds() / 3600
                if log.date_end
                else 0.0
            )

    def _close(self, when):
        self.write({"date_end": when})
