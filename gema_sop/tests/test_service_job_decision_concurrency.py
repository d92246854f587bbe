"""Two taps on *Yes, approve* at the same moment record one decision and
tell the advisor once (ST-2, robustness).

Each post runs in its own transaction and neither sees the other's
decision. Both write the same line: the second waits for the first, is
refused by PostgreSQL once the first commits, and is run again by Odoo,
which then finds the decision taken and shows it. This runs a real Odoo
server on a copy of the test database (see tools/test.sh): the first tap is
played by a transaction of the test holding its decision uncommitted, the
second is a real HTTP POST that must wait for it.
"""

import re
import threading
import uuid
from datetime import timedelta

import requests

from odoo import Command, fields

from .public_page_server import (
    registry_of,
    setup_branch,
    superuser_env,
    wait_for_lock_wait,
)

_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def _setup_job(registry, branch_id):
    """A job of the branch with one extra work open to the customer's
    decision, its advisor told by inbox; committed. (job, line, advisor,
    token) ids."""
    with registry.cursor() as cr:
        env = superuser_env(cr)
        advisor = env["res.users"].create(
            {
                "name": "Concurrency Advisor",
                # Unique: the copy database may serve more than one run.
                "login": f"decision_advisor_{uuid.uuid4().hex[:8]}",
                "groups_id": [
                    Command.set(env.ref("gema_sop.group_service_advisor").ids)
                ],
                "company_id": branch_id,
                "company_ids": [Command.set([branch_id])],
                "notification_type": "inbox",
            }
        )
        customer = env["res.partner"].create({"name": "Rina Sitorus"})
        vehicle = env["gema.vehicle"]._find_or_create(
            "BK 4321 CC", "Honda Jazz", customer, env["res.company"].browse(branch_id)
        )
        job = (
            env["gema.service.job"]
            .with_company(branch_id)
            .create(
                {
                    "partner_id": customer.id,
                    "vehicle_id": vehicle.id,
                    "company_id": branch_id,
                    "user_id": advisor.id,
                    "complaint": "Brakes squeak",
                    "line_ids": [
                        Command.create(
                            {
                                "name": "Replace brake pads",
                                "price": 450000,
                                "approval_expires": fields.Datetime.now()
                                + timedelta(hours=48),
                            }
                        )
                    ],
                }
            )
        )
        return job.id, job.line_ids.id, advisor.id, job._portal_ensure_token()


def test_st2_two_taps_at_the_same_moment_record_and_tell_once(
    concurrency_db, concurrency_server
):
    """ST-2 / robustness: the second of two simultaneous confirmed
    approvals waits for the first, then shows the decision already taken;
    one decision, one chatter note, one activity for the advisor."""
    registry = registry_of(concurrency_db)
    branch_id, _service_id = setup_branch(registry, "Decision Branch")
    job_id, line_id, advisor_id, token = _setup_job(registry, branch_id)
    visitor = requests.Session()
    page = visitor.get(
        f"{concurrency_server}/my/jobs/{job_id}?access_token={token}", timeout=60
    )
    assert page.status_code == 200, page.text[:2000]
    form = {
        "csrf_token": _CSRF.search(page.text).group(1),
        "access_token": token,
        "decision": "approved",
        "confirmed": "1",
    }
    answer = {}

    def second_tap():
        answer["response"] = visitor.post(
            f"{concurrency_server}/my/jobs/{job_id}/lines/{line_id}/decision",
            data=form,
            allow_redirects=False,
            timeout=60,
        )

    with registry.cursor() as cr:
        # The first tap: its decision is written, not committed yet.
        line = superuser_env(cr)["gema.service.job.line"].browse(line_id)
        line._record_decision("approved", "portal")
        decided = line.decision_date
        cr.flush()
        thread = threading.Thread(target=second_tap)
        thread.start()
        # Commit only once the second tap waits for the first one's row.
        wait_for_lock_wait(registry, concurrency_db, thread, answer, "second tap")
    thread.join(60)

    response = answer["response"]
    with registry.cursor() as cr:
        env = superuser_env(cr)
        job = env["gema.service.job"].browse(job_id)
        line = job.line_ids
        state = (line.approval_state, line.decision_date)
        activities = job.activity_ids.filtered(
            lambda activity: activity.user_id.id == advisor_id
            and "Replace brake pads" in (activity.summary or "")
        )
        notes = job.message_ids.filtered(
            lambda message: "Replace brake pads" in (message.body or "")
        )
        # The database is shared with other committing tests: leave no
        # running clock behind.
        job.unlink()
    assert response.status_code == 303, response.text[:2000]
    assert f"/my/jobs/{job_id}" in response.headers["Location"]
    assert state == ("approved", decided)
    assert len(activities) == 1, activities.mapped("summary")
    assert len(notes) == 1
