"""End to end on the demo database, through a real server and erppeek.

Proves that `make run`'s database gives every SOP role a working login with
exactly that role's groups, in the demo branch with its operating hours.
"""

from xmlrpc.client import Fault

import erppeek
import pytest

# login (= password) -> groups it must hold; every other gema_sop group it must not.
SUPERVISOR = {"group_cs_supervisor", "group_service_advisor", "group_cs_officer"}
MANAGER = SUPERVISOR | {"group_manager", "group_technician", "group_logistics"}
DEMO_LOGINS = {
    "advisor": {"group_service_advisor"},
    "cs": {"group_cs_officer"},
    "supervisor": SUPERVISOR,
    "technician": {"group_technician"},
    "logistics": {"group_logistics"},
    "manager": MANAGER,
    "sopadmin": MANAGER | {"group_sop_admin"},
}
ALL_GROUPS = set().union(*DEMO_LOGINS.values())


@pytest.mark.parametrize("login", sorted(DEMO_LOGINS))
def test_demo_user_of_each_role_logs_in_with_its_groups(demo_server, demo_db, login):
    """CS-9 / AS-6: one demo login per SOP role, holding exactly its groups."""
    client = erppeek.Client(demo_server, demo_db, login, login)
    [uid] = client.search("res.users", [("login", "=", login)])
    held = {
        group
        for group in ALL_GROUPS
        if client.execute("res.users", "has_group", [uid], f"gema_sop.{group}")
    }
    assert held == DEMO_LOGINS[login]
    assert not client.execute("res.users", "has_group", [uid], "base.group_system")


def test_demo_branch_opens_monday_to_saturday_8_to_17(demo_server, demo_db):
    """G-4: the demo branch counts time in 08:00-17:00 WIB, Monday-Saturday."""
    client = erppeek.Client(demo_server, demo_db, "admin", "admin")
    [branch] = client.read(
        "res.company",
        [("name", "=", "Gema Sehat Indonesia - Medan")],
        ["parent_id", "gema_operating_calendar_id", "gema_whatsapp_number"],
    )
    assert branch["parent_id"]
    assert branch["gema_whatsapp_number"] == "+6281234567890"
    calendar_id = branch["gema_operating_calendar_id"][0]
    [calendar] = client.read(
        "resource.calendar", [calendar_id], ["tz", "attendance_ids"]
    )
    assert calendar["tz"] == "Asia/Jakarta"
    attendances = client.read(
        "resource.calendar.attendance",
        calendar["attendance_ids"],
        ["dayofweek", "hour_from", "hour_to"],
    )
    assert sorted(
        (a["dayofweek"], a["hour_from"], a["hour_to"]) for a in attendances
    ) == [(str(day), 8.0, 17.0) for day in range(6)]


def test_technician_and_logistics_read_no_customer_contact(demo_server, demo_db):
    """G-5 (ST, AS-6) over XML-RPC: the demo technician reads their jobs with
    the customer's name, even asking for the address and email in it, but
    no customer's number, email or address, neither through the contacts
    nor by reading a job's customer; logistics neither. The service advisor
    reads them all."""
    advisor = erppeek.Client(demo_server, demo_db, "advisor", "advisor")
    technician = erppeek.Client(demo_server, demo_db, "technician", "technician")
    logistics = erppeek.Client(demo_server, demo_db, "logistics", "logistics")
    job_ids = technician.search("gema.service.job", [])
    assert job_ids
    context = {"show_address": 1, "show_email": 1}
    jobs = technician.execute_kw(
        "gema.service.job", "read", [job_ids, ["partner_id"]], {"context": context}
    )
    customer_ids = sorted({job["partner_id"][0] for job in jobs})
    customers = advisor.read("res.partner", customer_ids, ["name", "mobile"])
    assert all(customer["mobile"] for customer in customers)
    names = {customer["id"]: customer["name"] for customer in customers}
    assert {job["partner_id"][1] for job in jobs} <= set(names.values())
    for job in jobs:
        assert job["partner_id"][1] == names[job["partner_id"][0]]
    numbers = [customer["mobile"] for customer in customers]
    for client in (technician, logistics):
        rows = client.execute(
            "res.partner",
            "search_read",
            [("mobile", "!=", False)],
            ["name", "mobile", "phone", "email", "street"],
        )
        assert not {row["id"] for row in rows} & set(customer_ids)
        assert not [number for number in numbers if number in str(rows)]
        with pytest.raises(Fault):
            client.read("res.partner", customer_ids[:1], ["mobile"])
