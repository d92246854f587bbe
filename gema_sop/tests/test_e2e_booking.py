"""Bookings end to end: clerks working through XML-RPC (erppeek) against a
real server on the demo database, as a script or another system would
(BK-3, BK-4, BK-5, BK-8).
"""

from datetime import date, timedelta
from xmlrpc.client import Fault

import erppeek
import pytest


def _client(server, db, login):
    return erppeek.Client(server, db, login, login)


def _tuesday_in_three_weeks():
    day = date.today() + timedelta(days=21)
    return day + timedelta(days=(1 - day.weekday()) % 7)


def test_two_clerks_over_rpc_book_check_in_and_never_double_book(demo_server, demo_db):
    advisor = _client(demo_server, demo_db, "advisor")
    supervisor = _client(demo_server, demo_db, "supervisor")
    [branch_id] = advisor.search(
        "res.company", [("name", "=", "Gema Sehat Indonesia - Medan")]
    )
    service_id = advisor.search("gema.service.type", [], limit=1)[0]
    day = _tuesday_in_three_weeks()

    def request(client, name, phone, plate):
        return client.create(
            "gema.booking",
            {
                "customer_name": name,
                "customer_phone": phone,
                "license_plate": plate,
                "vehicle_type": "Toyota Avanza",
                "service_type_id": service_id,
                "complaint": "Ganti oli",
                "requested_start": f"{day} 03:00:00",  # 10:00 WIB
                "channel": "phone",
                "company_id": branch_id,
            },
        )

    # BK-3: the request's phone and plate are normalised, customer and
    # vehicle found or created.
    first = request(advisor, "Rina Wati", "0813-2222-3333", "bk 9 zz")
    [booking] = advisor.read(
        "gema.booking",
        [first],
        ["state", "customer_phone", "license_plate", "partner_id", "vehicle_id"],
    )
    assert booking["state"] == "request"
    assert booking["customer_phone"] == "+6281322223333"
    assert booking["license_plate"] == "BK 9 ZZ"
    assert booking["partner_id"] and booking["vehicle_id"]

    # BK-4, BK-5: the clerk asks for free slots and books the first one.
    action = advisor.execute("gema.booking", "action_find_slots", [first])
    [wizard] = advisor.read(
        "gema.booking.slot.wizard", [action["res_id"]], ["line_ids"]
    )
    lines = advisor.read(
        "gema.booking.slot.wizard.line",
        wizard["line_ids"],
        ["employee_id", "start", "stop"],
    )
    assert lines, "the demo technicians have free time on a weekday"
    chosen = lines[0]
    advisor.execute("gema.booking.slot.wizard.line", "action_book", [chosen["id"]])
    [booking] = advisor.read(
        "gema.booking", [first], ["state", "employee_id", "start", "slot_id"]
    )
    assert booking["state"] == "confirmed"
    assert booking["employee_id"][0] == chosen["employee_id"][0]
    assert booking["start"] == chosen["start"]

    # BK-4: a second clerk cannot give the same technician the same time;
    # the answer is the clear message, and nothing is confirmed.
    second = request(supervisor, "Joko Susilo", "0812-7777-8888", "BK 10 AB")
    supervisor.write(
        "gema.booking",
        [second],
        {
            "employee_id": chosen["employee_id"][0],
            "start": chosen["start"],
            "stop": chosen["stop"],
        },
    )
    with pytest.raises(Fault) as refused:
        supervisor.execute("gema.booking", "action_confirm", [second])
    # A ValidationError reaches the client as its message (faultCode).
    assert "is already booked from" in refused.value.faultCode
    [second_booking] = supervisor.read("gema.booking", [second], ["state"])
    assert second_booking["state"] == "request"

    # Technicians see the bookings they work on, without the customer's phone.
    technician = _client(demo_server, demo_db, "technician")
    [technician_uid] = technician.search("res.users", [("login", "=", "technician")])
    own_employees = set(
        technician.search("hr.employee.public", [("user_id", "=", technician_uid)])
    )
    theirs = {
        booking["id"]
        for booking in advisor.read("gema.booking", [first, second], ["employee_id"])
        if booking["employee_id"][0] in own_employees
    }
    visible = technician.search("gema.booking", [("id", "in", [first, second])])
    assert set(visible) == theirs
    if visible:
        with pytest.raises(Fault) as hidden:
            technician.read("gema.booking", visible, ["customer_phone"])
        assert "customer_phone" in hidden.value.faultCode

    # BK-8: Arrived opens the service job, holding the booked technician.
    # The booking is for a later day: the advisor chooses Early Arrival.
    action = advisor.execute_kw(
        "gema.booking",
        "action_arrive",
        [[first]],
        {"context": {"gema_early_arrival": True}},
    )
    assert action["res_model"] == "gema.service.job"
    [job] = advisor.read(
        "gema.service.job",
        [action["res_id"]],
        ["state", "booking_id", "technician_ids", "planned_start"],
    )
    assert job["state"] == "reception"
    assert job["booking_id"][0] == first
    assert job["technician_ids"] == [chosen["employee_id"][0]]
    assert job["planned_start"] == chosen["start"]
