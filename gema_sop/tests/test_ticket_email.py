"""Email to after-sales tickets through Odoo's real mail gateway (SPEC AS-1,
G-5; robustness, security).

Raw RFC 822 emails go through ``mail.thread.message_process``, as the
incoming mail server (fetchmail) or the mailgate script hands them over:
a new email to a branch's alias opens a ticket, a reply joins it by its
headers, and the ticket number goes back to the sender by email, logged as
sent only once Odoo's mail sent it.
"""

import base64
import email
import email.policy
from datetime import timedelta

from freezegun import freeze_time

from odoo.exceptions import AccessError
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import SUITE_NOW, GemaSopCase
from .smtp_fake_server import start_smtp_server

DOMAIN = "gema-test.example.com"
ALIAS = f"purnajual@{DOMAIN}"


def raw_email(
    sender,
    subject,
    body,
    message_id,
    to=ALIAS,
    attachments=(),
    in_reply_to=None,
    headers=(),
):
    """A multipart email as a mail server delivers it."""
    boundary = "gema-boundary"
    lines = [
        f"From: {sender}",
        f"To: {to}",
        f"Subject: {subject}",
        f"Message-ID: {message_id}",
        "Date: Mon, 23 Nov 2026 08:00:00 +0700",
        "MIME-Version: 1.0",
        *headers,
    ]
    if in_reply_to:
        lines += [f"In-Reply-To: {in_reply_to}", f"References: {in_reply_to}"]
    lines += [
        f'Content-Type: multipart/mixed; boundary="{boundary}"',
        "",
        f"--{boundary}",
        'Content-Type: text/plain; charset="utf-8"',
        "",
        body,
    ]
    for name, content in attachments:
        lines += [
            f"--{boundary}",
            f'Content-Type: application/octet-stream; name="{name}"',
            f'Content-Disposition: attachment; filename="{name}"',
            "Content-Transfer-Encoding: base64",
            "",
            base64.encodebytes(content).decode(),
        ]
    lines.append(f"--{boundary}--")
    return "\r\n".join(lines)


