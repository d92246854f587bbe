"""Two cron workers planning the H-1 reminders at once plan each one once
(BK-6, BK-11).

Runs on the concurrency copy of the test database: worker A plans the
reminders and keeps its transaction open while worker B runs the same
scheduled action; B's reminder for each booking waits on the database's
unique purpose key until A commits, and is then refused. The bookings are
this module's own branches'.
"""

import threading
import time as clock
from datetime import datetime, time, timedelta
from unittest.mock import patch

import pytz

from odoo import SUPERUSER_ID, api
from odoo.modules.registry import Registry
from odoo.tools import config

from .whatsapp_fake_server import pause

BOOKINGS = 3


def _env(cr):
    return api.Environment(cr, SUPERUSER_ID, {})


def _setup(registry):
    """Confirmed bookings for tomorrow at two branches: one sends through
    its gateway, the other by WhatsApp link (with an activity)."""
    tz = pytz.timezone("Asia/Jakarta")
    tomorrow = datetime.now(tz).date() + timedelta(days=1)
    start = tz.localize(datetime.combine(tomorrow, time(10, 0)))
    start = start.astimezone(pytz.utc).replace(tzinfo=None)
    stamp = clock.time_ns()
    with registry.cursor() as cr:
        env = _env(cr)
        service = env["gema.service.type"].create({"name": "Reminder service"})
        bookings = {}
        for kind, gateway in (("gateway", True), ("link", False)):
            calendar = env["resource.calendar"].create(
                {"name": f"Reminder {kind} hours", "tz": "Asia/Jakarta"}
            )
            branch = env["res.company"].create(
                {
                    "name": f"Reminder {kind} branch {stamp}",
                    "gema_operating_calendar_id": calendar.id,
                    "parent_id": env.ref("base.main_company").id,
                    "gema_whatsapp_gateway_enabled": gateway,
                    "gema_whatsapp_api_url": "http://127.0.0.1:9/v21.0",
                    "gema_whatsapp_phone_number_id": "123",
                    "gema_whatsapp_access_token": "token",
                }
            )
            bookings[kind] = (
                env["gema.booking"]
                .with_company(branch)
                .create(
                    [
                        {
                            "customer_name": f"Pelanggan {n}",
                            "customer_phone": f"0812-5555-{n:04d}",
                            "license_plate": f"BK {n + 1} {'GW' if gateway else 'LK'}",
                            "vehicle_type": "Toyota Avanza",
                            "service_type_id": service.id,
                            "complaint": "Servis berkala",
                            "requested_start": start,
                            "start": start,
                            "channel": "phone",
                            "company_id": branch.id,
                            "state": "confirmed",
                            # G-5: the customers agreed to WhatsApp messages.
                            "whatsapp_opt_in": True,
                        }
                        for n in range(BOOKINGS)
                    ]
                )
                .ids
            )
        return bookings


def test_two_workers_plan_each_reminder_once(concurrency_db):
    """BK-6: worker A plans the reminders of tomorrow's bookings and holds
    its transaction; worker B, running at the same time, plans none of
    them; a later run plans nothing more. Each booking has one reminder
    (queued for the gateway, or prepared as a link with one activity)."""
    with patch.dict(config.options, {"test_enable": False}):
        registry = Registry(concurrency_db)
    bookings = _setup(registry)
    mine = set(bookings["gateway"] + bookings["link"])
    a_planned, b_started = threading.Event(), threading.Event()
    planned = {}
    errors = []

    def worker_a():
        try:
            with registry.cursor() as cr:
                planned["a"] = set(_env(cr)["gema.booking"]._cron_remind().ids)
                a_planned.set()
                b_started.wait(30)
                pause(1.0)  # B is now waiting on A's reminders
        except Exception as error:
            errors.append(error)
            a_planned.set()

    def worker_b():
        try:
            a_planned.wait(60)
            b_started.set()
            started = clock.monotonic()
            with registry.cursor() as cr:
                planned["b"] = set(_env(cr)["gema.booking"]._cron_remind().ids)
            planned["b_waited"] = clock.monotonic() - started
        except Exception as error:
            errors.append(error)

    threads = [threading.Thread(target=worker_a), threading.Thread(target=worker_b)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert errors == []
    assert planned["a"] & mine == mine
    assert planned["b"] & mine == set()
    assert planned["b_waited"] > 0.5, "B ran while A held its reminders"

    with registry.cursor() as cr:
        env = _env(cr)
        assert env["gema.booking"]._cron_remind().ids == []
        template = env.ref("gema_sop.mail_template_booking_reminder")
        reminder_type = env.ref("gema_sop.mail_activity_type_booking_reminder")
        for kind, channel, state in (
            ("gateway", "whatsapp_api", "queued"),
            ("link", "whatsapp_link", "draft"),
        ):
            for booking_id in bookings[kind]:
                messages = env["gema.message"].search(
                    [
                        ("res_model", "=", "gema.booking"),
                        ("res_id", "=", booking_id),
                        ("template_id", "=", template.id),
                    ]
                )
                assert [(m.channel, m.state) for m in messages] == [(channel, state)]
                activities = env["mail.activity"].search_count(
                    [
                        ("res_model", "=", "gema.booking"),
                        ("res_id", "=", booking_id),
                        ("activity_type_id", "=", reminder_type.id),
                    ]
                )
                assert activities == (1 if kind == "link" else 0)
