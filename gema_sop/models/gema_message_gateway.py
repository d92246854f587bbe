import logging
import time
from contextlib import contextmanager
from datetime import timedelta

from psycopg2.extensions import TransactionRollbackError

from odoo import api, fields, models
from odoo.tools import SQL, config

from ..tools import whatsapp

_logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
# Minutes before the next try, after the 1st, 2nd, 3rd, ... failed attempt.
RETRY_MINUTES = [1, 5, 15, 60]
BATCH_SIZE = 20
# Seconds one run of the sending cron may spend (system parameter
# gema_sop.whatsapp_send_budget), never more than half the real-time limit
# of the worker that runs it (limit_time_real, 120 s by default).
SEND_BUDGET = 45
# PostgreSQL advisory lock class of the messages being sent: the sender holds
# (NAMESPACE, message id) in its cron transaction while the call is under way.
SENDING_LOCK = 0x67656D61  # "gema"


class NoConsent(Exception):
    """The customer may not get an automatic WhatsApp message now (G-5):
    no opt-in and no open service window, or a withdrawn consent."""


class GemaMessageGateway(models.AbstractModel):
    """The sending of queued customer messages through the WhatsApp Cloud
    API, part of ``gema.message`` (which inherits it).

    Each message is claimed (*Sending*, committed) before its call and its
    outcome committed after it, each in a transaction of its own, so a
    message accepted by WhatsApp is never sent again, whatever happens to
    the sender; a message found *Sending* without its sender is *To Check*,
    never resent blindly. A run stops by its time budget, well within the
    worker's real-time limit, and reports its progress to ``ir.cron``.
    """

    _name = "gema.message.gateway"
    _description = "Customer Message Gateway"

    def _deliver(self, timeout=whatsapp.TIMEOUT):
        """Send one claimed message through the WhatsApp Cloud API.

        Within the customer service window (24 hours after the customer's
        last message) the text is sent; outside it, the approved template if
        the message template names one, else the text anyway (WhatsApp then
        answers with error 131047). A 131047 on the text falls back to the
        approved template, once. Returns the values to write on success;
        raises ``WhatsAppError`` otherwise.
        """
        self.ensure_one()
        # sudo: the access token is readable by administrators only, and the
        # gateway sends for every user; nothing of it leaves this method.
        company = self.company_id.sudo()
        if not company.gema_whatsapp_gateway_enabled:
            raise whatsapp.WhatsAppError(
                self.env._(
                    "Automatic WhatsApp sending is turned off for %(branch)s.",
                    branch=company.name,
                )
            )
        gateway = (
            company.gema_whatsapp_api_url,
            company.gema_whatsapp_phone_number_id,
            company.gema_whatsapp_access_token,
        )
        options = {"ref": whatsapp.reference(self.id), "timeout": timeout}
        template = self.template_id
        in_window = (
            bool(self.partner_id) and self.partner_id._gema_whatsapp_window_open()
        )
        if template.gema_whatsapp_template_name and (
            self.used_template_fallback or not in_window
        ):
            return self._deliver_template(gateway, options)
        try:
            wamid = whatsapp.send_text(*gateway, self.phone, self.body, **options)
        except whatsapp.WhatsAppError as error:
            if not error.needs_template:
                raise
            if not template.gema_whatsapp_template_name:
                raise whatsapp.WhatsAppError(
                    self.env._(
                        "The customer has not written in the last 24 hours, so "
                        "WhatsApp only accepts an approved template. Set the "
                        "WhatsApp template name on the message template. "
                        "(%(error)s)",
                        error=error,
                    ),
                    code=error.code,
                    status=error.status,
                ) from error
            return dict(
                self._deliver_template(gateway, options),
                used_template_fallback=True,
            )
        return {"whatsapp_message_id": wamid, "whatsapp_kind": "text"}

    def _deliver_template(self, gateway, options):
        template = self.template_id
        wamid = whatsapp.send_template(
            *gateway,
            self.phone,
            template.gema_whatsapp_template_name,
            template.gema_whatsapp_language or "id",
            template._gema_render_whatsapp_parameters(self.res_id),
            **options,
        )
        return {"whatsapp_message_id": wamid, "whatsapp_kind": "template"}

    def _record_failure(self, error, transient):
        """A failed attempt (already counted): retry later with a growing
        delay, or fail with a note on the record."""
        self.ensure_one()
        if transient and self.attempts < MAX_ATTEMPTS:
            delay = RETRY_MINUTES[min(max(self.attempts, 1), len(RETRY_MINUTES)) - 1]
            self.write(
                {
                    "state": "queued",
                    "last_error": str(error),
                    "next_try": fields.Datetime.now() + timedelta(minutes=delay),
                }
            )
            return
        self.write({"last_error": str(error), "state": "failed", "next_try": False})
        self._note_on_record(
            self.env._("The automatic WhatsApp message could not be sent:"),
            str(error),
        )

    def _record_held(self, reason):
        """The customer's consent was missing when the message's turn came
        (withdrawn after it was queued, or the window closed): no call was
        made; held, with a note on the record."""
        self.ensure_one()
        self.write(
            {
                "state": "no_consent",
                "last_error": reason,
                "next_try": False,
                "attempts": max(self.attempts - 1, 0),
            }
        )
        self._note_on_record(
            self.env._("The automatic WhatsApp message was not sent:"), reason
        )

    def _record_uncertain(self, reason):
        """The message may have reached the customer, or not: a person
        checks the chat (or WhatsApp's status webhook settles it)."""
        self.ensure_one()
        self.write({"state": "check", "last_error": reason, "next_try": False})
        self._note_on_record(
            self.env._(
                "The automatic WhatsApp message may or may not have reached "
                "the customer; it will not be sent again by itself:"
            ),
            reason,
        )

    def _record_outcome(self, outcome):
        """Write the outcome of the call on a claimed message: the values
        to write when WhatsApp accepted it, else the ``WhatsAppError`` (or
        ``NoConsent``: no call was made)."""
        self.ensure_one()
        if self.state != "sending":
            # Settled meanwhile: WhatsApp's status webhook named it.
            if isinstance(outcome, dict) and not self.whatsapp_message_id:
                self.write(outcome)
            return
        if isinstance(outcome, dict):
            self._mark_left(
                dict(
                    outcome,
                    state="sent",
                    sent_date=fields.Datetime.now(),
                    last_error=False,
                    next_try=False,
                ),
                quiet=True,
            )
        elif isinstance(outcome, NoConsent):
            self._record_held(str(outcome))
        elif outcome.uncertain:
            self._record_uncertain(
                self.env._(
                    "WhatsApp did not confirm the message (%(error)s). Check the "
                    "chat with the customer: then mark it sent, or send it again.",
                    error=outcome,
                )
            )
        else:
            self._record_failure(outcome, outcome.transient)

    @api.model
    def _cron_send_queued(self, limit=BATCH_SIZE):
        """Send the due queued gateway messages, one at a time, each claimed
        and then settled in a transaction of its own (see the class).

        At most ``limit`` messages per call, and no call to the API that,
        timing out, would end after the run's time budget. Reports
        progress to ``ir.cron``, which calls again while messages remain;
        a run out of time triggers the next run instead. Returns how many
        messages were handled.
        """
        # The caller's pending writes (tests, Run Manually) must be visible
        # to the sender's own transactions.
        self.env.flush_all()
        started = self.env.context.get("gema_cron_run_start") or time.monotonic()
        budget = self._send_budget()
        deadline = started + budget
        # A call that times out fits twice in a run's budget.
        timeout = min(self._call_timeout(), budget / 4)
        self._release_abandoned()
        done = 0
        out_of_time = False
        while done < limit:
            if time.monotonic() + whatsapp.longest_call(timeout) > deadline:
                out_of_time = True
                break
            message_id = self._claim_next()
            if not message_id:
                break
            self._send_claimed(message_id, timeout)
            done += 1
        remaining = self._due_count()
        if remaining and out_of_time and not done:
            self._trigger_cron()
        self.env["ir.cron"]._notify_progress(done=done, remaining=remaining)
        return done

    @api.model
    def _send_budget(self):
        """Seconds a run may spend: the system parameter
        ``gema_sop.whatsapp_send_budget`` (default ``SEND_BUDGET``), at most
        half the real-time limit of the worker."""
        budget = _float_param(self.env, "gema_sop.whatsapp_send_budget", SEND_BUDGET)
        limit = config.get("limit_time_real_cron") or 0
        if limit < 0:
            limit = config.get("limit_time_real") or 0
        if limit > 0:
            budget = min(budget, limit / 2)
        return max(budget, 1.0)

    @api.model
    def _call_timeout(self):
        """Seconds to wait for the API's answer (system parameter
        ``gema_sop.whatsapp_timeout``); after that the outcome is unknown."""
        return max(
            _float_param(self.env, "gema_sop.whatsapp_timeout", whatsapp.TIMEOUT), 0.5
        )

    @contextmanager
    def _own_transaction(self):
        """An environment on a new cursor, committed when the block ends
        without error: the sender's claims and outcomes are committed at
        once, each on its own, whatever becomes of the cron's transaction.
        (sudo: the sender is the system; it writes the delivery state of
        every user's messages.)"""
        with self.env.registry.cursor() as cr:
            yield self.with_env(self.env(cr=cr)).sudo()

    @api.model
    def _claim_next(self):
        """Claim the next due queued message: *Sending*, committed before
        the call. The cron's transaction holds its advisory lock until it
        ends, so a sender that dies leaves the message unlocked."""
        now = fields.Datetime.now()
        with self._own_transaction() as Messages:
            rows = Messages.env.execute_query(
                SQL(
                    "SELECT id FROM gema_message WHERE state = 'queued' "
                    "AND next_try <= %s ORDER BY next_try, id LIMIT 1 "
                    "FOR UPDATE SKIP LOCKED",
                    now,
                )
            )
            if not rows:
                return None
            message_id = rows[0][0]
            [(locked,)] = self.env.execute_query(
                SQL(
                    "SELECT pg_try_advisory_xact_lock(%s, %s)", SENDING_LOCK, message_id
                )
            )
            if not locked:
                return None  # another sender still holds it: leave it to that one
            Messages.browse(message_id).write(
                {
                    "state": "sending",
                    "sending_date": now,
                    "attempts": Messages.browse(message_id).attempts + 1,
                }
            )
        return message_id

    @api.model
    def _send_claimed(self, message_id, timeout):
        """Call the API for a claimed message, then commit its outcome."""
        with self._own_transaction() as Messages:
            message = Messages.browse(message_id)
            try:
                refusal = message._consent_refusal(message.partner_id)
                outcome = NoConsent(refusal) if refusal else message._deliver(timeout)
            except whatsapp.WhatsAppError as error:
                outcome = error
            except Exception as error:  # isolate each message
                _logger.exception("Customer message %s: unexpected error", message_id)
                outcome = whatsapp.WhatsAppError(str(error), uncertain=True)
        for _try in range(3):
            try:
                with self._own_transaction() as Messages:
                    Messages.browse(message_id)._record_outcome(outcome)
                return
            except TransactionRollbackError:
                # The status webhook wrote the message meanwhile: read again.
                continue
        _logger.error(
            "Customer message %s: outcome not recorded; it will be checked",
            message_id,
        )

    @api.model
    def _release_abandoned(self):
        """Messages left *Sending* by a sender that died (its lock is gone)
        may have reached the customer: to check, never resent blindly."""
        try:
            with self._own_transaction() as Messages:
                rows = Messages.env.execute_query(
                    SQL(
                        "SELECT id FROM gema_message WHERE state = 'sending' "
                        "ORDER BY id FOR UPDATE SKIP LOCKED"
                    )
                )
                for (message_id,) in rows:
                    [(free,)] = Messages.env.execute_query(
                        SQL(
                            "SELECT pg_try_advisory_xact_lock(%s, %s)",
                            SENDING_LOCK,
                            message_id,
                        )
                    )
                    if free:
                        Messages.browse(message_id)._record_uncertain(
                            Messages.env._(
                                "The sender stopped while this message was being "
                                "sent. Check the chat with the customer: then mark "
                                "it sent, or send it again."
                            )
                        )
        except TransactionRollbackError:
            # A sender settled one of them meanwhile; the next run looks again.
            _logger.info("Abandoned customer messages: checked at the next run")

    @api.model
    def _due_count(self):
        with self._own_transaction() as Messages:
            return Messages.search_count(
                [("state", "=", "queued"), ("next_try", "<=", fields.Datetime.now())]
            )


def _float_param(env, name, default):
    # sudo: a technical setting, read by the sender for every user.
    value = env["ir.config_parameter"].sudo().get_param(name)
    try:
        return float(value) if value else float(default)
    except ValueError:
        return float(default)
