import json
import logging
from datetime import timedelta

from odoo import SUPERUSER_ID, api, fields, models
from odoo.tools import SQL

_logger = logging.getLogger(__name__)

STATES = [
    ("pending", "To Apply"),
    ("media", "Files to Fetch"),
    ("done", "Applied"),
    ("failed", "Failed"),
]
# Minutes before the n-th try again (the last one repeats).
RETRY_MINUTES = (1, 5, 15, 60)
# Tries before a delivery is left failed, for an administrator to look at.
MAX_ATTEMPTS = 10
# An applied delivery is deleted after this many days: the chatter keeps
# what the customer wrote, under the conversation's retention (CS-7, G-5).
KEEP_DAYS = 7
BATCH_SIZE = 50


class GemaWhatsappInbox(models.Model):
    """One delivery of the WhatsApp webhook, stored before it is applied
    (CS-2: what the customer sent is never lost).

    The signed body is committed first, in a transaction of its own, and
    applied at once after that, in another (``_apply_stored``). A delivery
    whose applying failed (a concurrent update, an error) stays *To Apply*
    with its error; one whose files could not be fetched (the Cloud API
    down) is *Files to Fetch*. The scheduled action applies them again,
    with a growing delay, until ``MAX_ATTEMPTS`` (then *Failed*). Applying
    twice changes nothing: a message already filed is skipped (its WhatsApp
    id), and statuses only move forward. Each delivery is locked while it
    is applied, so the request and the scheduled action never both do.
    """

    _name = "gema.whatsapp.inbox"
    _description = "WhatsApp Webhook Delivery"
    _order = "id desc"

    body = fields.Text(required=True, readonly=True)
    signature = fields.Char(readonly=True)
    company_ids = fields.Many2many("res.company", string="Branches", readonly=True)
    state = fields.Selection(
        STATES, default="pending", required=True, index=True, readonly=True
    )
    attempts = fields.Integer(readonly=True)
    last_error = fields.Text(readonly=True)
    next_try = fields.Datetime(readonly=True, default=fields.Datetime.now)
    applied_date = fields.Datetime(readonly=True)

    @api.model
    def _store(self, body, signature, companies):
        """Commit one delivery (the raw ``body`` as received, signed by the
        ``companies``' app secret); returns its id."""
        with self.env["gema.message"]._own_transaction() as Messages:
            return (
                Messages.env[self._name]
                .create(
                    {
                        "body": body.decode(),
                        "signature": signature,
                        "company_ids": companies.ids,
                    }
                )
                .id
            )

    @api.model
    def _apply_stored(self, delivery_id):
        """Apply one stored delivery in a transaction of its own (which sees
        it committed), in the system's name whatever session the call
        carried; skipped when being applied elsewhere or done."""
        with self.env["gema.message"]._own_transaction() as Messages:
            Inbox = Messages.env[self._name].with_user(SUPERUSER_ID)
            rows = Inbox.env.execute_query(
                SQL(
                    "SELECT id FROM gema_whatsapp_inbox WHERE id = %s "
                    "AND state IN ('pending', 'media') FOR UPDATE SKIP LOCKED",
                    delivery_id,
                )
            )
            if rows:
                Inbox.browse(delivery_id)._apply()

    def _apply(self):
        """Apply the delivery (or fetch its missing files); a failure is
        rolled back and kept on the delivery for the next try."""
        self.ensure_one()
        Webhook = self.env["gema.whatsapp.webhook"]
        try:
            with self.env.cr.savepoint():
                payload = json.loads(self.body)
                if self.state == "pending":
                    missing = Webhook._receive(payload, self.company_ids)[2]
                else:
                    missing = Webhook._fetch_missing_media(payload, self.company_ids)
        except Exception as error:  # keep the delivery, whatever failed
            _logger.exception("WhatsApp webhook delivery %s not applied", self.id)
            self._try_later(self.state, str(error))
            return
        if missing:
            self._try_later(
                "media",
                self.env._(
                    "%(count)s file(s) could not be fetched from WhatsApp.",
                    count=missing,
                ),
            )
        else:
            self.write(
                {
                    "state": "done",
                    "applied_date": fields.Datetime.now(),
                    "next_try": False,
                    "last_error": False,
                }
            )

    def _try_later(self, state, error):
        attempts = self.attempts + 1
        delay = RETRY_MINUTES[min(attempts, len(RETRY_MINUTES)) - 1]
        self.write(
            {
                "state": state if attempts < MAX_ATTEMPTS else "failed",
                "attempts": attempts,
                "last_error": error,
                "next_try": fields.Datetime.now() + timedelta(minutes=delay),
            }
        )

    @api.model
    def _cron_apply_pending(self, limit=BATCH_SIZE):
        """Apply the due deliveries left unapplied or with files to fetch,
        each in a transaction of its own, and delete the applied ones older
        than ``KEEP_DAYS``. Reports progress to ``ir.cron``."""
        self.env.flush_all()
        now = fields.Datetime.now()
        due = [("state", "in", ("pending", "media")), ("next_try", "<=", now)]
        deliveries = self.search(due, order="next_try, id", limit=limit)
        for delivery_id in deliveries.ids:
            self._apply_stored(delivery_id)
        self.env.invalidate_all()
        self.search(
            [
                ("state", "=", "done"),
                ("applied_date", "<", now - timedelta(days=KEEP_DAYS)),
            ]
        ).unlink()
        self.env["ir.cron"]._notify_progress(
            done=len(deliveries), remaining=self.search_count(due)
        )
        return len(deliveries)
