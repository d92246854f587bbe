"""Server actions end to end: the demo roles run the Action-menu actions
through XML-RPC (erppeek) against a real server on the demo database, as a
script or another system would, and the roles they do not belong to find
them neither in the menu nor at the door (BK-6, CS-5, G-4, security).
"""

from datetime import date
from xmlrpc.client import Fault

import erppeek
import pytest

REFUSED = "enough access rights to run this action"


def _client(server, db, login):
    return erppeek.Client(server, db, login, login)


def _action_id(admin, name):
    [data] = admin.read(
        "ir.model.data",
        [("module", "=", "gema_sop"), ("name", "=", name)],
        ["res_id"],
    )
    return data["res_id"]


def _menu(client, model):
    bindings = client.execute("ir.actions.actions", "get_bindings", model)
    return {action["name"] for action in bindings.get("action", [])}


def _run(client, action_id, model, ids):
    return client.execute_kw(
        "ir.actions.server",
        "run",
        [[action_id]],
        {
            "context": {
                "lang": "en_US",
                "active_model": model,
                "active_ids": ids,
                "active_id": ids[0],
            }
        },
    )


def test_action_menus_show_each_role_its_actions(demo_server, demo_db):
    """Security: the Action menu lists an action only to its roles."""
    advisor = _client(demo_server, demo_db, "advisor")
    technician = _client(demo_server, demo_db, "technician")
    supervisor = _client(demo_server, demo_db, "supervisor")
    cs = _client(demo_server, demo_db, "cs")
    assert {"Send H-1 Reminder Now", "Mark as No-show"} <= _menu(
        advisor, "gema.booking"
    )
    assert "Recompute SLA Lines" not in _menu(advisor, "gema.booking")
    assert "Recompute SLA Lines" in _menu(supervisor, "gema.booking")
    assert "Escalate Now" in _menu(cs, "gema.conversation")
    assert not {"Send H-1 Reminder Now", "Mark as No-show"} & _menu(
        technician, "gema.booking"
    )
    assert "Send Status Update" not in _menu(technician, "gema.service.job")
    assert "Import Public Holidays" not in _menu(supervisor, "resource.calendar")


def test_bk6_reminder_refusals_over_rpc(demo_server, demo_db):
    """BK-6, security: a booking that is not confirmed gets no reminder
    (the user is told why); the technician may not run the action at all."""
    admin = _client(demo_server, demo_db, "admin")
    action_id = _action_id(admin, "action_server_booking_send_reminder")
    advisor = _client(demo_server, demo_db, "advisor")
    request_ids = advisor.search(
        "gema.booking", [("state", "!=", "confirmed")], limit=1
    )
    assert request_ids, "the demo data has bookings that are not confirmed"
    with pytest.raises(Fault, match="confirmed bookings only"):
        _run(advisor, action_id, "gema.booking", request_ids)
    technician = _client(demo_server, demo_db, "technician")
    with pytest.raises(Fault, match=REFUSED):
        _run(technician, action_id, "gema.booking", request_ids)


def test_cs5_escalate_now_over_rpc(demo_server, demo_db):
    """CS-5: the CS officer escalates a conversation whose form is filled;
    logistics is refused."""
    admin = _client(demo_server, demo_db, "admin")
    action_id = _action_id(admin, "action_server_conversation_escalate")
    cs = _client(demo_server, demo_db, "cs")
    [branch_id] = cs.search(
        "res.company", [("name", "=", "Gema Sehat Indonesia - Medan")]
    )
    conversation_id = cs.create(
        "gema.conversation",
        {
            "channel": "whatsapp",
            "customer_name": "Rina Lubis",
            "summary": "Harga servis AC berbeda dari yang dijanjikan.",
            "company_id": branch_id,
            "escalation_division": "workshop",
            "escalation_reason": "Selisih harga perlu dicek kepala bengkel.",
        },
    )
    logistics = _client(demo_server, demo_db, "logistics")
    with pytest.raises(Fault, match=REFUSED):
        _run(logistics, action_id, "gema.conversation", [conversation_id])
    _run(cs, action_id, "gema.conversation", [conversation_id])
    [conversation] = cs.read("gema.conversation", [conversation_id], ["state"])
    assert conversation["state"] == "escalated"


def test_g4_recompute_and_holiday_import_over_rpc(demo_server, demo_db):
    """G-4: the supervisor recomputes the SLA lines of the bookings; the
    SOP administrator imports the public holidays into the Medan branch's
    calendar, twice without duplicates; the CS officer and the manager are
    refused."""
    admin = _client(demo_server, demo_db, "admin")
    supervisor = _client(demo_server, demo_db, "supervisor")
    booking_ids = supervisor.search("gema.booking", [])
    recompute_id = _action_id(admin, "action_server_booking_sla_recompute")
    _run(supervisor, recompute_id, "gema.booking", booking_ids)
    cs = _client(demo_server, demo_db, "cs")
    with pytest.raises(Fault, match=REFUSED):
        _run(cs, recompute_id, "gema.booking", booking_ids)

    import_id = _action_id(admin, "action_server_calendar_import_holidays")
    [branch] = admin.read(
        "res.company",
        [("name", "=", "Gema Sehat Indonesia - Medan")],
        ["gema_operating_calendar_id", "resource_calendar_id"],
    )
    calendar = branch["gema_operating_calendar_id"] or branch["resource_calendar_id"]
    manager = _client(demo_server, demo_db, "manager")
    with pytest.raises(Fault, match=REFUSED):
        _run(manager, import_id, "resource.calendar", [calendar[0]])
    sopadmin = _client(demo_server, demo_db, "sopadmin")
    year = date.today().year

    def leaves():
        return sopadmin.execute_kw(
            "resource.calendar.leaves",
            "search_read",
            [
                [
                    ("calendar_id", "=", calendar[0]),
                    ("resource_id", "=", False),
                    ("date_to", ">", f"{year - 1}-12-31 17:00:00"),
                    ("date_from", "<", f"{year + 1}-12-31 17:00:00"),
                ],
                ["name", "date_from"],
            ],
            {"context": {"lang": "en_US"}},
        )

    # The demo database is shared by the end-to-end tests and kept between
    # runs: the holidays may be there already, from an earlier run.
    notice = _run(sopadmin, import_id, "resource.calendar", [calendar[0]])
    assert notice["tag"] == "display_notification"
    imported = leaves()
    assert len(imported) >= 30, "Indonesia has more than 15 public holidays a year"
    assert "Christmas Day" in {leave["name"] for leave in imported}
    notice = _run(sopadmin, import_id, "resource.calendar", [calendar[0]])
    assert notice["params"]["message"] == "0 public holidays imported."
    assert len(leaves()) == len(imported)
