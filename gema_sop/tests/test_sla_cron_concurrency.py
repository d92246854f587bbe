"""Two cron workers at once never escalate a line twice (G-2, G-4).

Runs on a copy of the test database (see tools/test.sh) because the two
workers need committed data and their own transactions: worker A claims a
batch and keeps it locked while worker B runs the same scheduled action.
"""

import threading
from unittest.mock import patch

from odoo import SUPERUSER_ID, api
from odoo.modules.registry import Registry
from odoo.tools import config

LINES = 10


def _env(cr):
    return api.Environment(cr, SUPERUSER_ID, {})


def _setup(registry):
    """Ten SOP documents whose time standard is already breached."""
    with registry.cursor() as cr:
        env = _env(cr)
        env["gema.sla.policy"].search([]).active = False
        user = env["res.users"].create(
            {
                "name": "Concurrency advisor",
                "login": "concurrency_advisor",
                "groups_id": [(6, 0, env.ref("gema_sop.group_service_advisor").ids)],
            }
        )
        env["hr.employee"].create({"name": user.name, "user_id": user.id})
        policy = env["gema.sla.policy"].create(
            {
                "name": "Concurrency standard",
                "sop": "BK",
                "model_id": env["ir.model"]._get_id("gema.sop.document"),
                "duration": 1,
                "duration_unit": "minutes",
                "time_mode": "calendar",
                "violation_type": "bk_no_reply",
            }
        )
        env["gema.sop.document"].create(
            [
                {
                    "number": f"C/{n}",
                    "name": "Concurrency",
                    "sop": "BK",
                    "user_id": user.id,
                }
                for n in range(LINES)
            ]
        )
        cr.execute(
            "UPDATE gema_sla_status SET start = start - interval '2 hours', "
            "at_risk_at = start - interval '2 hours', "
            "deadline = start - interval '1 hour', "
            "next_check = start - interval '1 hour', "
            "manager_deadline = start + interval '1 day' "
            "WHERE policy_id = %s",
            [policy.id],
        )
        # The database is shared with the other tests that commit: lines
        # they left (a booking's first response) are not this race's.
        cr.execute(
            "UPDATE gema_sla_status SET next_check = NULL WHERE policy_id != %s",
            [policy.id],
        )
        return policy.id


def test_two_workers_at_once_never_escalate_a_line_twice(concurrency_db):
    # pytest-odoo runs with tests enabled: loading a registry would run the
    # module's tests again inside it.
    with patch.dict(config.options, {"test_enable": False}):
        registry = Registry(concurrency_db)
    policy_id = _setup(registry)
    barrier = threading.Barrier(2, timeout=60)
    done = {}
    errors = []

    def worker(name, batch_size, claim_first):
        try:
            with registry.cursor() as cr:
                Status = _env(cr)["gema.sla.status"]
                if not claim_first:
                    barrier.wait()  # A holds its batch locked now
                done[name] = Status._cron_process_due(batch_size=batch_size)
                if claim_first:
                    barrier.wait()
                barrier.wait()  # both commit after both ran
        except Exception as error:
            errors.append(error)
            barrier.abort()

    threads = [
        threading.Thread(target=worker, args=("a", LINES // 2, True)),
        threading.Thread(target=worker, args=("b", LINES, False)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert errors == []
    # B skipped the lines A held and took the others.
    assert done == {"a": LINES // 2, "b": LINES // 2}

    with registry.cursor() as cr:
        env = _env(cr)
        Status = env["gema.sla.status"]
        # Running the action again (twice) finds nothing more to do.
        assert Status._cron_process_due() == 0
        assert Status._cron_process_due() == 0
        lines = Status.search([("policy_id", "=", policy_id)])
        assert len(lines) == LINES
        assert set(lines.mapped("state")) == {"breached"}
        assert set(lines.mapped("escalation_stage")) == {2}
        violations = env["gema.violation"].search([("sla_status_id", "in", lines.ids)])
        assert sorted(violations.mapped("sla_status_id").ids) == sorted(lines.ids)
        assert len(violations) == LINES
        escalation = env.ref("gema_sop.mail_activity_type_sla_escalation")
        activities = env["mail.activity"].search(
            [
                ("res_model", "=", "gema.sop.document"),
                ("activity_type_id", "=", escalation.id),
            ]
        )
        assert sorted(activities.mapped("res_id")) == sorted(lines.mapped("res_id"))
