"""The demo's checklists help, not flood (issue 14; BK-12, ST-10, FU-8):
on `make run`'s database, through a real server and erppeek, the demo
service advisor's activities are a day's real work and the technician's
jobs show only a few items, none of them the technician's."""

from datetime import datetime, timedelta

import erppeek

# The most pending items a record can hold at once, by the steps of
# its checklist: a booking's confirmation and H-1 items, a job's
# inspection, approval and next-day items, a follow-up's call and
# testimonial items.
MOST_PENDING = {"gema.booking": 4, "gema.service.job": 7, "gema.followup": 4}
PLANS = {
    "gema.booking": "mail_activity_plan_booking_checklist",
    "gema.service.job": "mail_activity_plan_service_job",
    "gema.followup": "mail_activity_plan_followup",
}


def _checklist_types(admin):
    """{activity type id: model} of the three SOP checklists."""
    types = {}
    for model, plan in PLANS.items():
        [plan_id] = admin.search(
            "ir.model.data", [("module", "=", "gema_sop"), ("name", "=", plan)]
        )
        [data] = admin.read("ir.model.data", [plan_id], ["res_id"])
        templates = admin.search(
            "mail.activity.plan.template", [("plan_id", "=", data["res_id"])]
        )
        for template in admin.read(
            "mail.activity.plan.template", templates, ["activity_type_id"]
        ):
            types[template["activity_type_id"][0]] = model
    return types


def test_demo_advisor_overdue_activities_are_only_real_late_work(demo_server, demo_db):
    """BK-12, ST-10, FU-8 (issue 14): the demo service advisor starts with
    no overdue checklist item (each is due on its step's day), with fewer
    than a third of the 90 items the whole checklists would be, and no
    record holds more items than its reached steps plan."""
    admin = erppeek.Client(demo_server, demo_db, "admin", "admin")
    advisor = erppeek.Client(demo_server, demo_db, "advisor", "advisor")
    [uid] = advisor.search("res.users", [("login", "=", "advisor")])
    types = _checklist_types(admin)
    activities = advisor.read(
        "mail.activity",
        [("user_id", "=", uid)],
        [
            "res_model",
            "res_id",
            "activity_type_id",
            "state",
            "summary",
            "date_deadline",
            "create_date",
        ],
    )
    items = [a for a in activities if a["activity_type_id"][0] in types]
    assert items, "the demo shows the checklist at work"
    # Overdue when the demo was installed: due before the day (WIB) it was
    # made. (Read against today, an install at 23:59 WIB and a test run at
    # 00:01 would find the day's items overdue.)
    late = [
        item
        for item in items
        if item["date_deadline"]
        < (
            datetime.strptime(item["create_date"], "%Y-%m-%d %H:%M:%S")
            + timedelta(hours=7)
        )
        .date()
        .isoformat()
    ]
    assert late == []
    assert len(items) < 30
    per_record = {}
    for item in items:
        key = (item["res_model"], item["res_id"])
        per_record[key] = per_record.get(key, 0) + 1
    for (model, _res_id), count in per_record.items():
        assert count <= MOST_PENDING[model], per_record


def test_demo_technician_jobs_show_a_few_items_none_theirs(demo_server, demo_db):
    """ST-10 (issue 14): the technician's jobs show at most the items of
    their steps, all the service advisor's; none is the technician's."""
    advisor = erppeek.Client(demo_server, demo_db, "advisor", "advisor")
    technician = erppeek.Client(demo_server, demo_db, "technician", "technician")
    [uid] = technician.search("res.users", [("login", "=", "technician")])
    jobs = technician.read(
        "gema.service.job", technician.search("gema.service.job", []), ["activity_ids"]
    )
    assert jobs
    for job in jobs:
        assert len(job["activity_ids"]) <= MOST_PENDING["gema.service.job"], job
        if job["activity_ids"]:
            users = advisor.read("mail.activity", job["activity_ids"], ["user_id"])
            assert uid not in [activity["user_id"][0] for activity in users]
    assert not advisor.search_count(
        "mail.activity", [("user_id", "=", uid), ("res_model", "=", "gema.service.job")]
    )
