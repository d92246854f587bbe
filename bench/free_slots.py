# ruff: noqa: F821 - `env` is given by `odoo shell`, which runs this script.
"""Benchmark: the free-slot search of one branch for one day (BK-4), beside
the same search done by OCA's ``resource_booking`` (18.0) on the same data.

Run with `bash bench/run.sh free_slots` (an Odoo shell script on a scratch
database with gema_sop and resource_booking installed; see
``free_slots_setup.sh``). Builds, in one transaction rolled back at the end:

- a branch open Monday-Saturday 08:00-17:00 (Asia/Jakarta), a 1-hour service
  on a 30-minute grid, and TECHNICIANS technicians (users with an employee,
  a resource and a working calendar 08:00-12:00 and 13:00-17:00);
- BOOKINGS existing bookings, inserted with SQL (the set-up is not what is
  measured): each technician has 4 one-hour bookings every working day of
  the period, on every other hour, alternating from day to day, about half
  of the days past and half to come. Each one exists twice, once as
  gema_sop keeps it (``gema.booking`` holding a ``gema.technician.slot``)
  and once as resource_booking keeps it (``resource.booking`` confirmed, one
  ``resource.booking.combination`` per technician, its ``calendar.event``
  with the technician and the customer as attendees);
- then one more booking through the ORM in each addon, on the measured day.

Then, for one working day about a week ahead, times (median of RUNS runs
after one warm-up, the record cache cleared before each run) and counts the
SQL queries of:

- gema: ``gema.planner._free_slots(branch, service, day)``, the free
  start times of every technician;
- OCA, per technician: ``resource.booking._get_available_slots`` of a
  booking restricted to one combination, once per combination, which is
  what gives the same answer (the free start times of every technician);
- OCA, any technician: the same method on a booking of the type without a
  combination, which is what its portal calendar runs. It answers start
  times only, not who is free, and from the union of the technicians' free
  intervals, so it also offers times at which no single technician is free
  for the whole service; these are counted.

gema's answer and OCA's per-technician answer are checked to be the same
set of (technician, start).
"""

import json
import logging
import os
import platform
import statistics
import time
from datetime import datetime, timedelta
from datetime import time as dtime

import pytz

import odoo
from odoo import Command
from odoo.tools import SQL

TECHNICIANS = int(os.environ.get("BENCH_TECHNICIANS", "50"))
BOOKINGS = int(os.environ.get("BENCH_BOOKINGS", "200000"))
RUNS = int(os.environ.get("BENCH_RUNS", "5"))
RESULT = os.environ["BENCH_RESULT"]
TZ = "Asia/Jakarta"
PER_DAY = 4  # bookings of one technician on one working day
# One-hour cells of a technician's day (local hours), every other one booked.
CELLS = [8, 9, 10, 11, 13, 14, 15, 16]


def make_calendar(env, name, periods):
    return env["resource.calendar"].create(
        {
            "name": name,
            "tz": TZ,
            "attendance_ids": [Command.clear()]
            + [
                Command.create(
                    {
                        "name": f"{name} {day} {start}",
                        "dayofweek": str(day),
                        "hour_from": start,
                        "hour_to": stop,
                        "day_period": "morning" if start < 12 else "afternoon",
                    }
                )
                for day in range(6)
                for start, stop in periods
            ],
        }
    )


