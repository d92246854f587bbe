# ruff: noqa: F821 - `env` is given by `odoo shell`, which runs this script.
"""Benchmark: one full pass of the SLA scheduled action over many open lines.

Run with `bash bench/run.sh sla_cron` (an Odoo shell script on a scratch
database). Inserts N open SLA lines with SQL (the set-up is not what is
measured), of which DUE are past their deadline, then calls the cron method
batch after batch until nothing is due, timing the pass and counting the
queries of each batch. Done for two totals of open lines with the same due
share, to show that the work per batch does not grow with the open lines.
The transaction is rolled back at the end.
"""

import json
import os
import time
from datetime import datetime, timezone

from odoo.tools import SQL

TOTALS = [int(n) for n in os.environ.get("BENCH_TOTALS", "10000,100000").split(",")]
DUE = int(os.environ.get("BENCH_DUE", "2000"))
BATCH = int(os.environ.get("BENCH_BATCH", "200"))
RESULT = os.environ["BENCH_RESULT"]


def insert_lines(env, total, due):
    """``total`` SOP documents with one open line each; ``due`` breached."""
    company = env.company
    user = env.ref("base.user_admin")
    if not user.employee_ids:
        env["hr.employee"].create({"name": user.name, "user_id": user.id})
    policy = env["gema.sla.policy"].create(
        {
            "name": "Bench: first response within 5 minutes",
            "sop": "BK",
            "model_id": env["ir.model"]._get_id("gema.sop.document"),
            "duration": 5,
            "duration_unit": "minutes",
            "time_mode": "calendar",
            "violation_type": "bk_no_reply",
        }
    )
    cr = env.cr
    cr.execute(
        SQL(
            """
            INSERT INTO gema_sop_document (number, name, sop, company_id, user_id,
                state, created_date, create_uid, write_uid, create_date, write_date)
            SELECT 'BENCH/' || n, 'Bench ' || n, 'BK', %(company)s, %(user)s,
                   'draft', now()::date, 1, 1, now(), now()
              FROM generate_series(1, %(total)s) n
            RETURNING id
            """,
            company=company.id,
            user=user.id,
            total=total,
        )
    )
    ids = [row[0] for row in cr.fetchall()]
    cr.execute(
        SQL(
            """
            INSERT INTO gema_sla_status (policy_id, res_model, res_id, company_id,
                user_id, start, at_risk_at, deadline, manager_deadline, state,
                result, escalation_stage, next_check, create_uid, write_uid,
                create_date, write_date)
            SELECT %(policy)s, 'gema.sop.document', doc.id, %(company)s, %(user)s,
                   t.start, t.start + interval '4 minutes',
                   t.start + interval '5 minutes', t.start + interval '10 minutes',
                   'running', 'on_time', 0,
                   t.start + interval '4 minutes', 1, 1, now(), now()
              FROM unnest(%(ids)s::int[]) WITH ORDINALITY AS doc(id, n),
                   LATERAL (SELECT (now() at time zone 'utc') + CASE
                                   WHEN doc.n <= %(due)s THEN interval '-7 minutes'
                                   ELSE interval '1 day' END AS start) t
            """,
            policy=policy.id,
            company=company.id,
            user=user.id,
            ids=ids,
            due=due,
        )
    )
    cr.execute("ANALYZE gema_sla_status")
    env.invalidate_all()


def full_pass(env):
    Status = env["gema.sla.status"]
    queries, batches = [], 0
    started = time.perf_counter()
    while True:
        before = env.cr.sql_log_count
        done = Status._cron_process_due(batch_size=BATCH)
        env.flush_all()
        if not done:
            break
        queries.append(env.cr.sql_log_count - before)
        batches += 1
        env.invalidate_all()
    return time.perf_counter() - started, batches, queries


results = []
for total in TOTALS:
    with env.cr.savepoint(flush=False) as savepoint:
        insert_lines(env, total, DUE)
        open_lines = env["gema.sla.status"].search_count([("state", "=", "running")])
        env.cr.execute(
            "EXPLAIN SELECT id FROM gema_sla_status WHERE next_check <= now() "
            "ORDER BY next_check, id LIMIT 200 FOR UPDATE SKIP LOCKED"
        )
        plan = " / ".join(row[0].strip() for row in env.cr.fetchall()[:3])
        seconds, batches, queries = full_pass(env)
        results.append(
            {
                "open_lines": open_lines,
                "due_lines": DUE,
                "batch_size": BATCH,
                "batches": batches,
                "pass_seconds": round(seconds, 2),
                "ms_per_due_line": round(seconds * 1000 / DUE, 2),
                "queries_per_batch_min": min(queries),
                "queries_per_batch_max": max(queries),
                "claim_query_plan": plan,
            }
        )
        print(json.dumps(results[-1]))
        savepoint.rollback()

report = {
    "benchmark": "sla_cron",
    "date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
    "results": results,
}
with open(RESULT, "w") as handle:
    json.dump(report, handle, indent=2)
env.cr.rollback()
