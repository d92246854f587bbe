# ruff: noqa: F821 - `env` is given by `odoo shell`, which runs this script.
"""Benchmark: the crons' claims and the SLA list on big tables.

Run with `bash bench/run.sh scale_plans` (an Odoo shell script on a scratch
database). Inserts by SQL (not measured) SLA_LINES SLA lines, of which
DUE are due and OPEN more are open, and BOOKINGS bookings of history with
CONFIRMED confirmed ahead and a few past their grace period; then times,
median/min/max of RUNS runs each:

- the SLA cron's claim of a batch of 200 and its count of what remains,
  as the code runs them, and as they were before (``ORDER BY next_check,
  id`` on the column index of ``next_check``, the whole backlog counted);
- a CS supervisor's SLA lines list (first page of 80, open lines: the
  default filter, and all), with and without the indexes on ``start``;
- the no-show cron's claim, as the code runs it and as the join it was;
- the H-1 reminder cron over REMIND bookings due (queries per booking).

The "before" variants run in the same run on the same rows (their indexes
swapped inside a savepoint). Everything is rolled back at the end.
"""

import json
import os
import statistics
import time
from datetime import datetime, timedelta, timezone

from odoo import fields
from odoo.tools import SQL

SLA_LINES = int(os.environ.get("BENCH_SLA_LINES", "1000000"))
DUE = int(os.environ.get("BENCH_DUE", "100000"))
OPEN = int(os.environ.get("BENCH_OPEN", "20000"))
BOOKINGS = int(os.environ.get("BENCH_BOOKINGS", "1000000"))
CONFIRMED = int(os.environ.get("BENCH_CONFIRMED", "5000"))
REMIND = int(os.environ.get("BENCH_REMIND", "50"))
RUNS = 5
RESULT = os.environ["BENCH_RESULT"]
OLD_CLAIM = (
    "SELECT id FROM gema_sla_status WHERE next_check <= %s "
    "ORDER BY next_check, id LIMIT 200 FOR UPDATE SKIP LOCKED"
)
OLD_NO_SHOW = (
    "SELECT b.id FROM gema_booking b JOIN res_company c ON c.id = b.company_id "
    "WHERE b.state = 'confirmed' AND b.start <= %s "
    "AND b.start + make_interval(mins => COALESCE("
    "c.gema_booking_no_show_grace, 30)) <= %s "
    "ORDER BY b.start, b.id LIMIT 200 FOR UPDATE OF b SKIP LOCKED"
)


def timed(function):
    """Median, min and max in ms of RUNS calls, after one warm-up."""
    function()
    times = []
    for _run in range(RUNS):
        started = time.perf_counter()
        function()
        times.append((time.perf_counter() - started) * 1000)
    return {
        "median_ms": round(statistics.median(times), 2),
        "min_ms": round(min(times), 2),
        "max_ms": round(max(times), 2),
    }


def plan(query):
    rows = env.execute_query(SQL("EXPLAIN %s", query))
    return " / ".join(row[0].strip() for row in rows[:4])


def run_sql(query):
    return lambda: env.execute_query(query)


def insert_sla_lines(now):
    policy = env["gema.sla.policy"].create(
        {
            "name": "Bench: scale",
            "sop": "BK",
            "model_id": env["ir.model"]._get_id("gema.sop.document"),
            "duration": 10,
            "duration_unit": "minutes",
        }
    )
    other = env["res.company"].create({"name": "Bench other branch"})
    env.cr.execute(
        SQL(
            """
            INSERT INTO gema_sla_status (policy_id, res_model, res_id,
                company_id, start, at_risk_at, deadline, state, result,
                escalation_stage, next_check)
            SELECT %(policy)s, 'gema.sop.document', n,
                   CASE WHEN mod(n, 2) = 0 THEN %(company)s ELSE %(other)s END,
                   t.start, t.start + interval '8 minutes',
                   t.start + interval '10 minutes',
                   CASE WHEN n > %(open)s THEN 'done' ELSE 'running' END,
                   'on_time', 0,
                   CASE WHEN n > %(open)s THEN NULL
                        ELSE t.start + interval '8 minutes' END
              FROM generate_series(1, %(total)s) n,
                   LATERAL (SELECT %(now)s::timestamp - interval '8 minutes'
                       + CASE WHEN n <= %(due)s THEN -(n * interval '1 second')
                              WHEN n <= %(open)s THEN n * interval '1 second'
                              ELSE -(n * interval '1 minute') END AS start) t
            """,
            policy=policy.id,
            company=env.company.id,
            other=other.id,
            now=now,
            due=DUE,
            open=DUE + OPEN,
            total=SLA_LINES,
        )
    )
    env.cr.execute("ANALYZE gema_sla_status")