@tagged("post_install", "-at_install")
class TestTicketEmail(GemaSopCase):
    """The branch's alias purnajual@... and its tickets."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.activate_indonesian()
        # Customers and staff write English or Indonesian.
        cls.env["res.lang"]._activate_lang("en_US")
        alias_domain = cls.env["mail.alias.domain"].create({"name": DOMAIN})
        cls.branch.alias_domain_id = alias_domain
        cls.branch.gema_ticket_alias_name = "purnajual"
        cls.Ticket = cls.env["gema.ticket"]
        cls.as1_policy = cls.env.ref("gema_sop.sla_policy_as1_ticket_number")

    def setUp(self):
        super().setUp()
        self.smtp = start_smtp_server(self)

    def _process(self, raw):
        return self.env["mail.thread"].message_process(False, raw)

    def _sent_to(self, address):
        """The texts of the emails the mail server took for ``address``."""
        texts = []
        for _sender, recipients, raw in self.smtp.received:
            if any(address in recipient for recipient in recipients):
                mail = email.message_from_bytes(raw, policy=email.policy.default)
                texts.append(mail.get_body(("html", "plain")).get_content())
        return texts

    def _tickets(self):
        return self.Ticket.search([("company_id", "=", self.branch.id)])

    def _number_messages(self, ticket):
        return self.env["gema.message"].search(
            [
                ("res_model", "=", "gema.ticket"),
                ("res_id", "=", ticket.id),
                (
                    "template_id",
                    "=",
                    self.env.ref("gema_sop.mail_template_ticket_number").id,
                ),
            ]
        )

    def test_as1_alias_is_the_branchs(self):
        """AS-1: the branch's setting makes an alias opening its tickets on
        the email channel; renaming it renames the alias."""
        alias = self.branch.gema_ticket_alias_id
        self.assertEqual(alias.alias_full_name, ALIAS)
        self.assertEqual(alias.alias_model_id.model, "gema.ticket")
        self.assertIn(str(self.branch.id), alias.alias_defaults)
        self.branch.gema_ticket_alias_name = "keluhan"
        self.assertEqual(alias.alias_full_name, f"keluhan@{DOMAIN}")

    def test_as1_email_opens_a_ticket_and_a_reply_joins_it(self):
        """AS-1: a new email makes a ticket of the alias's branch on the
        email channel: the sender is the customer (created with the
        address), the text is the chronology, the files are the evidence;
        the ticket number goes to the sender by email, logged as sent once
        Odoo's mail sent it; a reply joins the same ticket and gets no
        second number."""
        photo = b"\x89PNG fake photo of the broken battery"
        thread_id = self._process(
            raw_email(
                '"Dewi Lubis" <Dewi.Lubis@Example.COM>',
                "Aki GS Astra cepat soak",
                "Aki yang dibeli 2 minggu lalu sudah soak.\nMobil tidak bisa starter.",
                "<first-dewi@example.com>",
                attachments=[("nota.pdf", b"%PDF-1.4 nota"), ("foto.png", photo)],
            )
        )
        ticket = self._tickets()
        self.assertEqual(len(ticket), 1)
        self.assertEqual(ticket.id, thread_id)
        self.assertRecordValues(
            ticket,
            [
                {
                    "company_id": self.branch.id,
                    "channel": "email",
                    "state": "new",
                    "product_name": "Aki GS Astra cepat soak",
                    "user_id": False,
                }
            ],
        )
        self.assertNotEqual(ticket.name, "/")
        self.assertIn("Mobil tidak bisa starter.", ticket.chronology)
        customer = ticket.partner_id
        self.assertEqual(
            (customer.name, customer.email), ("Dewi Lubis", "dewi.lubis@example.com")
        )
        self.assertEqual(
            sorted(ticket.purchase_attachment_ids.mapped("name")),
            ["foto.png", "nota.pdf"],
        )
        incoming = ticket.message_ids.filtered(lambda m: m.message_type == "email")
        self.assertEqual(incoming.author_id, customer)

        number = self._number_messages(ticket)
        self.assertRecordValues(
            number, [{"channel": "email", "state": "sent", "partner_id": customer.id}]
        )
        self.assertIn(ticket.name, number.body)
        self.assertEqual(ticket.ticket_number_sent_date, number.sent_date)
        notification = number.mail_message_id.notification_ids
        self.assertEqual(notification.res_partner_id, customer)
        self.assertEqual(notification.notification_status, "sent")
        self.assertIn(ticket.name, number.mail_message_id.subject)
        [sent] = self._sent_to("dewi.lubis@example.com")
        self.assertIn(ticket.name, sent)
        self.assertIn(ticket.access_token, sent)

        self._process(
            raw_email(
                "dewi.lubis@example.com",
                f"Re: {number.mail_message_id.subject}",
                "Ini foto garansinya.",
                "<reply-dewi@example.com>",
                attachments=[("garansi.jpg", b"warranty card")],
                in_reply_to=number.mail_message_id.message_id,
            )
        )
        self.assertEqual(self._tickets(), ticket)
        self.assertIn(
            "Ini foto garansinya.", "".join(ticket.message_ids.mapped("body"))
        )
        self.assertIn("garansi.jpg", ticket.purchase_attachment_ids.mapped("name"))
        self.assertEqual(len(self._number_messages(ticket)), 1)

    def test_as1_ticket_number_left_when_the_mail_was_sent(self):
        """AS-1 (trust rule): while its mail waits in Odoo's queue, the
        ticket number email is *Queued* and the number is not told; it is
        *Sent*, with the moment, when the mail was sent."""
        customer = self.env["res.partner"].create(
            {"name": "Rudi Tarigan", "email": "rudi@example.com"}
        )
        ticket = self.Ticket.create(
            {
                "partner_id": customer.id,
                "company_id": self.branch.id,
                "channel": "email",
                "product_name": "Klakson",
                "chronology": "Klakson tidak bunyi sejak kemarin.",
            }
        )
        message = ticket.with_context(mail_notify_force_send=False)._send_message(
            "gema_sop.mail_template_ticket_number", "email"
        )
        self.assertEqual(message.state, "queued")
        self.assertFalse(ticket.ticket_number_sent_date)
        self.assertEqual(self._as1_line(ticket).state, "running")
        mail = self.env["mail.mail"].search(
            [("mail_message_id", "=", message.mail_message_id.id)]
        )
        self.assertEqual(mail.state, "outgoing")
        with freeze_time(SUITE_NOW + timedelta(minutes=20)):
            mail.send()
        self.assertEqual(message.state, "sent")
        sent = SUITE_NOW + timedelta(minutes=20)
        self.assertEqual(message.sent_date, sent)
        self.assertEqual(ticket.ticket_number_sent_date, sent)
        self.assertRecordValues(
            self._as1_line(ticket), [{"state": "done", "reached": sent}]
        )
        self.assertEqual(len(self._sent_to("rudi@example.com")), 1)

    def test_as1_failed_mail_is_not_a_ticket_number(self):
        """AS-1 (trust rule): a mail the mail server refused leaves the
        message *Failed*; the number counts as not given, the clock runs."""
        self.smtp.refuse = True
        self._process(
            raw_email("rina@example.com", "Spion", "Spion retak.", "<r@example.com>")
        )
        ticket = self._tickets()
        self.assertEqual(self._number_messages(ticket).state, "failed")
        self.assertFalse(ticket.ticket_number_sent_date)
        self.assertEqual(self._as1_line(ticket).state, "running")

    def _as1_line(self, ticket):
        return self.env["gema.sla.status"].search(
            [
                ("res_model", "=", "gema.ticket"),
                ("res_id", "=", ticket.id),
                ("policy_id", "=", self.as1_policy.id),
            ]
        )

    def test_as1_g5_one_customer_per_address(self):
        """AS-1 / G-5: a second email from a new address reuses the
        customer the first one created; a known address finds its
        customer whatever its case."""
        known = self.env["res.partner"].create(
            {"name": "Sari Ginting", "email": "sari@example.com"}
        )
        for index, sender in enumerate(
            ("baru@example.com", "Baru <BARU@example.com>", "SARI@example.com")
        ):
            self._process(
                raw_email(
                    sender, f"Keluhan {index}", "Rem berdecit.", f"<n{index}@x.com>"
                )
            )
        tickets = self._tickets()
        self.assertEqual(len(tickets), 3)
        customers = self.env["res.partner"].search(
            [("email_normalized", "=", "baru@example.com")]
        )
        self.assertEqual(len(customers), 1)
        self.assertEqual(
            tickets.mapped("partner_id"), customers | known, "one partner per address"
        )

    @mute_logger("odoo.addons.mail.models.mail_thread")
    def test_as1_staff_address_is_bounced(self):
        """AS-1 / security: an email from a staff member's address opens no
        ticket; the sender gets the alias's bounce saying staff record
        tickets in Odoo, in their language."""
        staff = self.users["cs"]
        staff.write({"email": "cs.officer@example.com", "lang": "en_US"})
        self._process(
            raw_email(staff.email, "Tolong buatkan tiket", "Isi.", "<staff@x.com>")
        )
        self.assertFalse(self._tickets())
        [bounce] = self._sent_to("cs.officer@example.com")
        self.assertIn("Staff members record a ticket in Odoo", bounce)
        staff.lang = "id_ID"
        self._process(raw_email(staff.email, "Tiket lagi", "Isi.", "<staff-id@x.com>"))
        self.assertFalse(self._tickets())
        bounce_id = self._sent_to("cs.officer@example.com")[1]
        self.assertIn("Staf mencatat tiket langsung di Odoo", bounce_id)

    @mute_logger("odoo.addons.mail.models.mail_thread")
    def test_as1_auto_reply_loop_is_stopped(self):
        """Robustness: an auto-replier writing again and again opens tickets
        only up to Odoo's loop threshold, then is ignored."""
        self.env["ir.config_parameter"].set_param("mail.gateway.loop.threshold", 3)
        for index in range(5):
            self._process(
                raw_email(
                    "autoreply@example.com",
                    "Out of office",
                    "I am out of office.",
                    f"<loop{index}@example.com>",
                )
            )
        self.assertEqual(len(self._tickets()), 3)

    def test_as1_oversize_attachment_is_not_kept(self):
        """Robustness: a file above the limit is not kept; the ticket's
        email names it, so the officer asks for it another way."""
        self.env["ir.config_parameter"].set_param("gema_sop.email_attachment_max_mb", 1)
        self._process(
            raw_email(
                "andi@example.com",
                "Video kerusakan",
                "Videonya terlampir.",
                "<big@example.com>",
                attachments=[
                    ("video.mp4", b"0" * (1024 * 1024 + 1)),
                    ("nota.pdf", b"%PDF small"),
                ],
            )
        )
        ticket = self._tickets()
        self.assertEqual(ticket.purchase_attachment_ids.mapped("name"), ["nota.pdf"])
        incoming = ticket.message_ids.filtered(lambda m: m.message_type == "email")
        self.assertIn("video.mp4", incoming.body)
        self.assertIn("larger than 1 MB", incoming.body)

    def test_security_only_settings_admins_set_the_address(self):
        """Security: no SOP role sets a branch's ticket address (it takes
        the administrators' right to change the company); nothing changes."""
        alias = self.branch.gema_ticket_alias_id
        for role, user in self.users.items():
            with self.subTest(role=role), self.assertRaises(AccessError):
                self.branch.with_user(user).write({"gema_ticket_alias_name": "x"})
        self.assertEqual(alias.alias_name, "purnajual")
        self.assertEqual(self.branch.gema_ticket_alias_id, alias)

    def test_security_message_new_by_rpc_needs_the_right_to_open_tickets(self):
        """Security: a user who may not open tickets gets nothing from calling
        the gateway's method directly (XML-RPC): refused, and no customer
        is left behind; a CS officer's call makes only their branch's
        ticket, as by hand."""
        msg = {
            "email_from": "rpc.baru@example.com",
            "subject": "Lewat RPC",
            "body": "<p>Isi</p>",
            "attachments": [],
        }
        for role in ("technician", "logistics", "advisor"):
            with self.subTest(role=role), self.assertRaises(AccessError):
                with self.env.cr.savepoint():
                    self.Ticket.with_user(self.users[role]).message_new(
                        dict(msg), {"company_id": self.branch.id}
                    )
        self.assertFalse(
            self.env["res.partner"].search(
                [("email_normalized", "=", "rpc.baru@example.com")]
            )
        )
        ticket = self.Ticket.with_user(self.users["cs"]).message_new(
            dict(msg), {"company_id": self.branch.id}
        )
        self.assertEqual(ticket.company_id, self.branch)
