"""End to end on the demo database, through a real server and erppeek.

Proves that `make run`'s database gives every SOP role a working login with
exactly that role's groups, in the demo branch with its operating hours.
"""

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