def sla_claim(now):
    Status = env["gema.sla.status"]
    due = Status._due_query(now, 200)
    claim = SQL("%s FOR UPDATE SKIP LOCKED", due)
    count = SQL("SELECT COUNT(*) FROM (%s) due", due)
    result = {
        "claim": timed(run_sql(claim)),
        "remaining_count": timed(run_sql(count)),
        "claim_plan": plan(claim),
    }
    with env.cr.savepoint(flush=False) as savepoint:
        env.cr.execute(
            "DROP INDEX gema_sla_status_due_idx; "
            "CREATE INDEX gema_sla_status__next_check_index ON gema_sla_status "
            "(next_check) WHERE next_check IS NOT NULL; ANALYZE gema_sla_status"
        )
        old = SQL(OLD_CLAIM, now)
        old_count = Status._search([("next_check", "<=", now)])
        result["before_claim"] = timed(run_sql(old))
        result["before_remaining_count"] = timed(run_sql(old_count.select("COUNT(*)")))
        result["before_claim_plan"] = plan(old)
        savepoint.rollback()
    return result


def sla_list():
    supervisor = env["res.users"].create(
        {
            "name": "Bench supervisor",
            "login": "bench_supervisor",
            "company_id": env.company.id,
            "company_ids": [fields.Command.set(env.company.ids)],
            "groups_id": [
                fields.Command.link(env.ref("gema_sop.group_cs_supervisor").id)
            ],
        }
    )
    Status = env["gema.sla.status"].with_user(supervisor)
    open_domain = [("state", "in", ("running", "at_risk", "breached"))]

    def page(domain):
        def read():
            Status.search(domain, limit=80)
            env.invalidate_all()

        return read

    result = {
        "open": timed(page(open_domain)),
        "all": timed(page([])),
        "open_plan": plan(
            Status._search(open_domain, limit=80, order=Status._order).select()
        ),
    }
    with env.cr.savepoint(flush=False) as savepoint:
        env.cr.execute(
            "DROP INDEX gema_sla_status_start_idx; "
            "DROP INDEX gema_sla_status_open_start_idx; ANALYZE gema_sla_status"
        )
        result["before_open"] = timed(page(open_domain))
        result["before_all"] = timed(page([]))
        savepoint.rollback()
    return result


def no_show(now):
    env.cr.execute(
        SQL(
            """
            INSERT INTO gema_booking (name, state, channel, customer_name,
                customer_phone, license_plate, vehicle_type, company_id,
                start, stop)
            SELECT 'BENCH/' || n, CASE
                       WHEN n > %(history)s THEN 'confirmed'
                       WHEN mod(n, 10) = 0 THEN 'no_show'
                       WHEN mod(n, 10) = 1 THEN 'cancelled'
                       ELSE 'arrived' END,
                   'whatsapp', 'Customer', '+6281234567890', 'BK 1 A', 'Car',
                   %(company)s, t.start, t.start + interval '1 hour'
              FROM generate_series(1, %(total)s) n,
                   LATERAL (SELECT %(now)s::timestamp - interval '1 hour'
                       + (n - %(history)s - 100) * interval '1 minute' AS start) t
            """,
            history=BOOKINGS - CONFIRMED,
            total=BOOKINGS,
            company=env.company.id,
            now=now,
        )
    )
    env.cr.execute("ANALYZE gema_booking")
    Booking = env["gema.booking"]

    def claim():
        for query in Booking._no_show_queries(now):
            env.execute_query(SQL("%s LIMIT 200 FOR UPDATE SKIP LOCKED", query))

    first = Booking._no_show_queries(now)[0]
    old = SQL(OLD_NO_SHOW, now, now)
    return {
        "bookings": BOOKINGS,
        "confirmed": CONFIRMED,
        "claim": timed(claim),
        "claim_plan": plan(SQL("%s LIMIT 200 FOR UPDATE SKIP LOCKED", first)),
        "before_claim": timed(run_sql(old)),
        "before_claim_plan": plan(old),
    }