def build_branch(env):
    """Branch, service, technicians, customers, and OCA's type and
    combinations, all with the ORM."""
    operating = make_calendar(env, "Bench operating hours", [(8, 12), (12, 17)])
    branch = env["res.company"].create(
        {
            "name": "Bench Branch",
            "parent_id": env.ref("base.main_company").id,
            "resource_calendar_id": operating.id,
            "gema_operating_calendar_id": operating.id,
        }
    )
    operating.company_id = branch
    branch.gema_booking_slot_minutes = 30
    env = env(context=dict(env.context, allowed_company_ids=branch.ids))
    shifts = make_calendar(env, "Bench technician shifts", [(8, 12), (13, 17)])
    shifts.company_id = branch
    users = (
        env["res.users"]
        .with_context(no_reset_password=True)
        .create(
            [
                {
                    "name": f"Bench Technician {i:02d}",
                    "login": f"bench_technician_{i:02d}",
                    "company_id": branch.id,
                    "company_ids": [Command.set(branch.ids)],
                    "tz": TZ,
                    "groups_id": [
                        Command.set([env.ref("gema_sop.group_technician").id])
                    ],
                }
                for i in range(TECHNICIANS)
            ]
        )
    )
    employees = env["hr.employee"].create(
        [
            {
                "name": user.name,
                "user_id": user.id,
                "company_id": branch.id,
                "resource_calendar_id": shifts.id,
                "tz": TZ,
                "gema_technician": True,
            }
            for user in users
        ]
    )
    customers = env["res.partner"].create(
        [
            {"name": f"Bench Customer {i}", "phone": f"+628121{i:06d}"}
            for i in range(1000)
        ]
    )
    service = env["gema.service.type"].create(
        {"name": "Bench service (1 hour)", "duration": 1.0, "company_id": branch.id}
    )
    combinations = env["resource.booking.combination"].create(
        [
            {"resource_ids": [Command.set(employee.resource_id.ids)]}
            for employee in employees
        ]
    )
    booking_type = env["resource.booking.type"].create(
        {
            "name": "Bench service (1 hour)",
            "company_id": branch.id,
            "duration": 1.0,
            "slot_duration": 0.5,
            "resource_calendar_id": operating.id,
            "combination_assignment": "sorted",
            "combination_rel_ids": [
                Command.create({"combination_id": combination.id, "sequence": i})
                for i, combination in enumerate(combinations)
            ],
        }
    )
    return env, branch, employees, customers, service, booking_type, combinations


