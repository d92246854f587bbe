"""Every customer message exactly once, measured from outside (G-3, BK-10).

Real processes on the concurrency copy of the test database: sender
processes (``gateway_sender.py``, the sending cron run as ir.cron runs it)
against the project's fake WhatsApp Cloud API (``whatsapp_fake_server``),
which fails a share of the requests (server errors, answers too late,
dropped connections) and counts what it took, per message. One sender is
killed with SIGKILL in the middle of its work, then two senders run at
once. The messages are this module's own (its branch, documents and
customer), the database is committed to for real.
"""

import json
import os
import signal
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from unittest.mock import patch

from odoo import SUPERUSER_ID, api
from odoo.modules.registry import Registry
from odoo.tools import config

from .whatsapp_fake_server import FakeWhatsAppServer, pause

SENDER = Path(__file__).with_name("gateway_sender.py")
LEFT = ("sent", "delivered", "read")


def _env(cr):
    return api.Environment(cr, SUPERUSER_ID, {})


@contextmanager
def _fake_api():
    fake = FakeWhatsAppServer().start()
    try:
        yield fake
    finally:
        fake.stop()


def _registry(db):
    # pytest-odoo runs with tests enabled: loading a registry would run the
    # module's tests again inside it.
    with patch.dict(config.options, {"test_enable": False}):
        return Registry(db)


def _queue(registry, fake, name, count, budget, timeout):
    """A branch whose gateway is ``fake``, ``count`` SOP documents and one
    queued message each; the sender's budget and call timeout (seconds)."""
    with registry.cursor() as cr:
        env = _env(cr)
        ICP = env["ir.config_parameter"]
        ICP.set_param("gema_sop.whatsapp_send_budget", str(budget))
        ICP.set_param("gema_sop.whatsapp_timeout", str(timeout))
        branch = env["res.company"].create(
            {
                # Unique, should the database have been used before.
                "name": f"{name} branch {time.time_ns()}",
                "parent_id": env.ref("base.main_company").id,
                "gema_whatsapp_gateway_enabled": True,
                "gema_whatsapp_api_url": fake.api_url,
                "gema_whatsapp_phone_number_id": fake.phone_number_id,
                "gema_whatsapp_access_token": fake.token,
            }
        )
        customer = env["res.partner"].create(
            {"name": f"{name} customer", "mobile": "0812-3456-7890"}
        )
        # The customer wrote just now: the message goes out as free text.
        customer.gema_whatsapp_last_inbound = cr.now()
        template = env["mail.template"].create(
            {
                "name": f"{name} notice",
                "model_id": env["ir.model"]._get_id("gema.sop.document"),
                "body_html": "<p>Dokumen <t t-out='object.number'/> sudah siap.</p>",
            }
        )
        documents = env["gema.sop.document"].create(
            [
                {
                    "number": f"{name}/{n}",
                    "name": name,
                    "sop": "BK",
                    "company_id": branch.id,
                }
                for n in range(count)
            ]
        )
        Message = env["gema.message"]
        return [
            Message._gema_send(document, template, "whatsapp_api", partner=customer).id
            for document in documents
        ]


def _sender(db, output, *options):
    return subprocess.Popen(
        [sys.executable, str(SENDER), config.rcfile, db, str(output), *options],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env=dict(os.environ, TZ="UTC"),
    )


def _wait(process, seconds):
    try:
        out, _err = process.communicate(timeout=seconds)
    except subprocess.TimeoutExpired:
        process.kill()
        out, _err = process.communicate()
        raise AssertionError(f"the sender did not finish:\n{out.decode()}") from None
    assert process.returncode == 0, out.decode()


def _runs(output):
    return [json.loads(line) for line in output.read_text().splitlines()]


def _outcome(registry, message_ids):
    """{message id: (state, attempts, last error, customer posts on its record)}"""
    with registry.cursor() as cr:
        env = _env(cr)
        subtype = env.ref("gema_sop.mt_customer_message")
        result = {}
        for message in env["gema.message"].browse(message_ids):
            posts = env["mail.message"].search_count(
                [
                    ("model", "=", message.res_model),
                    ("res_id", "=", message.res_id),
                    ("subtype_id", "=", subtype.id),
                ]
            )
            result[message.id] = (
                message.state,
                message.attempts,
                message.last_error,
                posts,
            )
        return result


def _report_statuses(registry, fake, message_ids):
    """Apply the fake API's status webhook for the branch of the messages,
    twice, as the webhook route does; returns their ``_outcome``."""
    payload = fake.status_webhook()
    with registry.cursor() as cr:
        env = _env(cr)
        branch = env["gema.message"].browse(message_ids[0]).company_id
        for _twice in range(2):
            env["gema.whatsapp.webhook"]._receive(payload, branch)
    return _outcome(registry, message_ids)