def reminders():
    """REMIND bookings confirmed for the branch's next working day, each
    with its customer; the cron run RUNS times, each rolled back."""
    company = env.company
    calendar = company._gema_operating_calendar()
    tz = company._gema_tz()
    today = fields.Datetime.context_timestamp(
        env.user.with_context(tz=tz), fields.Datetime.now()
    ).date()
    day = calendar._gema_shift_day(today, 1)
    start = datetime.combine(day, datetime.min.time()) + timedelta(hours=2)
    partner = env["res.partner"].create({"name": "Bench", "mobile": "+6281234567890"})
    env.cr.execute(
        SQL(
            """
            INSERT INTO gema_booking (name, state, channel, customer_name,
                customer_phone, license_plate, vehicle_type, company_id,
                partner_id, start, stop, user_id, reminder_due)
            SELECT 'BENCH/R' || n, 'confirmed', 'whatsapp', 'Customer',
                   '+6281234567890', 'BK ' || n || ' A', 'Car', %s, %s,
                   %s::timestamp, %s::timestamp + interval '1 hour', %s, true
              FROM generate_series(1, %s) n
            """,
            company.id,
            partner.id,
            start,
            start,
            env.ref("base.user_admin").id,
            REMIND,
        )
    )
    Booking = env["gema.booking"]
    times, queries, planned = [], [], 0
    for _run in range(RUNS + 1):
        with env.cr.savepoint(flush=False) as savepoint:
            before = env.cr.sql_log_count
            started = time.perf_counter()
            planned = len(Booking._cron_remind())
            env.flush_all()
            times.append((time.perf_counter() - started) * 1000)
            queries.append(env.cr.sql_log_count - before)
            savepoint.rollback()
            env.invalidate_all()
    times, queries = times[1:], queries[1:]
    return {
        "due_bookings": REMIND,
        "planned": planned,
        "median_ms": round(statistics.median(times), 1),
        "min_ms": round(min(times), 1),
        "max_ms": round(max(times), 1),
        "queries_per_booking": round(statistics.median(queries) / REMIND, 1),
    }


results = {}
now = fields.Datetime.now()
with env.cr.savepoint(flush=False) as outer:
    started = time.perf_counter()
    insert_sla_lines(now)
    results["sla_lines"] = {
        "lines": SLA_LINES,
        "due": DUE,
        "open": DUE + OPEN,
        "insert_seconds": round(time.perf_counter() - started, 1),
    }
    results["sla_claim"] = sla_claim(now)
    print(json.dumps(results["sla_claim"]))
    results["sla_list"] = sla_list()
    print(json.dumps(results["sla_list"]))
    with env.cr.savepoint(flush=False) as savepoint:
        # Rolled back: its confirmed bookings ahead are not the reminders'.
        results["no_show"] = no_show(now)
        print(json.dumps(results["no_show"]))
        savepoint.rollback()
    results["reminders"] = reminders()
    print(json.dumps(results["reminders"]))
    outer.rollback()

report = {
    "benchmark": "scale_plans",
    "date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
    "results": results,
}
with open(RESULT, "w") as handle:
    json.dump(report, handle, indent=2)
env.cr.rollback()
