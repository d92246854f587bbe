# ruff: noqa: F821 - `env` is given by `odoo shell`, which runs this script.
"""Benchmark: a batch create of booking requests, SLA on and off, beside
OCA's helpdesk_mgmt_sla ticket create in the same run (G-4, BK-2).

Run with `bash bench/run.sh booking_create` (an Odoo shell script on a
scratch database with gema_sop and helpdesk_mgmt_sla, see
bench/booking_create_setup.sh). Each variant creates BATCH records in one
``create`` call, RUNS times after a warm-up, each run rolled back:

- gema: booking requests of BATCH new customers (each found or created by
  its WhatsApp number, with its vehicle by plate), with the booking SLA
  policies active (BK-2 first response, BK-6 reminder), then archived;
- helpdesk: tickets of a team with SLA on and two SLA policies (4 and 8
  hours in a working calendar), then with the team's SLA off.

Writes milliseconds and queries per record (median, min, max) and the SLA
part of each (on minus off).
"""

import json
import os
import platform
import statistics
import time
from datetime import timedelta

from odoo import fields

BATCH = int(os.environ.get("BENCH_BATCH", "2000"))
RUNS = int(os.environ.get("BENCH_RUNS", "5"))
RESULT = os.environ["BENCH_RESULT"]


def measure(create):
    """ms and queries per record of RUNS calls of ``create`` (each rolled
    back), after one warm-up."""
    times, queries = [], []
    for run in range(RUNS + 1):
        with env.cr.savepoint(flush=False) as savepoint:
            env.flush_all()
            env.invalidate_all()
            before = env.cr.sql_log_count
            started = time.perf_counter()
            create()
            env.flush_all()
            elapsed = (time.perf_counter() - started) * 1000 / BATCH
            count = (env.cr.sql_log_count - before) / BATCH
            savepoint.rollback()
        env.invalidate_all()
        if run:
            times.append(elapsed)
            queries.append(count)
    return {
        "ms_per_record": {
            "median": round(statistics.median(times), 2),
            "min": round(min(times), 2),
            "max": round(max(times), 2),
        },
        "queries_per_record": round(statistics.median(queries), 2),
    }


def gema_values():
    service = env["gema.service.type"].create({"name": "Bench", "duration": 1.0})
    start = fields.Datetime.now().replace(minute=0, second=0, microsecond=0)
    start += timedelta(days=3)
    return [
        {
            "customer_name": f"Pelanggan {index}",
            "customer_phone": f"08135{index:06d}",
            "license_plate": f"BK {index % 9999 + 1} {'ABCDEFGH'[index // 9999]}B",
            "vehicle_type": "Toyota Avanza",
            "service_type_id": service.id,
            "complaint": "Rem berdecit",
            "requested_start": start,
            "channel": "whatsapp",
            "company_id": env.company.id,
        }
        for index in range(BATCH)
    ]


def helpdesk_setup():
    calendar = env.company.resource_calendar_id
    team = env["helpdesk.ticket.team"].create(
        {"name": "Bench", "use_sla": True, "resource_calendar_id": calendar.id}
    )
    for name, hours in (("Bench 4 h", 4), ("Bench 8 h", 8)):
        env["helpdesk.sla"].create(
            {"name": name, "team_ids": [(6, 0, team.ids)], "hours": hours}
        )
    return team


def main():
    Booking = env["gema.booking"]
    values = gema_values()
    policies = env["gema.sla.policy"].search([("model", "=", "gema.booking")])
    team = helpdesk_setup()
    Ticket = env["helpdesk.ticket"]
    tickets = [
        {"name": f"Ticket {index}", "description": "<p>Rem</p>", "team_id": team.id}
        for index in range(BATCH)
    ]
    result = {
        "batch": BATCH,
        "runs": RUNS,
        "machine": f"{os.cpu_count()} cores, Python {platform.python_version()}",
        "date": fields.Date.today().isoformat(),
        "gema_sla_policies": policies.mapped("code"),
        "gema_sla_on": measure(lambda: Booking.create([dict(v) for v in values])),
    }
    # Flushed here: a change flushed inside a run would be rolled back with it.
    policies.active = False
    env.flush_all()
    result["gema_sla_off"] = measure(lambda: Booking.create([dict(v) for v in values]))
    policies.active = True
    env.flush_all()
    result["helpdesk_sla_on"] = measure(lambda: Ticket.create(tickets))
    team.use_sla = False
    env.flush_all()
    result["helpdesk_sla_off"] = measure(lambda: Ticket.create(tickets))
    for name in ("gema", "helpdesk"):
        on = result[f"{name}_sla_on"]["ms_per_record"]["median"]
        off = result[f"{name}_sla_off"]["ms_per_record"]["median"]
        result[f"{name}_sla_part_ms_per_record"] = round(on - off, 2)
    result["create_ratio_gema_to_helpdesk"] = round(
        result["gema_sla_on"]["ms_per_record"]["median"]
        / result["helpdesk_sla_on"]["ms_per_record"]["median"],
        2,
    )
    env.cr.rollback()
    with open(RESULT, "w") as out:
        json.dump(result, out, indent=2)
        out.write("\n")
    print(json.dumps(result, indent=2))


main()
