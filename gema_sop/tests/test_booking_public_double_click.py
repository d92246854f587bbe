"""A double click on the public booking form makes one booking (BK-1).

Two submits of the same form can reach the server at the same moment:
each runs in its own transaction, neither sees the other's booking, and the
database's unique request key lets only one of them insert. This runs a
real Odoo server on a copy of the test database (see tools/test.sh): the
first submit is played by a transaction of the test holding its booking
uncommitted, the second is a real HTTP POST that must wait for it, then
lead to the same booking instead of an error or a second booking.
"""

import re
import threading
import time
from datetime import datetime, timedelta
from unittest.mock import patch

import pytz
import requests

from odoo import SUPERUSER_ID, Command, api
from odoo.modules.registry import Registry
from odoo.tools import config


def _env(cr):
    return api.Environment(cr, SUPERUSER_ID, {})


def _setup(registry):
    """A bookable branch with one technician and one service; its ids."""
    with registry.cursor() as cr:
        env = _env(cr)
        calendar = env["resource.calendar"].create(
            {
                "name": "Double click hours",
                "tz": "Asia/Jakarta",
                "attendance_ids": [Command.clear()]
                + [
                    Command.create(
                        {
                            "name": f"Day {day}",
                            "dayofweek": str(day),
                            "hour_from": 8,
                            "hour_to": 17,
                            "day_period": "morning",
                        }
                    )
                    for day in range(6)
                ],
            }
        )
        branch = env["res.company"].create(
            {
                "name": "Double Click Branch",
                "parent_id": env.ref("base.main_company").id,
                "resource_calendar_id": calendar.id,
                "gema_operating_calendar_id": calendar.id,
            }
        )
        env["hr.employee"].create(
            {
                "name": "Double Click Technician",
                "company_id": branch.id,
                "resource_calendar_id": calendar.id,
                "gema_technician": True,
            }
        )
        service = env["gema.service.type"].create(
            {"name": "Double Click Service", "duration": 1.0, "company_id": branch.id}
        )
        return branch.id, service.id


def test_bk1_double_click_at_the_same_moment_makes_one_booking(
    concurrency_db, concurrency_server
):
    """BK-1: the second of two simultaneous submits waits for the first and
    leads to its booking; one booking exists."""
    with patch.dict(config.options, {"test_enable": False}):
        registry = Registry(concurrency_db)
    branch_id, service_id = _setup(registry)
    tz = pytz.timezone("Asia/Jakarta")
    day = datetime.now(tz).date() + timedelta(days=2)
    while day.weekday() == 6:
        day += timedelta(days=1)

    visitor = requests.Session()
    page = visitor.get(
        f"{concurrency_server}/booking?company_id={branch_id}&service_type_id={service_id}"
        f"&date={day.isoformat()}",
        timeout=30,
    )
    assert page.status_code == 200
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    key = re.search(r'name="request_key" value="([0-9a-f]{56})"', page.text).group(1)
    first_time = re.search(r'name="time"[^>]*value="(\d\d:\d\d)"', page.text).group(1)
    local = datetime.combine(day, datetime.strptime(first_time, "%H:%M").time())
    start = tz.localize(local).astimezone(pytz.utc).replace(tzinfo=None)
    form = {
        "csrf_token": csrf,
        "request_key": key,
        "company_id": str(branch_id),
        "service_type_id": str(service_id),
        "date": day.isoformat(),
        "time": first_time,
        "customer_name": "Budi Santoso",
        "customer_phone": "0812-3456-7890",
        "license_plate": "BK 1234 ABC",
        "vehicle_type": "Toyota Avanza",
    }
    answer = {}

    def second_click():
        answer["response"] = visitor.post(
            f"{concurrency_server}/booking/submit",
            data=form,
            allow_redirects=False,
            timeout=60,
        )

    with registry.cursor() as cr:
        # The first click: its booking is inserted, not committed yet.
        first = _env(cr)["gema.booking"]._gema_create_request(
            {
                **{name: form[name] for name in ("customer_name", "vehicle_type")},
                "customer_phone": form["customer_phone"],
                "license_plate": form["license_plate"],
                "service_type_id": service_id,
                "company_id": branch_id,
                "requested_start": start,
                "channel": "website",
                "request_key": key,
                "request_ip": "127.0.0.1",
            }
        )
        first_id = first.id
        first_url = first.get_portal_url(query_string="&submitted=1")
        cr.flush()
        thread = threading.Thread(target=second_click)
        thread.start()
        # Commit only once the second click waits for the first one's row.
        deadline = time.monotonic() + 30
        while True:
            with registry.cursor() as watcher:
                watcher.execute(
                    "SELECT count(*) FROM pg_stat_activity "
                    "WHERE datname = %s AND wait_event_type = 'Lock'",
                    [concurrency_db],
                )
                if watcher.fetchone()[0]:
                    break
            assert thread.is_alive(), answer["response"].text[:2000]
            assert time.monotonic() < deadline, "the second click never waited"
            time.sleep(0.2)
    thread.join(60)

    response = answer["response"]
    with registry.cursor() as cr:
        Booking = _env(cr)["gema.booking"]
        bookings = Booking.search([("company_id", "=", branch_id)])
        found = bookings.ids
        # The database is shared with other committing tests: leave no
        # running clock behind.
        bookings.unlink()
    assert response.status_code == 303, response.text[:2000]
    assert response.headers["Location"].endswith(first_url)
    assert found == [first_id]
