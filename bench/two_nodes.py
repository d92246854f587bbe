"""Two Odoo nodes on one database: nothing is processed twice.

Run with `bash bench/two_nodes.sh` (it installs a scratch database and
calls this script with the venv's python: CONFIG DATABASE RESULT).

What a chain that grows past one server does: two Odoo servers (different
ports, 2 HTTP workers and 2 cron threads each) on the same PostgreSQL
database, behind which the same scheduled actions wake on both. During a
bounded load they

- serve bookings: service advisors on both nodes create and confirm
  bookings over XML-RPC (erppeek), half of them racing another advisor on
  the other node for the same technician and time;
- run the SLA cron over due time-standard lines (stage by stage: at risk,
  breached with its violation and chatter note, manager escalation) and the
  WhatsApp sending cron over the confirmations queued for the branch's
  gateway (the project's fake Cloud API, on 127.0.0.1);
- while this script itself runs the SLA cron method in two more threads,
  as a manual run or a third node would.

Then it checks that every line moved through each stage once (one
violation, one breach note, one escalation activity per line), that the
fake API accepted each message once, that no technician holds two
overlapping slots and that each race had exactly one winner; which node ran
which cron is read from the servers' logs. The result goes to RESULT.
"""

import json
import random
import re
import socket
import subprocess
import sys
import threading
import time
import urllib.request
import xmlrpc.client
from collections import Counter
from contextlib import ExitStack, contextmanager
from datetime import datetime, timedelta, timezone
from pathlib import Path

import erppeek

import odoo
from odoo import SUPERUSER_ID, Command, api
from odoo.modules.registry import Registry
from odoo.tools import SQL, config

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "gema_sop" / "tests"))
from whatsapp_fake_server import FakeWhatsAppServer  # noqa: E402

ADVISORS = 4  # per node
BOOKINGS_PER_ADVISOR = 12
TECHNICIANS = 6
DUE_LINES = 600
DEADLINE_SECONDS = 300


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _odoo_script():
    root = Path(odoo.__file__).parent.parent
    for candidate in ("odoo-bin", "setup/odoo"):
        if (root / candidate).is_file():
            return str(root / candidate)
    raise SystemExit(f"no odoo-bin nor setup/odoo in {root}")


@contextmanager
def node(conf, db, log):
    """An Odoo server with 2 workers and 2 cron threads; yields its URL."""
    port = _free_port()
    with open(log, "wb") as out:
        process = subprocess.Popen(
            [
                sys.executable,
                _odoo_script(),
                "server",
                "-c",
                conf,
                "-d",
                db,
                f"--db-filter=^{db}$",
                f"--http-port={port}",
                f"--gevent-port={_free_port()}",
                "--http-interface=127.0.0.1",
                "--workers=2",
                "--max-cron-threads=2",
                "--log-level=info",
            ],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                with urllib.request.urlopen(f"{url}/web/health", timeout=2):
                    break
            except OSError as error:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit(f"node did not start: {log}") from error
                time.sleep(0.5)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=60)


