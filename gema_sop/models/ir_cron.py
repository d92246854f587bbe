import time

from odoo import models


class IrCron(models.Model):
    """Each run of a scheduled action knows when it started.

    ``ir.cron`` calls a job's method again and again within one run while
    it reports remaining work (``_notify_progress``), up to ten times, and
    the cron worker that runs it is killed past ``limit_time_real``. A
    method that waits on the network (the WhatsApp sender) reads the run's
    start from the context (``gema_cron_run_start``, on the process's
    monotonic clock) to stop before that limit, however slow the network.
    """

    _inherit = "ir.cron"

    def _add_progress(self, *, timed_out_counter=None):
        cron, progress = super()._add_progress(timed_out_counter=timed_out_counter)
        if "gema_cron_run_start" not in cron.env.context:
            cron = cron.with_context(gema_cron_run_start=time.monotonic())
        return cron, progress
