"""Two emails from one new address processed at the same moment make one
customer (AS-1, G-5).

Runs on the concurrency copy of the test database: worker A processes the
first email (its ticket and the new customer) and keeps its transaction
open while worker B processes the second one, as the mailgate script's
XML-RPC call does (``odoo.service.model.retrying``). B waits on the
address's claim until A commits, is refused by PostgreSQL (serialization
failure), runs again with a fresh snapshot and finds A's customer.
"""

import functools
import threading
import time as clock
from unittest.mock import patch

from odoo import SUPERUSER_ID, api
from odoo.modules.registry import Registry
from odoo.service.model import retrying
from odoo.tools import config

from .smtp_fake_server import FakeSmtpServer
from .test_ticket_email import raw_email
from .whatsapp_fake_server import pause


def _env(cr):
    return api.Environment(cr, SUPERUSER_ID, {})


def _setup(registry, smtp_port, stamp):
    """A branch with its alias on a domain of its own, and a mail server."""
    domain = f"concurrency-{stamp}.example.com"
    with registry.cursor() as cr:
        env = _env(cr)
        env["ir.mail_server"].create(
            {
                "name": f"Test SMTP {stamp}",
                "smtp_host": "127.0.0.1",
                "smtp_port": smtp_port,
                "smtp_encryption": "none",
            }
        )
        branch = env["res.company"].create(
            {
                "name": f"Email branch {stamp}",
                "parent_id": env.ref("base.main_company").id,
                "alias_domain_id": env["mail.alias.domain"].create({"name": domain}).id,
            }
        )
        branch.gema_ticket_alias_name = "purnajual"
        return branch.id, f"purnajual@{domain}"


def test_two_emails_from_a_new_address_make_one_customer(concurrency_db):
    """AS-1 / G-5: A and B process an email each from the same new address
    at once; both become tickets of the same, single customer."""
    smtp = FakeSmtpServer().start()
    try:
        with patch.dict(config.options, {"test_enable": False}):
            registry = Registry(concurrency_db)
        stamp = clock.time_ns()
        branch_id, alias = _setup(registry, smtp.port, stamp)
        sender = f"kembar{stamp}@example.com"
        emails = [
            raw_email(
                sender,
                f"Keluhan {n}",
                "Lampu depan mati.",
                f"<twin{n}-{stamp}@example.com>",
                to=alias,
            )
            for n in (1, 2)
        ]
        a_processed, b_started = threading.Event(), threading.Event()
        result, errors = {}, []

        def worker_a():
            try:
                with registry.cursor() as cr:
                    result["a"] = _env(cr)["mail.thread"].message_process(
                        False, emails[0]
                    )
                    a_processed.set()
                    b_started.wait(30)
                    pause(1.0)  # B is now waiting on the address's claim
            except Exception as error:
                errors.append(error)
                a_processed.set()

        def worker_b():
            try:
                a_processed.wait(60)
                b_started.set()
                with registry.cursor() as cr:
                    env = _env(cr)
                    process = functools.partial(
                        env["mail.thread"].message_process, False, emails[1]
                    )
                    result["b"] = retrying(process, env)
            except Exception as error:
                errors.append(error)

        threads = [threading.Thread(target=worker_a), threading.Thread(target=worker_b)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(120)
        assert errors == []

        with registry.cursor() as cr:
            env = _env(cr)
            customers = env["res.partner"].search([("email_normalized", "=", sender)])
            assert len(customers) == 1
            tickets = env["gema.ticket"].search([("company_id", "=", branch_id)])
            assert sorted(tickets.ids) == sorted([result["a"], result["b"]])
            assert tickets.partner_id == customers
    finally:
        smtp.stop()
