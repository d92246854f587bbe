# ruff: noqa: F821 - `env` is given by `odoo shell`, which runs this script.
"""Benchmark: the WhatsApp sender's throughput against the fake Cloud API.

Run with `bash bench/run.sh gateway` (an Odoo shell script on a scratch
database). Queues N messages (one per SOP document, as free text) for a
branch whose gateway is the project's fake API server
(gema_sop/tests/whatsapp_fake_server.py, on 127.0.0.1), then runs the
sending cron run after run until nothing is queued or being sent, timing
the whole drain and counting every SQL query of the process (the sender
works in cursors of its own). Done with a healthy API and with one that
fails 30 % of the requests (HTTP 500, answers after the timeout, dropped
connections, in equal parts); between runs, messages waiting for a retry
are made due at once (the retry delays of minutes are not measured).

The set-up is committed (the sender's own transactions must see it) and
removed afterwards.
"""

import json
import os
import time
from collections import Counter
from datetime import datetime, timezone

from odoo import sql_db
from odoo.addons.gema_sop.tests.whatsapp_fake_server import FakeWhatsAppServer
from odoo.tools import SQL

COUNT = int(os.environ.get("BENCH_MESSAGES", "200"))
FAILURE_RATES = [float(r) for r in os.environ.get("BENCH_FAILURES", "0,0.3").split(",")]
TIMEOUT = float(os.environ.get("BENCH_TIMEOUT", "1"))
RESULT = os.environ["BENCH_RESULT"]


def queue(env, fake):
    """A branch on the fake API and COUNT queued messages; committed."""
    stamp = time.time_ns()
    branch = env["res.company"].create(
        {
            "name": f"Bench gateway {stamp}",
            "parent_id": env.ref("base.main_company").id,
            "gema_whatsapp_gateway_enabled": True,
            "gema_whatsapp_api_url": fake.api_url,
            "gema_whatsapp_phone_number_id": fake.phone_number_id,
            "gema_whatsapp_access_token": fake.token,
        }
    )
    customer = env["res.partner"].create(
        {"name": f"Bench customer {stamp}", "mobile": "0812-3456-7890"}
    )
    customer.gema_whatsapp_last_inbound = env.cr.now()
    template = env["mail.template"].create(
        {
            "name": f"Bench notice {stamp}",
            "model_id": env["ir.model"]._get_id("gema.sop.document"),
            "body_html": "<p>Dokumen <t t-out='object.number'/> sudah siap.</p>",
        }
    )
    documents = env["gema.sop.document"].create(
        [
            {
                "number": f"BENCH/{stamp}/{n}",
                "name": "Bench",
                "sop": "BK",
                "company_id": branch.id,
            }
            for n in range(COUNT)
        ]
    )
    Message = env["gema.message"]
    ids = [
        Message._gema_send(document, template, "whatsapp_api", partner=customer).id
        for document in documents
    ]
    env.cr.commit()
    return branch, documents, ids


def drain(env):
    """Run the sender until nothing is queued or sending; (seconds, runs,
    queries)."""
    Message = env["gema.message"]
    runs = 0
    queries_before = sql_db.sql_counter
    started = time.perf_counter()
    while True:
        env.cr.execute(
            SQL(
                "UPDATE gema_message SET next_try = now() at time zone 'utc' "
                "WHERE state = 'queued' AND next_try > now() at time zone 'utc'"
            )
        )
        env.cr.commit()
        if not Message.search_count([("state", "in", ("queued", "sending"))]):
            break
        Message._cron_send_queued()
        env.cr.commit()
        runs += 1
    return time.perf_counter() - started, runs, sql_db.sql_counter - queries_before


env["ir.config_parameter"].set_param("gema_sop.whatsapp_timeout", str(TIMEOUT))
results = []
for rate in FAILURE_RATES:
    fake = FakeWhatsAppServer().start()
    try:
        if rate:
            fake.inject_faults(rate, seed=12, stall=TIMEOUT * 1.5)
        branch, documents, ids = queue(env, fake)
        seconds, runs, queries = drain(env)
        env.invalidate_all()
        messages = env["gema.message"].browse(ids)
        states = Counter(messages.mapped("state"))
        twice = sum(1 for n in fake.accepted.values() if n > 1)
        results.append(
            {
                "messages": COUNT,
                "failure_rate": rate,
                "call_timeout_seconds": TIMEOUT,
                "api_requests": len(fake.received),
                "runs": runs,
                "drain_seconds": round(seconds, 2),
                "messages_per_second": round(COUNT / seconds, 1),
                "queries_per_message": round(queries / COUNT, 1),
                "states": dict(states),
                "accepted_twice": twice,
            }
        )
        print(json.dumps(results[-1]))
    finally:
        fake.stop()
    # The documents go again, with their messages, chatter and SLA lines.
    documents.unlink()
    env.cr.commit()

report = {
    "benchmark": "gateway",
    "date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
    "results": results,
}
with open(RESULT, "w") as handle:
    json.dump(report, handle, indent=2)
env["ir.config_parameter"].set_param("gema_sop.whatsapp_timeout", "")
env.cr.commit()