def setup(registry, fake):
    """The bench branch (open every day, all day, so that the run works at
    any hour), its gateway on the fake API, technicians, advisors, and
    DUE_LINES time-standard lines already past their deadline; committed."""
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        stamp = time.time_ns()
        calendar = env["resource.calendar"].create(
            {
                "name": f"Bench two nodes {stamp}",
                "tz": "Asia/Jakarta",
                "hours_per_day": 24,
                "attendance_ids": [Command.clear()]
                + [
                    Command.create(
                        {
                            "name": f"Day {day}",
                            "dayofweek": str(day),
                            "hour_from": 0,
                            "hour_to": 24,
                            "day_period": "morning",
                        }
                    )
                    for day in range(7)
                ],
            }
        )
        branch = env["res.company"].create(
            {
                "name": f"Bench two nodes {stamp}",
                "parent_id": env.ref("base.main_company").id,
                "resource_calendar_id": calendar.id,
                "gema_operating_calendar_id": calendar.id,
                "gema_whatsapp_gateway_enabled": True,
                "gema_whatsapp_api_url": fake.api_url,
                "gema_whatsapp_phone_number_id": fake.phone_number_id,
                "gema_whatsapp_access_token": fake.token,
            }
        )
        calendar.company_id = branch
        technicians = env["hr.employee"].create(
            [
                {
                    "name": f"Technician {n}",
                    "company_id": branch.id,
                    "resource_calendar_id": calendar.id,
                    "gema_technician": True,
                }
                for n in range(TECHNICIANS)
            ]
        )
        service = env["gema.service.type"].create(
            {"name": f"Bench service {stamp}", "duration": 0.5}
        )
        group = env.ref("gema_sop.group_service_advisor")
        advisors = []
        for n in range(2 * ADVISORS):
            login = f"bench_advisor_{stamp}_{n}"
            user = env["res.users"].create(
                {
                    "name": f"Bench advisor {n}",
                    "login": login,
                    "password": login,
                    "company_id": branch.id,
                    "company_ids": [Command.set(branch.ids)],
                    "groups_id": [Command.link(group.id)],
                }
            )
            env["hr.employee"].create(
                {"name": user.name, "user_id": user.id, "company_id": branch.id}
            )
            advisors.append(login)
        documents = env["gema.sop.document"].create(
            [
                {
                    "number": f"TWO-NODES/{stamp}/{n}",
                    "name": "Bench",
                    "sop": "BK",
                    "company_id": branch.id,
                    "user_id": env.ref("base.user_admin").id,
                }
                for n in range(DUE_LINES)
            ]
        )
        admin = env.ref("base.user_admin")
        if not admin.employee_ids:
            env["hr.employee"].create({"name": admin.name, "user_id": admin.id})
        policy = env["gema.sla.policy"].create(
            {
                "name": f"Bench: answered within 5 minutes {stamp}",
                "sop": "BK",
                "model_id": env["ir.model"]._get_id("gema.sop.document"),
                "duration": 5,
                "duration_unit": "minutes",
                "time_mode": "calendar",
                "violation_type": "bk_no_reply",
                "active": False,  # its lines are made below, already late
            }
        )
        now = env.cr.now()
        lines = env["gema.sla.status"].create(
            [
                {
                    "policy_id": policy.id,
                    "res_model": "gema.sop.document",
                    "res_id": document.id,
                    "company_id": branch.id,
                    "user_id": admin.id,
                    "start": now - timedelta(minutes=30),
                    "at_risk_at": now - timedelta(minutes=26),
                    "deadline": now - timedelta(minutes=25),
                    "manager_deadline": now - timedelta(minutes=20),
                    "next_check": now - timedelta(minutes=26),
                }
                for document in documents
            ]
        )
        return {
            "branch": branch.id,
            "service": service.id,
            "technicians": technicians.ids,
            "advisors": advisors,
            "lines": lines.ids,
            "documents": documents.ids,
            "tz_offset_hours": 7,
        }


def advisor_load(url, db, login, plan, outcomes):
    """Create and confirm this advisor's bookings over XML-RPC."""
    client = erppeek.Client(url, db, login, login)
    for booking_values, slot in plan:
        booking_id = client.create("gema.booking", booking_values)
        client.write("gema.booking", [booking_id], slot)
        try:
            client.execute("gema.booking", "action_confirm", [booking_id])
            outcomes.append(("confirmed", booking_id, slot))
        except xmlrpc.client.Fault as fault:
            outcomes.append(("refused", booking_id, slot, fault.faultString[-200:]))


