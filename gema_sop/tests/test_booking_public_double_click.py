"""A double click on the public booking form makes one booking (BK-1).

Two submits of the same form can reach the server at the same moment:
each runs in its own transaction and neither sees the other's booking.
Both claim the form's key (``gema.claim``): the second waits for the
first, is refused by PostgreSQL once the first commits, and is run again
by Odoo with a fresh view that sees the first's booking. This runs a real
Odoo server on a copy of the test database (see tools/test.sh): the first
submit is played by a transaction of the test holding its booking
uncommitted, the second is a real HTTP POST that must wait for it, then
lead to the same booking instead of an error or a second booking.
"""

import threading

import requests

from .public_page_server import (
    open_form,
    registry_of,
    setup_branch,
    superuser_env,
    utc_start,
    wait_for_lock_wait,
    working_day,
)


def test_bk1_double_click_at_the_same_moment_makes_one_booking(
    concurrency_db, concurrency_server
):
    """BK-1: the second of two simultaneous submits waits for the first and
    leads to its booking; one booking exists."""
    registry = registry_of(concurrency_db)
    branch_id, service_id = setup_branch(registry, "Double Click Branch")
    day = working_day()
    visitor = requests.Session()
    form = dict(
        open_form(visitor, concurrency_server, branch_id, service_id, day),
        customer_name="Budi Santoso",
        customer_phone="0812-3456-7890",
        license_plate="BK 1234 ABC",
        vehicle_type="Toyota Avanza",
    )
    key = form["request_key"]
    start = utc_start(day, form["time"])
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
        first = superuser_env(cr)["gema.booking"]._create_request(
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
        wait_for_lock_wait(registry, concurrency_db, thread, answer, "second click")
    thread.join(60)

    response = answer["response"]
    with registry.cursor() as cr:
        Booking = superuser_env(cr)["gema.booking"]
        bookings = Booking.search([("company_id", "=", branch_id)])
        found = bookings.ids
        # The database is shared with other committing tests: leave no
        # running clock behind.
        bookings.unlink()
    assert response.status_code == 303, response.text[:2000]
    assert response.headers["Location"].endswith(first_url)
    assert found == [first_id]