def test_faults_a_kill_and_two_senders_send_each_message_once(concurrency_db, tmp_path):
    """G-3, BK-10, robustness: 120 queued messages, an API failing 30 % of
    the requests (HTTP 500, answers after the timeout, dropped connections),
    the sender killed (SIGKILL) in the middle of its work, then two senders
    at once: WhatsApp took every message at most once; each one it took is
    marked sent with one chatter entry, or waits To Check with the reason;
    each one it did not take is sent later or waits To Check (or failed
    after 5 attempts); nothing is left queued or sending. WhatsApp's status
    webhook then settles every message it took: only those it never took
    are left To Check."""
    registry = _registry(concurrency_db)
    with _fake_api() as fake:
        fake.inject_faults(0.3, seed=12, stall=1.5)
        ids = _queue(registry, fake, "Faults", 120, budget=4, timeout=1)
        first = _sender(concurrency_db, tmp_path / "a.jsonl", "--fast-retries")
        deadline = time.monotonic() + 40
        while fake.accepted_total < 40:
            assert first.poll() is None, first.stdout.read().decode()
            assert time.monotonic() < deadline, "the first sender sends nothing"
            pause(0.005)
        first.send_signal(signal.SIGKILL)
        first.wait(10)
        assert first.returncode == -signal.SIGKILL
        taken_when_killed = fake.accepted_total
        assert taken_when_killed < len(ids), "killed in the middle of the queue"

        second = _sender(concurrency_db, tmp_path / "b.jsonl", "--fast-retries")
        third = _sender(concurrency_db, tmp_path / "c.jsonl", "--fast-retries")
        _wait(second, 60)
        _wait(third, 60)
        assert fake.problems == []
        accepted = dict(fake.accepted)
        outcome = _outcome(registry, ids)
        # Then WhatsApp's status webhook reports what it took (twice, as
        # Meta repeats itself), as the webhook route applies it.
        settled = _report_statuses(registry, fake, ids)

    # Both senders worked at the same time, on different messages.
    for output in ("b.jsonl", "c.jsonl"):
        assert sum(run["done"] for run in _runs(tmp_path / output)) > 0
    counts = {}
    for message_id, (state, attempts, error, posts) in outcome.items():
        taken = accepted.get(f"gema.message:{message_id}", 0)
        counts[state] = counts.get(state, 0) + 1
        assert taken <= 1, f"message {message_id} reached WhatsApp {taken} times"
        if state in LEFT:
            assert (taken, posts) == (1, 1), (message_id, taken, posts)
        elif state == "check":
            assert error and "Check the chat" in error, (message_id, error)
            assert posts == 0
        else:
            assert (state, taken, attempts, posts) == ("failed", 0, 5, 0), (
                message_id,
                state,
                taken,
                attempts,
            )
    assert counts.get("sent", 0) > len(ids) / 2, counts
    # The status webhook settles every message WhatsApp took; what is left
    # To Check never reached it.
    for message_id, (state, _attempts, _error, posts) in settled.items():
        taken = accepted.get(f"gema.message:{message_id}", 0)
        if taken:
            assert (state, posts) == ("sent", 1), (message_id, state, posts)
        else:
            assert state in ("check", "failed") and posts == 0, (message_id, state)


def test_slow_api_queue_drains_within_the_budget_each_message_once(
    concurrency_db, tmp_path
):
    """G-3, robustness: each call takes longer than the time budget divided
    by the batch size (0.3 s > 4 s / 20; far within the 1 s timeout, for a
    loaded machine): every run stops in its budget and hands over to the
    next, the queue drains, each message is sent once."""
    registry = _registry(concurrency_db)
    with _fake_api() as fake:
        fake.latency = 0.3
        ids = _queue(registry, fake, "Slow", 20, budget=4, timeout=1)
        sender = _sender(concurrency_db, tmp_path / "slow.jsonl")
        _wait(sender, 60)
        accepted = dict(fake.accepted)
        outcome = _outcome(registry, ids)
    runs = [run for run in _runs(tmp_path / "slow.jsonl") if run["done"]]
    assert len(runs) > 1
    for run in runs:
        assert run["done"] < 20, run
        assert run["seconds"] < 4 + 1, run
    assert {state for state, *_rest in outcome.values()} == {"sent"}
    assert [accepted.get(f"gema.message:{i}") for i in ids] == [1] * len(ids)
    assert {posts for *_rest, posts in outcome.values()} == {1}