def plans(context):
    """Each advisor's bookings: (values, slot). Every second booking of an
    advisor on node A races the same booking of an advisor on node B for one
    technician and time; the others have a slot of their own."""
    rng = random.Random(7)
    start = (datetime.now(timezone.utc) + timedelta(days=2)).replace(
        minute=0, second=0, microsecond=0, tzinfo=None
    )

    def slots():
        for n in range(10**6):
            moment = start + timedelta(minutes=30 * (n // TECHNICIANS))
            yield {
                "employee_id": context["technicians"][n % TECHNICIANS],
                "start": moment.strftime("%Y-%m-%d %H:%M:%S"),
            }

    free = slots()
    result = {login: [] for login in context["advisors"]}
    a_side, b_side = context["advisors"][:ADVISORS], context["advisors"][ADVISORS:]
    for pair in zip(a_side, b_side, strict=True):
        for k in range(BOOKINGS_PER_ADVISOR):
            shared = next(free) if k % 2 == 0 else None
            for login in pair:
                slot = shared or next(free)
                values = {
                    "customer_name": f"Pelanggan {login[-1]} {k}",
                    "customer_phone": f"0812{rng.randrange(10**7, 10**8)}",
                    "license_plate": f"BK {rng.randrange(1000, 9999)} "
                    + "".join(rng.choice("ABCDEFGH") for _ in range(2)),
                    "vehicle_type": "Toyota Avanza",
                    "service_type_id": context["service"],
                    "channel": "phone",
                    "company_id": context["branch"],
                    "requested_start": slot["start"],
                }
                result[login].append((values, slot))
    return result


def wake_crons(registry, stop):
    """Make both scheduled actions due again and again, as their interval
    would: every node's cron threads wake on the notification."""
    while not stop.is_set():
        with registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            for xmlid in (
                "gema_sop.ir_cron_sla_process_due",
                "gema_sop.ir_cron_gema_message_send",
            ):
                env.ref(xmlid)._trigger()
        stop.wait(1.0)


def manual_runs(registry, stop, counts):
    """The SLA cron's method run by hand beside the nodes."""
    while not stop.is_set():
        with registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            counts.append(env["gema.sla.status"]._cron_process_due(batch_size=50))
        stop.wait(0.2)


def remaining(registry, context):
    with registry.cursor() as cr:
        cr.execute(
            SQL(
                "SELECT count(*) FROM gema_sla_status WHERE id = ANY(%s) "
                "AND escalation_stage < 3 AND next_check IS NOT NULL",
                context["lines"],
            )
        )
        lines = cr.fetchone()[0]
        cr.execute(
            SQL(
                "SELECT count(*) FROM gema_message WHERE company_id = %s "
                "AND state IN ('queued', 'sending')",
                context["branch"],
            )
        )
        return lines, cr.fetchone()[0]


def verify(registry, context, outcomes, fake):
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        lines = env["gema.sla.status"].browse(context["lines"])
        violations = Counter(lines.violation_ids.mapped("sla_status_id").ids)
        documents = env["gema.sop.document"].browse(context["documents"])
        notes = env["mail.message"].search_count(
            [
                ("model", "=", "gema.sop.document"),
                ("res_id", "in", documents.ids),
                ("body", "ilike", "Time standard breached"),
            ]
        )
        # Past their deadline already, the lines skip the at-risk warning:
        # each gets the supervisor's escalation (stage 2) and the manager's
        # (stage 3), one activity each.
        per_record = Counter(
            env["mail.activity"]
            .with_context(active_test=False)
            .search(
                [
                    ("res_model", "=", "gema.sop.document"),
                    ("res_id", "in", documents.ids),
                ]
            )
            .mapped("res_id")
        )
        messages = env["gema.message"].search([("company_id", "=", context["branch"])])
        cr.execute(
            SQL(
                """
                SELECT count(*) FROM gema_technician_slot a
                  JOIN gema_technician_slot b ON a.employee_id = b.employee_id
                   AND a.id < b.id AND a.active AND b.active
                   AND tsrange(a.start, a.stop) && tsrange(b.start, b.stop)
                 WHERE a.employee_id = ANY(%s)
                """,
                context["technicians"],
            )
        )
        overlaps = cr.fetchone()[0]
        races = Counter(
            (outcome[2]["employee_id"], outcome[2]["start"]) for outcome in outcomes
        )
        confirmed = Counter(
            (outcome[2]["employee_id"], outcome[2]["start"])
            for outcome in outcomes
            if outcome[0] == "confirmed"
        )
        raced = [key for key, n in races.items() if n == 2]
        return {
            "sla_lines": len(lines),
            "sla_lines_by_stage": dict(Counter(lines.mapped("escalation_stage"))),
            "lines_with_one_violation": sum(1 for n in violations.values() if n == 1),
            "lines_with_two_or_more_violations": sum(
                1 for n in violations.values() if n > 1
            ),
            "breach_notes": notes,
            "escalation_activities_per_record": dict(Counter(per_record.values())),
            "messages": len(messages),
            "messages_by_state": dict(Counter(messages.mapped("state"))),
            "api_accepted": sum(fake.accepted.values()),
            "api_accepted_twice": sum(1 for n in fake.accepted.values() if n > 1),
            "bookings_confirmed": sum(1 for o in outcomes if o[0] == "confirmed"),
            "bookings_refused": sum(1 for o in outcomes if o[0] == "refused"),
            "races": len(raced),
            "races_with_one_winner": sum(1 for key in raced if confirmed[key] == 1),
            "overlapping_slots": overlaps,
        }


def cron_runs(log):
    """{cron name: runs} of one node, from its log."""
    runs = Counter()
    for line in Path(log).read_text(errors="replace").splitlines():
        match = re.search(r"Job '(.+?)' \(\d+\) done in", line)
        if match:
            runs[match.group(1)] += 1
    return dict(runs)


def main(conf, db, result_path):
    config.parse_config(["-c", conf, "-d", db, "--no-http", "--log-level=warn"])
    odoo.service.server.load_server_wide_modules()
    registry = Registry(db)
    fake = FakeWhatsAppServer().start()
    logs = Path(result_path).with_suffix(".logs")
    logs.mkdir(exist_ok=True)
    try:
        context = setup(registry, fake)
        plan = plans(context)
        stop = threading.Event()
        outcomes, manual = [], []
        started = time.monotonic()
        with ExitStack() as stack:
            urls = [
                stack.enter_context(node(conf, db, logs / f"node_{name}.log"))
                for name in ("a", "b")
            ]
            helpers = [threading.Thread(target=wake_crons, args=(registry, stop))] + [
                threading.Thread(target=manual_runs, args=(registry, stop, manual))
                for _n in range(2)
            ]
            load = [
                threading.Thread(
                    target=advisor_load,
                    args=(urls[n // ADVISORS], db, login, plan[login], outcomes),
                )
                for n, login in enumerate(context["advisors"])
            ]
            for thread in helpers + load:
                thread.start()
            for thread in load:
                thread.join()
            load_seconds = time.monotonic() - started
            while remaining(registry, context) != (0, 0):
                if time.monotonic() - started > DEADLINE_SECONDS:
                    break
                time.sleep(1)
            drained_seconds = time.monotonic() - started
            stop.set()
            for thread in helpers:
                thread.join()
        checks = verify(registry, context, outcomes, fake)
        report = {
            "benchmark": "two_nodes",
            "date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
            "nodes": 2,
            "workers_per_node": 2,
            "cron_threads_per_node": 2,
            "advisors": len(context["advisors"]),
            "bookings_attempted": len(outcomes),
            "load_seconds": round(load_seconds, 1),
            "drained_seconds": round(drained_seconds, 1),
            "left_undone": dict(
                zip(
                    ("sla_lines", "messages"), remaining(registry, context), strict=True
                )
            ),
            "manual_sla_runs_beside_the_nodes": len(manual),
            "lines_processed_by_manual_runs": sum(manual),
            "cron_runs_node_a": cron_runs(logs / "node_a.log"),
            "cron_runs_node_b": cron_runs(logs / "node_b.log"),
            **checks,
        }
        problems = [
            check
            for check, ok in (
                (
                    "a line violated twice",
                    not checks["lines_with_two_or_more_violations"],
                ),
                (
                    "two escalations a line",
                    checks["escalation_activities_per_record"] == {2: DUE_LINES},
                ),
                (
                    "one breach note a line",
                    checks["breach_notes"] == len(context["lines"]),
                ),
                ("a message accepted twice", not checks["api_accepted_twice"]),
                ("overlapping slots", not checks["overlapping_slots"]),
                (
                    "one winner a race",
                    checks["races"] == checks["races_with_one_winner"],
                ),
                ("all done", report["left_undone"] == {"sla_lines": 0, "messages": 0}),
            )
            if not ok
        ]
        report["problems"] = problems
        Path(result_path).write_text(json.dumps(report, indent=2) + "\n")
        print(json.dumps(report, indent=2))
        return 1 if problems else 0
    finally:
        fake.stop()


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:4]))
