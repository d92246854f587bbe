from dateutil.relativedelta import relativedelta

from odoo import api, fields, models

BATCH_SIZE = 200


class GemaRetentionMixin(models.AbstractModel):
    """The personal content of an SOP record is removed once its branch's
    retention period has passed (G-5, CS-7); the statistics stay.

    A model names the branch setting that holds the period in months
    (``_gema_retention_months_field``, on ``res.company``; 0 keeps
    everything), the date the period counts from
    (``_gema_retention_date_field``), the states whose records are past use
    (``_gema_retention_states``) and the values its personal fields get
    (``_gema_retention_cleared``). Its daily scheduled action calls
    ``_cron_remove_old_content``: the chatter (every message with its
    attachments and tracking), the attachments, the log of messages sent
    and those fields go, the followers are removed and
    ``content_removed_date`` says when.
    """

    _name = "gema.retention.mixin"
    _description = "SOP Record with a Retention Period"

    _gema_retention_months_field = None
    _gema_retention_date_field = None
    _gema_retention_states = ()
    _gema_retention_cleared = {}

    content_removed_date = fields.Datetime(
        string="Content Removed On",
        readonly=True,
        copy=False,
        help="The retention period had passed: the messages and contact data "
        "were removed, the statistics kept (CS-7).",
    )

    @api.model
    def _cron_remove_old_content(self, batch_size=BATCH_SIZE):
        """Remove the content of at most ``batch_size`` records whose
        branch's retention period has passed, and tell ``ir.cron`` whether
        more remain."""
        now = fields.Datetime.now()
        months_field = self._gema_retention_months_field
        companies = self.env["res.company"].search([(months_field, ">", 0)])
        records = self.browse()
        for company in companies:
            limit = now - relativedelta(months=company[months_field])
            records |= self.search(
                [
                    ("company_id", "=", company.id),
                    ("state", "in", self._gema_retention_states),
                    (self._gema_retention_date_field, "<", limit),
                    ("content_removed_date", "=", False),
                ],
                limit=batch_size - len(records),
            )
            if len(records) >= batch_size:
                break
        records._remove_content(now)
        self.env["ir.cron"]._notify_progress(
            done=len(records),
            remaining=0 if len(records) < batch_size else 1,
        )

    def _remove_content(self, when):
        # sudo: the retention job removes what no user may delete by hand.
        self.sudo().with_context(tracking_disable=True).write(
            dict(self._gema_retention_cleared, content_removed_date=when)
        )
        remove_history(self)


def remove_history(records):
    """Remove the chatter (every message with its attachments and
    tracking), the attachments, the log of messages sent and the followers
    of ``records`` (G-5): what the retention and a data subject's erasure
    (``gema.data.request``) take of any SOP record."""
    env = records.env
    # sudo: the retention and the erasure remove what no user may delete by
    # hand.
    domain = [("model", "=", records._name), ("res_id", "in", records.ids)]
    env["mail.message"].sudo().search(domain).unlink()
    linked = [("res_model", "=", records._name), ("res_id", "in", records.ids)]
    env["ir.attachment"].sudo().search(linked).unlink()
    env["gema.message"].sudo().search(linked).unlink()
    sudo = records.sudo()
    sudo.message_unsubscribe(partner_ids=sudo.message_partner_ids.ids)