def first_monday(today, working_days_back):
    """The Monday at least ``working_days_back`` working days (Monday to
    Saturday) before this week's Monday: the first day of bookings."""
    this_monday = today - timedelta(days=today.weekday())
    return this_monday - timedelta(weeks=-(-working_days_back // 6))


def insert_bookings(
    env, branch, employees, customers, service, booking_type, combinations, base
):
    """BOOKINGS bookings, each as gema_sop and as resource_booking keep it."""
    cr = env.cr
    admin = env.ref("base.user_admin")
    cr.execute(
        SQL(
            """
            CREATE TEMP TABLE bench_booking ON COMMIT DROP AS
            SELECT n, tech.employee_id, tech.partner_id AS tech_partner_id,
                   tech.combination_id,
                   (%(customers)s::int[])[1 + mod(n, %(ncustomers)s)] AS customer_id,
                   start, start + interval '1 hour' AS stop,
                   nextval('gema_technician_slot_id_seq') AS slot_id,
                   nextval('gema_booking_id_seq') AS gema_id,
                   nextval('calendar_event_id_seq') AS event_id,
                   nextval('resource_booking_id_seq') AS oca_id
              FROM generate_series(0, %(total)s - 1) n
              JOIN unnest(%(employees)s::int[], %(partners)s::int[],
                          %(combinations)s::int[])
                   WITH ORDINALITY AS tech(employee_id, partner_id, combination_id, i)
                ON tech.i = 1 + mod(n, %(techs)s),
           LATERAL (SELECT n / %(techs)s / %(per_day)s AS workday,
                           mod(n / %(techs)s, %(per_day)s) AS j) k,
           LATERAL (SELECT (%(base)s::date + (k.workday / 6) * 7 + mod(k.workday, 6)
                            + make_interval(hours => (%(cells)s::int[])[
                                1 + mod(mod(n, %(techs)s) + k.workday, 2) + 2 * k.j]))
                           AT TIME ZONE %(tz)s AT TIME ZONE 'UTC' AS start) s
            """,
            customers=customers.ids,
            ncustomers=len(customers),
            total=BOOKINGS,
            employees=employees.ids,
            partners=employees.user_id.partner_id.ids,
            combinations=combinations.ids,
            techs=len(employees),
            per_day=PER_DAY,
            base=base,
            cells=CELLS,
            tz=TZ,
        )
    )
    common = SQL(
        "%s, %s, now() at time zone 'UTC', now() at time zone 'UTC'", admin.id, admin.id
    )
    # gema_sop: the slot holds the technician, the booking points to it.
    cr.execute(
        SQL(
            """
            INSERT INTO gema_technician_slot (id, res_model, res_id, employee_id,
                company_id, start, stop, active, create_uid, write_uid,
                create_date, write_date)
            SELECT slot_id, 'gema.booking', gema_id, employee_id, %(branch)s,
                   start, stop, true, %(common)s
              FROM bench_booking
            """,
            branch=branch.id,
            common=common,
        )
    )
    cr.execute(
        SQL(
            """
            INSERT INTO gema_booking (id, name, state, channel, customer_name,
                customer_phone, partner_id, license_plate, vehicle_type,
                service_type_id, requested_start, start, stop, employee_id,
                user_id, company_id, slot_id, create_uid, write_uid,
                create_date, write_date)
            SELECT gema_id, 'BENCH/' || n, 'confirmed', 'whatsapp', p.name,
                   p.phone, customer_id, 'BK ' || (1000 + mod(n, 9000)) || ' BEN',
                   'car', %(service)s, start, start, stop, employee_id,
                   %(admin)s, %(branch)s, slot_id, %(common)s
              FROM bench_booking JOIN res_partner p ON p.id = customer_id
            """,
            service=service.id,
            admin=admin.id,
            branch=branch.id,
            common=common,
        )
    )
    # resource_booking: the confirmed booking and its meeting, with the
    # technician and the customer invited (accepted), as its
    # _prepare_meeting_vals and action_confirm make them.
    cr.execute(
        SQL(
            """
            INSERT INTO calendar_event (id, name, start, stop, duration, allday,
                user_id, show_as, privacy, active, create_uid, write_uid,
                create_date, write_date)
            SELECT event_id, 'Bench booking ' || n, start, stop, 1.0, false,
                   %(admin)s, 'busy', 'public', true, %(common)s
              FROM bench_booking
            """,
            admin=admin.id,
            common=common,
        )
    )
    cr.execute(
        """
        INSERT INTO calendar_event_res_partner_rel (calendar_event_id, res_partner_id)
        SELECT event_id, tech_partner_id FROM bench_booking
         UNION ALL
        SELECT event_id, customer_id FROM bench_booking
        """
    )
    cr.execute(
        SQL(
            """
            INSERT INTO calendar_attendee (event_id, partner_id, state,
                availability, create_uid, write_uid, create_date, write_date)
            SELECT event_id, tech_partner_id, 'accepted', 'busy', %(common)s
              FROM bench_booking
             UNION ALL
            SELECT event_id, customer_id, 'accepted', 'busy', %(common)s
              FROM bench_booking
            """,
            common=common,
        )
    )
    cr.execute(
        SQL(
            """
            INSERT INTO resource_booking (id, meeting_id, combination_id, type_id,
                user_id, name, state, active, combination_auto_assign, start,
                stop, duration, create_uid, write_uid, create_date, write_date)
            SELECT oca_id, event_id, combination_id, %(type)s, %(admin)s,
                   'BENCH/' || n, 'confirmed', true, false, start, stop, 1.0,
                   %(common)s
              FROM bench_booking
            """,
            type=booking_type.id,
            admin=admin.id,
            common=common,
        )
    )
    cr.execute(
        """
        INSERT INTO res_partner_resource_booking_rel
               (resource_booking_id, res_partner_id)
        SELECT oca_id, customer_id FROM bench_booking
        """
    )
    cr.execute("SELECT min(start), max(stop) FROM bench_booking")
    period = cr.fetchone()
    for table in (
        "gema_technician_slot",
        "gema_booking",
        "calendar_event",
        "calendar_event_res_partner_rel",
        "calendar_attendee",
        "resource_booking",
        "res_partner_resource_booking_rel",
    ):
        cr.execute(SQL("ANALYZE %s", SQL.identifier(table)))
    env.invalidate_all()
    return period


def book_with_orm(
    env, branch, employee, customer, service, booking_type, combination, start
):
    """One more booking in each addon, made the way its users make them."""
    booking = env["gema.booking"]._create_request(
        {
            "customer_name": customer.name,
            "customer_phone": customer.phone,
            "license_plate": "BK 1 ORM",
            "vehicle_type": "car",
            "service_type_id": service.id,
            "complaint": "Bench booking made with the ORM",
            "requested_start": start,
            "channel": "phone",
            "company_id": branch.id,
        }
    )
    booking.write(
        {"employee_id": employee.id, "start": start, "stop": start + timedelta(hours=1)}
    )
    booking.action_confirm()
    oca = env["resource.booking"].create(
        {
            "type_id": booking_type.id,
            "partner_ids": [Command.set(customer.ids)],
            "combination_id": combination.id,
            "combination_auto_assign": False,
            "start": start,
        }
    )
    oca.action_confirm()
    env.flush_all()
    env.invalidate_all()


def measure(env, func):
    """Median wall time and queries of ``func()`` over RUNS runs after a
    warm-up, the record cache cleared before each; and its last answer."""
    func()
    times, queries = [], []
    for _run in range(RUNS):
        env.flush_all()
        env.invalidate_all()
        before = env.cr.sql_log_count
        started = time.perf_counter()
        answer = func()
        times.append(time.perf_counter() - started)
        queries.append(env.cr.sql_log_count - before)
    return {
        "median_ms": round(statistics.median(times) * 1000, 1),
        "min_ms": round(min(times) * 1000, 1),
        "max_ms": round(max(times) * 1000, 1),
        "queries": queries[-1],
        "queries_min_max": [min(queries), max(queries)],
    }, answer


class QueryLog(logging.Handler):
    """Collects the queries Odoo logs at DEBUG level with their duration."""

    def __init__(self):
        super().__init__(logging.DEBUG)
        self.queries = []

    def emit(self, record):
        ms, found, query = record.getMessage().partition(" ms] query: ")
        if found:
            self.queries.append((float(ms.lstrip("[")), query.strip()))


def slowest_query(env, func):
    """The slowest query of one more (unmeasured) run of ``func``, and the
    first lines of its plan: where the time goes as the data grows."""
    logger = logging.getLogger("odoo.sql_db")
    handler, level, propagate = QueryLog(), logger.level, logger.propagate
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    logger.propagate = False
    try:
        env.invalidate_all()
        func()
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
        logger.propagate = propagate
    ms, query = max(handler.queries)
    env.cr.execute("EXPLAIN ANALYZE " + query)
    plan = [
        line
        for line in (row[0].strip() for row in env.cr.fetchall())
        if "Scan" in line or "Rows Removed" in line or "Execution Time" in line
    ]
    return {
        "slowest_query_ms": round(ms, 1),
        "slowest_query": query[:300],
        "slowest_query_plan": " / ".join(plan[:6]),
    }


def to_utc(value):
    return value.astimezone(pytz.utc).replace(tzinfo=None)


def machine(env):
    env.cr.execute("SHOW server_version")
    model = ""
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            model = next(
                (
                    line.split(":", 1)[1].strip()
                    for line in cpuinfo
                    if line.startswith("model name")
                ),
                "",
            )
    except OSError:
        pass
    return {
        "cpus": os.cpu_count(),
        "cpu_model": model,
        "python": platform.python_version(),
        "postgresql": env.cr.fetchone()[0],
        "odoo": odoo.release.version,
        "resource_booking": env["ir.module.module"]
        .search([("name", "=", "resource_booking")])
        .latest_version,
    }


env = env(context=dict(env.context, tz=TZ, tracking_disable=True, mail_notrack=True))
with env.cr.savepoint(flush=False) as savepoint:
    setup_started = time.perf_counter()
    env, branch, employees, customers, service, booking_type, combinations = (
        build_branch(env)
    )
    today = datetime.now(pytz.timezone(TZ)).date()
    workdays = -(-BOOKINGS // (len(employees) * PER_DAY))
    base = first_monday(today, workdays // 2)
    period = insert_bookings(
        env, branch, employees, customers, service, booking_type, combinations, base
    )
    # The measured day: the Wednesday after next, booked like every day.
    day = today + timedelta(days=(2 - today.weekday()) % 7 + 7)
    day_start = pytz.timezone(TZ).localize(datetime.combine(day, dtime.min))
    day_stop = day_start + timedelta(days=1)
    # The ORM booking takes the first free hour of the first technician.
    parity = ((day - base).days // 7 * 6 + (day - base).days % 7) % 2
    orm_start = to_utc(day_start + timedelta(hours=CELLS[1 - parity]))
    book_with_orm(
        env,
        branch,
        employees[0],
        customers[0],
        service,
        booking_type,
        combinations[0],
        orm_start,
    )
    setup_seconds = time.perf_counter() - setup_started

    def gema_search():
        return env["gema.planner"]._free_slots(branch, service, day)

    def oca_search(combination=None):
        values = {
            "type_id": booking_type.id,
            "duration": 1.0,
            "combination_auto_assign": False,
        }
        if combination:
            values["combination_id"] = combination.id
        return (
            env["resource.booking"]
            .new(values)
            ._get_available_slots(day_start, day_stop)
        )

    def oca_search_each():
        return {
            combination.resource_ids.employee_id.id: oca_search(combination)
            for combination in combinations
        }

    gema, gema_slots = measure(env, gema_search)
    oca_each, oca_each_slots = measure(env, oca_search_each)
    oca_any, oca_any_slots = measure(env, oca_search)
    gema.update(slowest_query(env, gema_search))
    oca_each.update(slowest_query(env, oca_search_each))
    oca_any.update(slowest_query(env, oca_search))

    gema_pairs = {(slot["employee_id"], slot["start"]) for slot in gema_slots}
    oca_pairs = {
        (employee_id, to_utc(start))
        for employee_id, by_date in oca_each_slots.items()
        for starts in by_date.values()
        for start in starts
    }
    oca_any_starts = {
        to_utc(start) for starts in oca_any_slots.values() for start in starts
    }
    gema["slots"] = len(gema_slots)
    gema["distinct_start_times"] = len({start for _employee, start in gema_pairs})
    oca_each["slots"] = len(oca_pairs)
    oca_each["distinct_start_times"] = len({start for _employee, start in oca_pairs})
    gema_starts = {start for _employee, start in gema_pairs}
    oca_any["distinct_start_times"] = len(oca_any_starts)
    # Its union of the technicians' free intervals offers times at which
    # no single technician is free for the whole service.
    oca_any["start_times_no_technician_is_free"] = len(oca_any_starts - gema_starts)
    oca_any["free_start_times_missed"] = len(gema_starts - oca_any_starts)
    env.cr.execute("SELECT count(*) FROM gema_technician_slot WHERE active")
    gema_held = env.cr.fetchone()[0]
    env.cr.execute("SELECT count(*) FROM resource_booking WHERE meeting_id IS NOT NULL")
    oca_held = env.cr.fetchone()[0]
    report = {
        "benchmark": "free_slots",
        "date": datetime.now(pytz.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": machine(env),
        "sizes": {
            "technicians": len(employees),
            "existing_bookings_gema": gema_held,
            "existing_bookings_resource_booking": oca_held,
            "calendar_events": env["calendar.event"].search_count([]),
            "bookings_from": str(period[0]),
            "bookings_until": str(period[1]),
            "day": str(day),
            "service_hours": 1.0,
            "slot_minutes": 30,
            "setup_seconds": round(setup_seconds, 1),
            "runs": RUNS,
        },
        "gema_free_slots": gema,
        "resource_booking_per_technician": oca_each,
        "resource_booking_any_technician": oca_any,
        "same_answer": gema_pairs == oca_pairs,
    }
    print(json.dumps(report, indent=2))
    savepoint.rollback()

with open(RESULT, "w") as handle:
    json.dump(report, handle, indent=2)
print(
    f"free slots of {report['sizes']['technicians']} technicians on {day}, "
    f"{report['sizes']['existing_bookings_gema']} bookings:\n"
    f"  gema _free_slots:                 {gema['median_ms']:>9} ms "
    f"{gema['queries']:>6} queries {gema['slots']:>4} slots\n"
    f"  resource_booking, per technician:      {oca_each['median_ms']:>9} ms "
    f"{oca_each['queries']:>6} queries {oca_each['slots']:>4} slots\n"
    f"  resource_booking, any technician:      {oca_any['median_ms']:>9} ms "
    f"{oca_any['queries']:>6} queries {oca_any['distinct_start_times']:>4} start times "
    f"({oca_any['start_times_no_technician_is_free']} when no technician is free)\n"
    f"  gema and resource_booking per technician give the same free slots: "
    f"{report['same_answer']}"
)
env.cr.rollback()
