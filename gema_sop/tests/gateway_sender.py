"""A WhatsApp sender process, for test_gateway_faults and bench/gateway.

Runs the scheduled action *send queued WhatsApp messages* as a cron worker
does, through ``ir.cron._run_job`` (rounds of ``_add_progress`` and
``_callback``, committed after each, at most ten per run), run after run,
until no message is queued or being sent any more. It writes one JSON line
per run (messages handled, seconds) to its output file, so that the test
can tell what each of several senders did.

Usage: python gateway_sender.py ODOO_CONFIG DATABASE OUTPUT [--fast-retries]

``--fast-retries``: between runs, a queued message waiting for its retry
is due at once (the retry delays of minutes are not what the test waits
for).
"""

import contextlib
import json
import os
import sys
import threading
import time

from psycopg2.errors import SerializationFailure

import odoo
from odoo import SUPERUSER_ID, api
from odoo.modules.registry import Registry
from odoo.tools import SQL, config


def run_once(registry, job, handled):
    """One run of the job by ``ir.cron._run_job`` itself; returns the
    number of messages handled (counted in ``handled`` by ``main``)."""
    before = sum(handled)
    registry["ir.cron"]._run_job(dict(job))
    return sum(handled) - before


def pending(registry, fast_retries):
    """Messages still queued or being sent (after making retries due)."""
    if fast_retries:
        # The other sender may hold or just have moved some of these rows:
        # skip them, and skip the round if PostgreSQL refuses it (another
        # round follows).
        with registry.cursor() as cr, contextlib.suppress(SerializationFailure):
            cr.execute(
                SQL(
                    "UPDATE gema_message SET next_try = now() at time zone 'utc' "
                    "WHERE id IN (SELECT id FROM gema_message WHERE state = 'queued' "
                    "AND next_try > now() at time zone 'utc' FOR UPDATE SKIP LOCKED)"
                )
            )
    with registry.cursor() as cr:
        cr.execute(
            SQL(
                "SELECT count(*) FROM gema_message WHERE state IN ('queued', 'sending')"
            )
        )
        return cr.fetchone()[0]


def main(conf, db, output, fast_retries):
    config.parse_config(["-c", conf, "-d", db, "--no-http", "--log-level=warn"])
    odoo.service.server.load_server_wide_modules()
    registry = Registry(db)
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        cron = env.ref("gema_sop.ir_cron_gema_message_send")
        [job] = env.execute_query_dict(
            SQL("SELECT *, 0 AS timed_out_counter FROM ir_cron WHERE id = %s", cron.id)
        )
    # Count what this process handled: the scheduled action calls the
    # method by name on the registry's class.
    handled = []
    Message = registry["gema.message"]
    send = Message._cron_send_queued

    def counted(self, *args, **kwargs):
        done = send(self, *args, **kwargs)
        handled.append(done)
        return done

    Message._cron_send_queued = counted
    with open(output, "a", encoding="utf-8") as out:
        while pending(registry, fast_retries):
            started = time.monotonic()
            done = run_once(registry, job, handled)
            line = {"pid": os.getpid(), "done": done}
            line["seconds"] = round(time.monotonic() - started, 3)
            out.write(json.dumps(line) + "\n")
            out.flush()
            if not done:
                # Another sender holds what is left. (Not time.sleep, which
                # fails under the moved clock: see whatsapp_fake_server.pause.)
                threading.Event().wait(0.05)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3], "--fast-retries" in sys.argv[4:])
