"""Helpers of the tests that post the public booking page to a real,
multi-worker Odoo server on the concurrency copy database (see
``conftest.py``): a bookable branch committed in that database, a working
day, and the form as a visitor's own session reads it.
"""

import re
import time
from datetime import datetime, timedelta
from unittest.mock import patch

import pytz

from odoo import SUPERUSER_ID, api
from odoo.modules.registry import Registry
from odoo.tools import config

from .common import operating_calendar

TZ = pytz.timezone("Asia/Jakarta")
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
_KEY = re.compile(r'name="request_key" value="([0-9a-f]{56})"')
_TIMES = re.compile(r'name="time"[^>]*value="(\d\d:\d\d)"')


def registry_of(db):
    """The registry of ``db`` for the test process itself, which commits."""
    with patch.dict(config.options, {"test_enable": False}):
        return Registry(db)


def superuser_env(cr):
    return api.Environment(cr, SUPERUSER_ID, {})


def setup_branch(registry, name):
    """A bookable branch (Mon-Sat 08:00-17:00 WIB) with one technician and
    one service, committed; its id and the service's."""
    with registry.cursor() as cr:
        env = superuser_env(cr)
        calendar = operating_calendar(env, f"{name} hours")
        branch = env["res.company"].create(
            {
                "name": name,
                "parent_id": env.ref("base.main_company").id,
                "resource_calendar_id": calendar.id,
                "gema_operating_calendar_id": calendar.id,
            }
        )
        env["hr.employee"].create(
            {
                "name": f"{name} Technician",
                "company_id": branch.id,
                "resource_calendar_id": calendar.id,
                "gema_technician": True,
            }
        )
        service = env["gema.service.type"].create(
            {"name": f"{name} Service", "duration": 1.0, "company_id": branch.id}
        )
        return branch.id, service.id


def working_day():
    """A Monday-Saturday at least two days ahead (never in the past)."""
    day = datetime.now(TZ).date() + timedelta(days=2)
    while day.weekday() == 6:
        day += timedelta(days=1)
    return day


def open_form(session, server, branch_id, service_id, day):
    """The visitor's form: CSRF token, signed key and the free times."""
    page = session.get(
        f"{server}/booking?company_id={branch_id}&service_type_id={service_id}"
        f"&date={day.isoformat()}",
        timeout=60,
    )
    assert page.status_code == 200, page.text[:2000]
    return {
        "csrf_token": _CSRF.search(page.text).group(1),
        "request_key": _KEY.search(page.text).group(1),
        "company_id": str(branch_id),
        "service_type_id": str(service_id),
        "date": day.isoformat(),
        "time": _TIMES.findall(page.text)[0],
    }


def utc_start(day, hhmm):
    local = datetime.combine(day, datetime.strptime(hhmm, "%H:%M").time())
    return TZ.localize(local).astimezone(pytz.utc).replace(tzinfo=None)


def wait_for_lock_wait(registry, db, thread, answer, what):
    """Return once a session of ``db`` waits for a lock (the request of
    ``thread`` waits for the test's uncommitted row); fail when the request
    ended first (its response in ``answer``) or after 30 s."""
    deadline = time.monotonic() + 30
    while True:
        with registry.cursor() as watcher:
            watcher.execute(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE datname = %s AND wait_event_type = 'Lock'",
                [db],
            )
            if watcher.fetchone()[0]:
                return
        assert thread.is_alive(), answer["response"].text[:2000]
        assert time.monotonic() < deadline, f"the {what} never waited"
        time.sleep(0.2)
