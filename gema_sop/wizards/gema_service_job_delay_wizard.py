from odoo import api, fields, models

from ..models.gema_service_job import ALTERNATIVES


class GemaServiceJobDelayWizard(models.TransientModel):
    """The delay notice of a job (ST-5).

    The service advisor gives the reason, the new estimate (confirmed with
    the technician), an apology and an alternative offered to the customer;
    confirming records them on the job, moves the promised completion (the
    only way to move it later) and sends the delay template.
    """

    _name = "gema.service.job.delay.wizard"
    _description = "Service Job Delay Notice"

    job_id = fields.Many2one("gema.service.job", required=True, ondelete="cascade")
    promised_date = fields.Datetime(
        related="job_id.promised_date", string="Promised Until Now"
    )
    reason = fields.Text(
        required=True,
        help="In plain words, e.g. the spare part arrives tomorrow morning.",
    )
    new_estimate = fields.Datetime(
        required=True,
        compute="_compute_new_estimate",
        store=True,
        readonly=False,
        help="Not earlier than the planned end the technician confirmed (ST-8).",
    )
    apology = fields.Text(
        required=True,
        compute="_compute_apology",
        store=True,
        readonly=False,
        help="Sent to the customer in their language; adapt it as needed.",
    )
    alternative = fields.Selection(
        ALTERNATIVES, string="Alternative Offered", required=True
    )
    alternative_note = fields.Char(
        string="Details", help="E.g. 10% off the labour, delivery to the home address."
    )
    channel = fields.Selection(
        [("whatsapp_link", "WhatsApp (click-to-chat)"), ("email", "Email")],
        string="Send By",
        required=True,
        default="whatsapp_link",
    )

    @api.depends("job_id")
    def _compute_new_estimate(self):
        """The planned end the technician confirmed (ST-8)."""
        for wizard in self:
            wizard.new_estimate = wizard.job_id.technician_confirmed_date

    @api.depends("job_id")
    def _compute_apology(self):
        """A polite apology in the customer's language (G-3)."""
        for wizard in self:
            env = wizard.with_context(
                lang=wizard.job_id.partner_id.lang or self.env.lang
            ).env
            wizard.apology = env._(
                "We sincerely apologise for the delay and for the inconvenience "
                "it causes you."
            )

    def action_confirm(self):
        self.ensure_one()
        return self.job_id.with_context(gema_channel=self.channel)._record_delay(
            self.reason,
            self.new_estimate,
            self.apology,
            self.alternative,
            self.alternative_note,
        )
