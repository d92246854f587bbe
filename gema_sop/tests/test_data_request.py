"""The customer's data rights (UU 27/2022, PDP; G-5): a personal data
request finds, exports and erases what a branch holds about a person, within
its 3 x 24-hour standard, for CS supervisors of the branch only."""

import base64
import json
from datetime import timedelta

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import new_test_user, tagged

from .service_job_common import ServiceJobCase

POLICY = "gema_sop.sla_policy_g5_data_request"


@tagged("post_install", "-at_install")
class TestDataRequest(ServiceJobCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.activate_indonesian()
        cls.supervisor = cls.users["supervisor"]
        cls.Request = cls.env["gema.data.request"].with_user(cls.supervisor)
        cls.other = cls.env["res.partner"].create(
            {
                "name": "Sari Lubis",
                "mobile": "0812-9999-8888",
                "company_id": cls.branch.id,
            }
        )

    def _records_in_every_sop(self):
        """The customer's delivered job with its follow-up, a cancelled
        booking, a closed chat and a cancelled ticket; the other customer's
        booking."""
        job = self._inspected(self._job(start=None))
        tech = self._as("technician", job)
        tech.action_start()
        tech.action_finish()
        tech.action_qc_pass()
        job.pickup_date = job.create_date + timedelta(hours=4)
        job.action_ready()
        job.action_deliver()
        followup = self.env["gema.followup"].search([("service_job_id", "=", job.id)])
        followup.write(
            {
                "contact_channel": "phone",
                "condition_note": "Rem sudah tidak berbunyi.",
                "outcome": "satisfied",
                "feedback": "Mobil nyaman, Budi senang.",
            }
        )
        followup.with_user(self.advisor).action_contacted()
        values = {
            "customer_name": "Budi Santoso",
            "license_plate": "bk1234abc",
            "vehicle_type": "Toyota Avanza",
            "complaint": "Rem berdecit",
            "requested_start": job.create_date + timedelta(days=3),
            "channel": "whatsapp",
            "company_id": self.branch.id,
        }
        Booking = self.env["gema.booking"].with_user(self.advisor)
        booking = Booking._create_request(dict(values, customer_phone="0812-3456-7890"))
        booking.message_post(body="Budi minta dijadwalkan ulang.")
        booking.action_cancel()
        others = Booking._create_request(
            dict(values, customer_name="Sari Lubis", customer_phone="0812-9999-8888")
        )
        cs = self.users["cs"]
        conversation = (
            self.env["gema.conversation"]
            .with_user(cs)
            .create(
                {
                    "channel": "whatsapp",
                    "partner_id": self.customer.id,
                    "summary": "Budi tanya harga kampas rem.",
                    "company_id": self.branch.id,
                }
            )
        )
        # sudo: a data repair closes the chat here; its closing SOP is
        # tested in test_conversation.
        conversation.sudo().write({"state": "closed"})
        # sudo: as the customer's rating page records it (CS-8).
        conversation.sudo()._rate(4, "Budi puas dengan jawabannya.")
        ticket = (
            self.env["gema.ticket"]
            .with_user(cs)
            .create(
                {
                    "partner_id": self.customer.id,
                    "company_id": self.branch.id,
                    "channel": "whatsapp",
                    "product_name": "Kampas rem depan",
                    "chronology": "Budi bilang kampas cepat habis.",
                }
            )
        )
        ticket.action_cancel()
        return job, followup, booking, conversation, ticket, others

    def _line(self, request, record):
        return request.line_ids.filtered(
            lambda line: (line.res_model, line.res_id) == (record._name, record.id)
        )

    def test_g5_find_export_erase_for_a_customer_in_every_sop(self):
        """G-5: Find lists the customer's records of every SOP (by the
        number typed in any form, or the email), the customer and their
        chatter; Export attaches a readable JSON file with the fields'
        labels; Erase anonymises what no law keeps and keeps the delivered
        (invoiced) job as it is, saying why. The other customer is
        untouched."""
        job, followup, booking, conversation, ticket, others = (
            self._records_in_every_sop()
        )
        elsewhere = self.env["res.partner"].create({"name": "Bengkel Binjai"})
        elsewhere.message_post(
            body="Komentar Budi di cabang lain.",
            author_id=self.customer.id,
            message_type="comment",
        )
        request = self.Request.create(
            {"requester_name": "Budi Santoso", "phone": "0812 3456 7890"}
        )
        self.assertEqual(request.phone, "+6281234567890")
        self.assertEqual(request.company_id, self.branch)
        request.action_find()
        self.assertEqual(request.state, "found")
        for record in (self.customer, job, followup, booking, conversation, ticket):
            self.assertTrue(self._line(request, record), record)
        self.assertFalse(self._line(request, others))
        self.assertEqual(self._line(request, job).decision, "keep")
        self.assertIn("UU 8/1997", self._line(request, job).reason)
        self.assertEqual(self._line(request, booking).decision, "erase")
        self.assertEqual(self._line(request, self.customer).decision, "keep")
        self.assertTrue(self._line(request, booking).message_count)
        by_email = self.Request.create({"email": " Budi@Example.com "})
        by_email.action_find()
        self.assertEqual(by_email.email, "budi@example.com")
        self.assertTrue(self._line(by_email, ticket))

        request.action_export()
        self.assertEqual(request.state, "exported")
        export = json.loads(base64.b64decode(request.export_attachment_id.datas))
        self.assertEqual(export["Request"], request.name)
        kinds = {record["Kind of Record"] for record in export["Records"]}
        self.assertTrue({"Booking", "Service Job", "After-sales Ticket"} <= kinds)
        booking_data = next(
            record
            for record in export["Records"]
            if record["Record"] == booking.display_name
        )
        self.assertEqual(booking_data["Data"]["WhatsApp Number"], "+6281234567890")
        self.assertEqual(booking_data["Data"]["Complaint or Request"], "Rem berdecit")
        self.assertIn(
            "Budi minta dijadwalkan ulang.",
            [message["Text"] for message in booking_data["Messages"]],
        )

        # CS-8: the rating the customer gave (its rating.rating row).
        chat_data = next(
            record
            for record in export["Records"]
            if record["Record"] == conversation.display_name
        )
        self.assertEqual(
            (chat_data["Data"]["Rating"], chat_data["Data"]["Customer's Comment"]),
            ("4", "Budi puas dengan jawabannya."),
        )
        self.assertTrue(chat_data["Data"]["Rated On"])

        # The customer's own comment on a record of another branch.
        self.assertEqual(
            [m["Text"] for m in export["Messages Written Elsewhere"]],
            ["Komentar Budi di cabang lain."],
        )

        request.action_erase()
        self.assertEqual(request.state, "erased")
        for record in (booking, conversation, ticket):
            self.assertTrue(record.content_removed_date)
            self.assertFalse(
                self.env["mail.message"].search(
                    [("model", "=", record._name), ("res_id", "=", record.id)]
                )
            )
        self.assertEqual(booking.customer_phone, "-")
        self.assertFalse(conversation.partner_id or ticket.partner_id)
        # The rating row loses the comment and the customer, keeps the
        # value for the statistics.
        rating = conversation.sudo().rating_ids
        self.assertEqual(
            (rating.rating, rating.feedback, rating.partner_id.id), (4.0, False, False)
        )
        self.assertEqual((conversation.rating, conversation.rating_comment), (4, False))
        self.assertFalse(followup.feedback or followup.condition_note)
        self.assertEqual(followup.state, "contacted")
        # The invoiced work stays whole, with the customer it names.
        self.assertEqual(job.partner_id, self.customer)
        self.assertEqual(self.customer.name, "Budi Santoso")
        self.assertIn("Kept:", request.erase_report)
        self.assertIn(job.display_name, request.erase_report)
        self.assertEqual(others.customer_name, "Sari Lubis")
        self.assertFalse(others.content_removed_date)
        request.action_close()
        self.assertEqual(request.state, "done")

    def test_g5_erase_anonymises_a_customer_no_law_keeps(self):
        """G-5: a customer with no invoiced work is anonymised and archived
        (name, numbers, email, address) with their chatter."""
        self.other.message_post(body="Catatan tentang Sari.")
        request = self.Request.create({"phone": "+62 812-9999-8888"})
        request.action_find()
        request.action_erase()
        self.assertFalse(self.other.active)
        self.assertEqual(self.other.name, "Anonymised customer")
        self.assertFalse(self.other.mobile or self.other.email)
        self.assertFalse(self.other.message_ids.filtered(lambda m: m.body))

    def test_g5_erase_refused_while_a_record_is_in_use(self):
        """G-5, robustness: an erasure with a record still in use is refused
        in both languages, and nothing was erased (all or nothing)."""
        Booking = self.env["gema.booking"].with_user(self.advisor)
        done = Booking._create_request(
            {
                "customer_name": "Sari Lubis",
                "customer_phone": "0812-9999-8888",
                "license_plate": "bk1234abc",
                "vehicle_type": "Toyota Avanza",
                "complaint": "Rem berdecit",
                "requested_start": fields.Datetime.now() + timedelta(days=3),
                "channel": "whatsapp",
                "company_id": self.branch.id,
            }
        )
        done.action_cancel()
        ticket = (
            self.env["gema.ticket"]
            .with_user(self.users["cs"])
            .create(
                {
                    "partner_id": self.other.id,
                    "company_id": self.branch.id,
                    "product_name": "Aki",
                    "chronology": "Aki soak.",
                }
            )
        )
        request = self.Request.create({"phone": "0812-9999-8888"})
        request.action_find()
        self.assertEqual(self._line(request, ticket).decision, "open")
        with self.assertRaisesBilingual(UserError, "still in use", "masih") as run:
            run(lambda env: request.with_env(env).action_erase())
        self.assertEqual(request.state, "found")
        self.assertEqual(done.customer_name, "Sari Lubis")
        self.assertFalse(done.content_removed_date)
        self.assertEqual(self.other.name, "Sari Lubis")

    def test_g5_request_logged_with_its_3x24_hour_standard(self):
        """G-5: every request has its SLA line, due 72 hours after it was
        logged; the export stops the clock."""
        request = self.Request.create({"phone": "0812-9999-8888"})
        line = self.env["gema.sla.status"].search(
            [("res_model", "=", request._name), ("res_id", "=", request.id)]
        )
        self.assertEqual(line.policy_id, self.env.ref(POLICY))
        self.assertEqual(line.deadline, request.create_date + timedelta(hours=72))
        self.assertEqual(request.gema_sla_deadline, line.deadline)
        self.assertEqual(line.state, "running")
        request.action_find()
        request.action_export()
        self.assertEqual(line.state, "done")

    def test_g5_wrong_person_refused(self):
        """G-5, robustness: a request needs a valid number or an email."""
        with self.assertRaisesBilingual(
            Exception, "WhatsApp number", "WhatsApp"
        ) as run:
            run(lambda env: self.Request.with_env(env).create({"requester_name": "X"}))
        with self.assertRaises(ValidationError):
            self.Request.create({"phone": "12"})
        with self.assertRaisesBilingual(
            ValidationError, "is not an email address", "bukan alamat email"
        ) as run:
            run(lambda env: self.Request.with_env(env).create({"email": "budi"}))

    def test_security_only_supervisors_of_the_branch(self):
        """Security: CS officers, technicians, advisors and logistics can
        neither log nor read a request (a clear error in both languages); a
        supervisor of another branch sees nothing of it, not even its
        lines."""
        request = self.Request.create({"phone": "0812-9999-8888"})
        request.action_find()
        for role in ("cs", "technician", "advisor", "logistics"):
            user = self.users[role]
            with self.assertRaisesBilingual(
                AccessError, "You are not allowed to", "tidak diizinkan"
            ) as run:
                run(
                    lambda env, u=user: env["gema.data.request"]
                    .with_user(u)
                    .create({"phone": "0812-9999-8888"})
                )
            with self.assertRaises(AccessError):
                request.with_user(user).action_export()
        branch2 = self.env["res.company"].create(
            {"name": "Test Branch Binjai", "parent_id": self.main_company.id}
        )
        stranger = new_test_user(
            self.env,
            login="test_supervisor_binjai",
            groups="gema_sop.group_cs_supervisor",
            company_id=branch2.id,
            company_ids=[Command.set(branch2.ids)],
        )
        Others = self.env["gema.data.request"].with_user(stranger)
        self.assertFalse(Others.search([]))
        self.assertFalse(
            self.env["gema.data.request.line"].with_user(stranger).search([])
        )
        with self.assertRaises(AccessError):
            request.with_user(stranger).read(["phone"])
        with self.assertRaises(AccessError):
            request.with_user(stranger).action_erase()
        # The manager includes the supervisor.
        self.assertTrue(request.with_user(self.users["manager"]).read(["phone"]))
