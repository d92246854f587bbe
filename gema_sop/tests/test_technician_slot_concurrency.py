"""Two clerks booking one technician at the same moment (BK-4, SPEC 6.3).

Runs on the copy database of tools/test.sh because it needs two real
transactions: clerk A holds the technician and has not committed yet when
clerk B tries the same hour. B's Python check cannot see A's uncommitted
slot; the exclusion constraint makes B wait for A and then refuse, and B
gets a clear message, not a traceback.
"""

import threading
import time
from datetime import datetime
from unittest.mock import patch

from odoo import SUPERUSER_ID, api
from odoo.exceptions import ValidationError
from odoo.modules.registry import Registry
from odoo.tools import config

START = datetime(2026, 12, 8, 2, 0)
STOP = datetime(2026, 12, 8, 3, 0)


def _env(cr):
    return api.Environment(cr, SUPERUSER_ID, {"lang": "en_US"})


def _wait_until_blocked(registry, pid, timeout=30):
    """Wait until backend ``pid`` waits on a lock (B blocked behind A)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with registry.cursor() as cr:
            cr.execute(
                "SELECT wait_event_type FROM pg_stat_activity WHERE pid = %s", [pid]
            )
            row = cr.fetchone()
        if row and row[0] == "Lock":
            return True
        time.sleep(0.05)
    return False


def test_bk4_two_transactions_cannot_double_book(concurrency_db):
    with patch.dict(config.options, {"test_enable": False}):
        registry = Registry(concurrency_db)
    with registry.cursor() as cr:
        env = _env(cr)
        technician = env["hr.employee"].create({"name": "Concurrent Technician"})
        holder_a, holder_b = env["res.partner"].create(
            [{"name": "Booking of clerk A"}, {"name": "Booking of clerk B"}]
        )
        ids = technician.id, holder_a.id, holder_b.id

    b_ready = threading.Event()
    b_started = threading.Event()
    results = {}

    def clerk_a():
        with registry.cursor() as cr:
            env = _env(cr)
            env["gema.technician.slot"]._hold(
                env["res.partner"].browse(ids[1]),
                env["hr.employee"].browse(ids[0]),
                START,
                STOP,
            )
            b_ready.set()
            b_started.wait(30)
            results["b_blocked"] = _wait_until_blocked(registry, results["pid"])
        # leaving the block commits A, which releases B

    def clerk_b():
        b_ready.wait(30)
        try:
            with registry.cursor() as cr:
                cr.execute("SELECT pg_backend_pid()")
                results["pid"] = cr.fetchone()[0]
                b_started.set()
                env = _env(cr)
                env["gema.technician.slot"]._hold(
                    env["res.partner"].browse(ids[2]),
                    env["hr.employee"].browse(ids[0]),
                    datetime(2026, 12, 8, 2, 30),
                    datetime(2026, 12, 8, 3, 30),
                )
            results["b"] = "committed"
        except ValidationError as error:
            results["b"] = str(error)

    threads = [threading.Thread(target=clerk_a), threading.Thread(target=clerk_b)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(90)

    # B really raced A: it was waiting on A's uncommitted slot.
    assert results.get("b_blocked") is True
    # Odoo's REPEATABLE READ snapshot of B cannot see A's slot to name it;
    # B gets the clear "taken a moment ago" message, not a traceback.
    assert results["b"] == (
        "Concurrent Technician was booked for this time by someone else a "
        "moment ago. Choose another time or another technician."
    )
    with registry.cursor() as cr:
        cr.execute(
            "SELECT res_id FROM gema_technician_slot WHERE employee_id = %s AND active",
            [ids[0]],
        )
        assert cr.fetchall() == [(ids[1],)]
