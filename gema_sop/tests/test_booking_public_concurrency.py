"""Simultaneous requests with the same new number or plate (BK-1, BK-3,
robustness).

Odoo's transactions run in REPEATABLE READ: requests arriving at the same
moment each see the database as it was, so each would find no customer for
a new number and create one, and each would count the number's bookings
before any other was stored. Find-or-create and the rate limits first
claim their key (``gema.claim``); PostgreSQL refuses all but the first, and
Odoo runs them again with a fresh view. These tests post at once from
threads to a real server with 4 workers on the concurrency copy database,
and over XML-RPC as a script would.
"""

import random
import threading
import xmlrpc.client

import requests

from odoo import Command

from .public_page_server import (
    open_form,
    registry_of,
    setup_branch,
    superuser_env,
    utc_start,
    working_day,
)


def _new_number(rng):
    """A mobile number no earlier run used (the database is kept)."""
    return f"+62857{rng.randint(0, 99_999_999):08d}"


def _at_once(calls):
    """Run ``calls`` from threads released together; their results."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(index, call):
        barrier.wait()
        try:
            results[index] = call()
        except Exception as error:
            # Reported by the test's assertion, as the thread's result.
            results[index] = error

    threads = [
        threading.Thread(target=run, args=(index, call))
        for index, call in enumerate(calls)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(180)
    return results


def _posts(server, branch_id, service_id, day, details):
    """One visitor (own session, own form) per entry of ``details``; the
    calls that post their forms."""
    calls = []
    for values in details:
        session = requests.Session()
        form = dict(
            open_form(session, server, branch_id, service_id, day),
            vehicle_type="Toyota Avanza",
            **values,
        )
        calls.append(
            lambda session=session, form=form: session.post(
                f"{server}/booking/submit",
                data=form,
                allow_redirects=False,
                timeout=180,
            )
        )
    return calls


def _stored(registry, branch_id, number=None, plate=None):
    """The branch's bookings, the customers of ``number`` and the vehicles
    of ``plate``; the bookings are then removed (the database is shared by
    committing tests, and the rate limits count per hour)."""
    with registry.cursor() as cr:
        env = superuser_env(cr)
        bookings = env["gema.booking"].search([("company_id", "=", branch_id)])
        result = {
            "bookings": len(bookings),
            "customers": env["res.partner"].search_count(
                [("gema_whatsapp_e164", "=", number)]
            ),
            "vehicles": env["gema.vehicle"].search_count(
                [("license_plate", "=", plate), ("company_id", "=", branch_id)]
            ),
            "customer_ids": set(bookings.partner_id.ids),
            "vehicle_ids": set(bookings.vehicle_id.ids),
        }
        bookings.unlink()
    return result


def test_bk3_simultaneous_posts_make_one_customer_and_one_vehicle(
    concurrency_db, concurrency_server_4
):
    """BK-3: three visitors post at once with the same new number and plate
    (the most one number may send), three more with new numbers and the
    same plate: all six get their booking (303), the number has one
    customer, the plate one vehicle."""
    rng = random.Random()
    registry = registry_of(concurrency_db)
    branch_id, service_id = setup_branch(registry, f"Same Number {rng.random()}")
    day = working_day()
    number = _new_number(rng)
    plate = f"BK {rng.randint(1, 9999)} SN"
    details = [
        {"customer_name": "Budi Santoso", "customer_phone": number} for _ in range(3)
    ] + [
        {"customer_name": f"Budi {index}", "customer_phone": _new_number(rng)}
        for index in range(3)
    ]
    for values in details:
        values["license_plate"] = plate
    responses = _at_once(
        _posts(concurrency_server_4, branch_id, service_id, day, details)
    )
    stored = _stored(registry, branch_id, number, plate)
    assert [getattr(r, "status_code", r) for r in responses] == [303] * 6, [
        getattr(r, "text", r)[:500] for r in responses
    ]
    assert stored["bookings"] == 6
    assert stored["customers"] == 1
    assert stored["vehicles"] == 1
    assert len(stored["customer_ids"]) == 4
    assert len(stored["vehicle_ids"]) == 1


def test_bk1_rate_limit_holds_for_simultaneous_posts(
    concurrency_db, concurrency_server_4
):
    """BK-1: ten visitors post at once with one number: exactly three get a
    booking, the seven others the page with the limit's message (429), none
    an error."""
    rng = random.Random()
    registry = registry_of(concurrency_db)
    branch_id, service_id = setup_branch(registry, f"Rate Limit {rng.random()}")
    day = working_day()
    number = _new_number(rng)
    details = [
        {
            "customer_name": "Siti Aminah",
            "customer_phone": number,
            "license_plate": f"BK {index + 1} RL",
        }
        for index in range(10)
    ]
    responses = _at_once(
        _posts(concurrency_server_4, branch_id, service_id, day, details)
    )
    stored = _stored(registry, branch_id, number)
    statuses = sorted(getattr(r, "status_code", repr(r)) for r in responses)
    assert statuses == [303] * 3 + [429] * 7, statuses
    for response in responses:
        if response.status_code == 429:
            # The database's language, Indonesian, is the page's default.
            assert "Nomor WhatsApp ini sudah mengirim 3 permintaan booking" in (
                response.text
            )
    assert stored["bookings"] == 3
    assert stored["customers"] == 1


def test_bk3_simultaneous_xmlrpc_creates_make_one_customer_and_one_vehicle(
    concurrency_db, concurrency_server_4
):
    """BK-3: six scripts create a booking over XML-RPC at once, with the
    same new number and plate: all six succeed (none meets "This licence
    plate is already registered"), with one customer and one vehicle."""
    rng = random.Random()
    registry = registry_of(concurrency_db)
    branch_id, service_id = setup_branch(registry, f"Same Plate {rng.random()}")
    login = f"rpc_advisor_{rng.randint(0, 10**9)}"
    with registry.cursor() as cr:
        superuser_env(cr)["res.users"].create(
            {
                "name": "RPC Advisor",
                "login": login,
                "password": login,
                "groups_id": [
                    Command.set(
                        [superuser_env(cr).ref("gema_sop.group_service_advisor").id]
                    )
                ],
                "company_id": branch_id,
                "company_ids": [Command.set([branch_id])],
            }
        )
    common = xmlrpc.client.ServerProxy(f"{concurrency_server_4}/xmlrpc/2/common")
    uid = common.authenticate(concurrency_db, login, login, {})
    number = _new_number(rng)
    plate = f"BK {rng.randint(1, 9999)} RPC"
    values = {
        "customer_name": "Rudi Siregar",
        "customer_phone": number,
        "license_plate": plate,
        "vehicle_type": "Honda Jazz",
        "service_type_id": service_id,
        "requested_start": utc_start(working_day(), "09:00").isoformat(" "),
        "channel": "phone",
        "company_id": branch_id,
    }

    def create():
        models = xmlrpc.client.ServerProxy(
            f"{concurrency_server_4}/xmlrpc/2/object", allow_none=True
        )
        return models.execute_kw(
            concurrency_db, uid, login, "gema.booking", "create", [values]
        )

    results = _at_once([create] * 6)
    stored = _stored(registry, branch_id, number, plate)
    assert all(isinstance(result, int) for result in results), results
    assert stored["bookings"] == 6
    assert stored["customers"] == 1
    assert stored["vehicles"] == 1
