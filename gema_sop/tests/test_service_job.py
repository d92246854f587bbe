"""Service jobs: the state machine, technician slots, the initial notice,
the technician's confirmation, extra-work approvals, completion, delays,
the checklist and role access (SPEC ST-1, ST-2, ST-4, ST-5, ST-8, ST-10,
BK-4 for jobs)."""

import base64
from datetime import timedelta

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, freeze_time, tagged

from .service_job_common import MONDAY_0900_WIB, ServiceJobCase

PNG = base64.b64encode(
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08"
    b"\x06\x00\x00\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00"
    b"\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82"
)


@tagged("post_install", "-at_install")
class TestServiceJob(ServiceJobCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.activate_indonesian()
        # G-3: the customer reads Indonesian; the messages are rendered in it.
        cls.customer.lang = "id_ID"

    # Opening and the state machine ---------------------------------------

    def test_walk_in_job_is_numbered_and_holds_its_technician(self):
        """BK-4 / ST: a walk-in job gets its number and holds the technician
        for the planned time through a technician slot."""
        with freeze_time(MONDAY_0900_WIB):
            job = self._job()
        self.assertRegex(job.name, r"^JOB/\d{4}/\d{5}$")
        # The customer is the vehicle's owner unless the advisor chose another.
        self.assertEqual(
            self.Job.new({"vehicle_id": self.vehicle.id}).partner_id, self.customer
        )
        self.assertEqual(job.state, "reception")
        self.assertEqual(job.access_url, f"/my/jobs/{job.id}")
        slot = job.slot_ids
        self.assertEqual(
            (slot.employee_id, slot.start, slot.stop, slot.res_model, slot.res_id),
            (
                self.technician,
                MONDAY_0900_WIB,
                MONDAY_0900_WIB + timedelta(hours=4),
                job._name,
                job.id,
            ),
        )

    def test_walk_in_job_from_the_form(self):
        """ST / BK-8: the service advisor opens a walk-in job in the form:
        the vehicle brings its owner, the technician is held at once."""
        form = Form(self.Job)
        form.vehicle_id = self.vehicle
        self.assertEqual(form.partner_id, self.customer)
        form.technician_ids.add(self.technician)
        form.planned_start = MONDAY_0900_WIB
        form.planned_stop = MONDAY_0900_WIB + timedelta(hours=2)
        form.complaint = "Oli bocor"
        job = form.save()
        self.assertEqual(job.state, "reception")
        self.assertEqual(job.user_id, self.advisor)
        self.assertEqual(job.slot_ids.employee_id, self.technician)

    def test_illegal_transitions_are_refused_in_both_languages(self):
        """ST: the job follows reception -> inspection -> (approval) -> work
        -> QC -> ready -> delivered; any other move is refused."""
        job = self._job()
        with self.assertRaisesBilingual(
            UserError,
            "cannot go from Vehicle Reception to Quality Check",
            "tidak dapat",
        ) as run:
            run(lambda env: job.with_env(env).action_finish())
        # Writing the state directly skips the checks: refused too.
        with self.assertRaisesRegex(UserError, "Use the buttons of JOB/"):
            job.write({"state": "delivered"})
        job.action_cancel()
        with self.assertRaises(UserError):
            job.action_inspect()
        with self.assertRaises(UserError):
            job.action_deliver()

    def test_no_clash_for_jobs(self):
        """BK-4 (6.3) for jobs: a technician held by a job cannot be given a
        second overlapping job, neither by creating it, nor by moving a plan
        or adding the technician; the message names the clash. Cancelling,
        delivering or removing the technician releases the time."""
        first = self._job()
        with self.assertRaisesRegex(ValidationError, "already booked"):
            self._job(start=MONDAY_0900_WIB + timedelta(hours=3), hours=2)
        second = self._job(
            start=MONDAY_0900_WIB + timedelta(hours=3),
            hours=2,
            technicians=self.technician_2,
        )
        with self.assertRaisesRegex(ValidationError, first.name):
            second.technician_ids = [Command.link(self.technician.id)]
        # The first job's slot follows its plan; then the technician fits.
        first.planned_stop = MONDAY_0900_WIB + timedelta(hours=2)
        self.assertEqual(first.slot_ids.stop, MONDAY_0900_WIB + timedelta(hours=2))
        second.technician_ids = [Command.set(self.technician.ids)]
        self.assertEqual(second.slot_ids.employee_id, self.technician)
        with self.assertRaisesRegex(ValidationError, "already booked"):
            second.planned_start = MONDAY_0900_WIB + timedelta(hours=1)
        second.planned_start = MONDAY_0900_WIB + timedelta(hours=2)
        self.assertEqual(second.slot_ids.start, MONDAY_0900_WIB + timedelta(hours=2))
        # Removing the technician releases the slot (kept as history).
        second.technician_ids = [Command.set(self.technician_2.ids)]
        released = (
            self.env["gema.technician.slot"]
            .with_context(active_test=False)
            .search(
                [("res_id", "=", second.id), ("employee_id", "=", self.technician.id)]
            )
        )
        self.assertFalse(released.active)
        # Cancelling releases the first job's time: a third job can take it.
        first.action_cancel()
        self.assertFalse(first.slot_ids)
        third = self._job(hours=2)
        self.assertEqual(third.slot_ids.employee_id, self.technician)

    # ST-1 and ST-8 -------------------------------------------------------------

    def test_st1_initial_notice_needs_diagnosis_and_estimates_and_is_logged(self):
        """ST-1: after the inspection the customer gets the diagnosis in
        plain words, the estimated duration and cost; the notice is logged
        (message log and chatter) and stops the ST-6 contact clock."""
        with freeze_time(MONDAY_0900_WIB):
            job = self._job()
            job.action_inspect()
            with self.assertRaisesBilingual(
                UserError, "write the diagnosis in plain words", "diagnosis"
            ) as run:
                run(lambda env: job.with_env(env).action_send_initial_notice())
            job.write(
                {
                    "diagnosis": "The front brake pads are worn out and must "
                    "be replaced for safe braking.",
                    "estimated_cost": 750000.0,
                }
            )
            url = self.follow_whatsapp_link(job.action_send_initial_notice())
        message = self._messages(job)
        self.assertEqual(
            message.template_id,
            self.env.ref("gema_sop.mail_template_service_job_initial"),
        )
        self.assertEqual(message.channel, "whatsapp_link")
        self.assertIn("Yth. Bapak/Ibu Budi Santoso", message.body)
        self.assertIn("Hasil pemeriksaan kami:", message.body)
        self.assertIn("front brake pads are worn out", message.body)
        self.assertIn("04:00", message.body)
        self.assertIn("750", message.body)
        self.assertIn(job.access_url, message.body)
        self.assertIn("access_token=", message.body)
        self.assertTrue(url.startswith("https://wa.me/6281234567890?text="))
        self.assertEqual(job.initial_notice_date, MONDAY_0900_WIB)
        self.assertEqual(job.last_update_date, MONDAY_0900_WIB)
        self.assertIn(message.mail_message_id, job.message_ids)
        self.assertEqual(
            self._sla_line(job, "gema_sop.sla_policy_st6_contact_after_change").state,
            "done",
        )

    def test_st8_promise_only_after_the_technician_confirmed(self):
        """ST-8: a completion time is never promised without the assigned
        technician's confirmation, nor earlier than what they confirmed; a
        new plan before the promise needs a new confirmation."""
        job = self._inspected(self._job())
        with self.assertRaisesBilingual(
            ValidationError, "once a technician of the job confirmed", "teknisi"
        ) as run:
            run(
                lambda env: job.with_env(env).write({"promised_date": job.planned_stop})
            )
        # A technician not on the job cannot confirm it (nor even read it).
        with self.assertRaises(AccessError):
            self._as("technician_2", job).action_confirm_estimate()
        self._as("technician", job).action_confirm_estimate()
        self.assertEqual(job.technician_confirmed_date, job.planned_stop)
        self.assertEqual(job.technician_confirmed_by, self.technician)
        # The service advisor changes the plan: the confirmation is gone.
        job.planned_stop += timedelta(hours=1)
        self.assertFalse(job.technician_confirmed_date)
        with self.assertRaises(ValidationError):
            job.promised_date = job.planned_stop
        self._as("technician", job).action_confirm_estimate()
        promise = job.planned_stop
        with self.assertRaises(ValidationError):
            job.promised_date = promise - timedelta(hours=1)
        job.promised_date = promise
        self.assertEqual(job.promised_date, promise)

    # ST-2 ------------------------------------------------------------------------

    def _with_extra_work(self):
        job = self._inspected(self._job())
        job.line_ids = [
            Command.create({"name": "Replace the brake discs", "price": 400000}),
            Command.create({"name": "Brake fluid", "price": 100000}),
        ]
        return job

    def test_st2_customer_approves_through_the_link_once(self):
        """ST-2: the approval request carries the job's token link, valid 48
        hours; the customer's decision keeps who, when and how; approving
        twice is refused."""
        job = self._with_extra_work()
        with freeze_time(MONDAY_0900_WIB):
            job.action_request_approval()
        self.assertEqual(job.state, "waiting_approval")
        discs, fluid = job.line_ids
        self.assertEqual(discs.approval_expires, MONDAY_0900_WIB + timedelta(hours=48))
        body = self._messages(job).body
        self.assertIn("Replace the brake discs", body)
        self.assertIn("Mohon setujui atau tolak", body)
        self.assertIn(f"{job.access_url}?access_token={job.access_token}", body)
        with freeze_time(MONDAY_0900_WIB + timedelta(hours=1)):
            discs.sudo()._record_decision("approved", "portal", note="OK")
            fluid.sudo()._record_decision("refused", "portal")
        self.assertEqual(
            (
                discs.approval_state,
                discs.approval_method,
                discs.decided_by_name,
                discs.decision_date,
                discs.approval_note,
            ),
            (
                "approved",
                "portal",
                "Budi Santoso",
                MONDAY_0900_WIB + timedelta(hours=1),
                "OK",
            ),
        )
        self.assertEqual(fluid.approval_state, "refused")
        self.assertEqual(job.extra_cost, 400000)
        self.assertEqual(job.total_cost, 1150000)
        decisions = job.message_ids.mapped("body")
        expected = "Replace the brake discs: Approved by Budi Santoso via Customer link"
        self.assertTrue(any(expected in body for body in decisions))
        with self.assertRaisesBilingual(
            UserError, "a decision cannot be made twice", "dua kali"
        ) as run:
            run(
                lambda env: discs.with_env(env)
                .sudo()
                ._record_decision("refused", "portal")
            )

    def test_st2_expired_link_and_closed_job_are_refused(self):
        """ST-2: the link accepts no decision after 48 hours, nor on a
        closed job; the service advisor sends a new request."""
        job = self._with_extra_work()
        with freeze_time(MONDAY_0900_WIB):
            job.action_request_approval()
        line = job.line_ids[0]
        with freeze_time(MONDAY_0900_WIB + timedelta(hours=49)):
            with self.assertRaisesBilingual(
                UserError, "This approval link has expired", "kedaluwarsa"
            ) as run:
                run(
                    lambda env: line.with_env(env)
                    .sudo()
                    ._record_decision("approved", "portal")
                )
            job.action_request_approval()
            line.sudo()._record_decision("approved", "portal")
        self.assertEqual(line.approval_state, "approved")
        job.action_cancel()
        with self.assertRaisesRegex(UserError, "is closed"):
            job.line_ids[1].sudo()._record_decision("approved", "portal")

    def test_st2_st8_advisor_records_a_phone_approval_with_evidence(self):
        """ST-2 / ST-8: a decision given by phone is recorded by the service
        advisor only with evidence, which stays on the line and the chatter."""
        job = self._with_extra_work()
        job.action_request_approval()
        line = job.line_ids[0]
        with self.assertRaisesRegex(UserError, "Attach the evidence"):
            line._record_decision("approved", "phone")
        evidence = self.env["ir.attachment"].create(
            {"name": "call-note.png", "datas": PNG}
        )
        line.write(
            {
                "approval_method": "phone",
                "approval_note": "Customer agreed by phone at 10:15",
                "evidence_ids": [Command.set(evidence.ids)],
            }
        )
        self._as("advisor", line).action_approve()
        self.assertEqual(line.approval_state, "approved")
        self.assertEqual(line.recorded_by_id, self.advisor)
        self.assertEqual(line.evidence_ids, evidence)
        self.assertIn(evidence, job.message_ids[0].attachment_ids)

    def test_st2_work_cannot_start_before_approval(self):
        """ST-2: neither the extra work nor the job starts while the
        customer has not decided; refused work cannot start at all."""
        job = self._with_extra_work()
        job.action_request_approval()
        discs, fluid = job.line_ids
        technician_job = self._as("technician", job)
        with self.assertRaisesBilingual(
            UserError, "has not decided on all the extra work", "belum"
        ) as run:
            run(lambda env: technician_job.with_env(env).action_start())
        discs.sudo()._record_decision("approved", "portal")
        fluid.sudo()._record_decision("refused", "portal")
        technician_job.action_start()
        self.assertEqual(job.state, "in_progress")
        with self.assertRaisesRegex(UserError, "has not approved this extra work"):
            self._as("technician", fluid).action_start_work()
        self._as("technician", discs).action_start_work()
        self.assertEqual(discs.work_state, "in_progress")

    # Technician steps, ST-4 -------------------------------------------------------

    def test_technician_steps_pause_with_reason_and_no_finish_before_qc(self):
        """ST: the technician reports start, pause (with a reason), finish
        and QC; the vehicle cannot be ready or delivered before the QC
        passed, nor the job finished with approved work left."""
        job = self._with_extra_work()
        job.action_request_approval()
        job.line_ids[0].sudo()._record_decision("approved", "portal")
        job.line_ids[1].sudo()._record_decision("refused", "portal")
        tech = self._as("technician", job)
        tech.action_start()
        wizard = Form(
            self.env["gema.service.job.pause.wizard"]
            .with_user(self.users["technician"])
            .with_context(**tech.action_pause()["context"])
        )
        wizard.reason = "Waiting for the brake discs"
        wizard.save().action_confirm()
        self.assertTrue(job.paused)
        self.assertEqual(job.pause_reason, "Waiting for the brake discs")
        with self.assertRaises(UserError):
            tech._pause("  ")
        tech.action_start()
        self.assertFalse(job.paused)
        with self.assertRaisesRegex(UserError, "finish the approved extra work first"):
            tech.action_finish()
        line = self._as("technician", job.line_ids[0])
        line.action_start_work()
        line.action_done_work()
        tech.action_finish()
        self.assertEqual(job.state, "quality_check")
        job.pickup_date = job.planned_stop
        with self.assertRaisesBilingual(
            UserError, "has not passed the final quality check", "kontrol kualitas"
        ) as run:
            run(lambda env: job.with_env(env).action_ready())
        with self.assertRaises(UserError):
            job.action_deliver()
        tech.action_qc_pass()
        self.assertEqual(job.qc_passed_by_id, self.users["technician"])

    def test_st4_completion_notice_after_qc_with_pickup_cost_and_photos(self):
        """ST-4: after the final QC the customer is told the vehicle is ready,
        when to collect it and the total estimated cost, with the photos on
        the status page; delivery releases the technician."""
        job = self._inspected(self._job())
        tech = self._as("technician", job)
        tech.action_start()
        tech.action_finish()
        tech.action_qc_pass()
        photo = self.env["ir.attachment"].create(
            {
                "name": "after.png",
                "datas": PNG,
                "res_model": job._name,
                "res_id": job.id,
            }
        )
        tech.photo_ids = [Command.link(photo.id)]
        with self.assertRaisesRegex(UserError, "collect the vehicle"):
            job.action_ready()
        job.pickup_date = fields.Datetime.to_datetime("2026-11-23 09:00:00")
        job.action_ready()
        self.assertEqual(job.state, "ready")
        message = self._messages(job)[-1]
        self.assertEqual(
            message.template_id,
            self.env.ref("gema_sop.mail_template_service_job_ready"),
        )
        self.assertIn("lulus kontrol kualitas akhir", message.body)
        self.assertRegex(message.body, r"23/11/(20)?26 16[.:]00")
        self.assertIn("750", message.body)
        self.assertIn("Foto kendaraan", message.body)
        self.assertEqual(job.photo_ids, photo)
        job.action_deliver()
        self.assertEqual(job.state, "delivered")
        self.assertFalse(job.slot_ids)

    # ST-5 -------------------------------------------------------------------------

    def test_st5_delay_needs_the_notice_with_reason_apology_and_alternative(self):
        """ST-5: when the plan passes the promise a delay notice is due at
        once; the promise moves later only through the delay notice, which
        records the reason, new estimate, apology and alternative and sends
        them to the customer."""
        with freeze_time(MONDAY_0900_WIB):
            job = self._inspected(self._job())
            self._as("technician", job).action_confirm_estimate()
            job.promised_date = job.technician_confirmed_date
            promise = job.promised_date
            with self.assertRaisesBilingual(
                UserError,
                "can only be moved later with a delay notice",
                "keterlambatan",
            ) as run:
                run(
                    lambda env: job.with_env(env).write(
                        {"promised_date": promise + timedelta(hours=2)}
                    )
                )
            job.planned_stop = promise + timedelta(hours=3)
        self.assertTrue(job.delay_required)
        line = self._sla_line(job, "gema_sop.sla_policy_st5_delay_notice")
        self.assertEqual(line.state, "running")
        self.assertEqual(line.deadline, MONDAY_0900_WIB + timedelta(hours=1))
        new_estimate = promise + timedelta(hours=3)
        with freeze_time(MONDAY_0900_WIB + timedelta(minutes=30)):
            # ST-8: the new estimate needs the technician's confirmation too.
            with self.assertRaisesRegex(UserError, "confirm the new planned end"):
                job._record_delay("Parts", new_estimate, "Sorry", "other", "")
            self._as("technician", job).action_confirm_estimate()
            with self.assertRaisesRegex(UserError, "cannot be earlier"):
                job._record_delay("Parts", promise, "Sorry", "other", "")
            wizard = Form(
                self.env["gema.service.job.delay.wizard"]
                .with_user(self.advisor)
                .with_context(**job.action_open_delay_wizard()["context"])
            )
            self.assertEqual(wizard.new_estimate, new_estimate)
            wizard.reason = "The brake discs arrive from Jakarta this afternoon."
            wizard.alternative = "vehicle_delivery"
            wizard.alternative_note = "We bring the car to your house at no cost."
            action = wizard.save().action_confirm()
            # G-3: the notice is prepared, not yet sent: the clock runs on.
            self.assertEqual(line.state, "running")
            self.assertFalse(job.delay_notice_date)
            self.follow_whatsapp_link(action)
        self.assertEqual(job.promised_date, new_estimate)
        self.assertFalse(job.delay_required)
        self.assertEqual(job.delay_count, 1)
        self.assertEqual(job.delay_alternative, "vehicle_delivery")
        self.assertTrue(job.delay_notice_date)
        self.assertEqual(line.state, "done")
        body = self._messages(job)[-1].body
        self.assertIn("arrive from Jakarta", body)
        self.assertIn("Kami mohon maaf yang sebesar-besarnya", body)
        self.assertIn("Kendaraan diantar ke pelanggan", body)
        self.assertIn("We bring the car", body)

    # ST-10 --------------------------------------------------------------------------

    def test_st10_checklist_plan_and_progress(self):
        """ST-10: the checklist comes with its steps, for the service
        advisor: nothing at reception, the inspection's items when the
        vehicle is inspected; done items are kept and counted on the form."""
        job = self._job()
        self.assertEqual(job.checklist_total, 0)
        job.action_inspect()
        job.invalidate_recordset(["checklist_total", "checklist_progress"])
        self.assertEqual(job.checklist_total, 5)
        self.assertEqual(job.checklist_progress, 0)
        activities = job.activity_ids
        self.assertEqual(activities.user_id, self.advisor)
        self.assertEqual(
            activities.activity_type_id,
            self.env.ref("gema_sop.mail_activity_plan_service_job")
            .template_ids.filtered(lambda t: t.gema_step == "inspection")
            .activity_type_id,
        )
        activities[:2].action_feedback(feedback="Checked with the technician")
        job.invalidate_recordset(["checklist_done", "checklist_progress"])
        self.assertEqual(job.checklist_done, 2)
        self.assertEqual(job.checklist_progress, 40.0)

    def test_checklist_progress_is_computed_in_one_query_for_a_batch(self):
        """The checklist progress of a list of jobs costs the same queries
        for one job as for five."""
        jobs = self._job(start=False)
        for _i in range(4):
            jobs |= self._job(start=False)
        jobs.action_inspect()
        counts = []
        for batch in (jobs[:1], jobs):
            batch.invalidate_recordset()
            before = self.env.cr.sql_log_count
            batch.mapped("checklist_progress")
            counts.append(self.env.cr.sql_log_count - before)
        self.assertEqual(counts[0], counts[1])
        self.assertEqual(jobs.mapped("checklist_total"), [5] * 5)

    # Roles ----------------------------------------------------------------

    def test_technicians_see_only_their_jobs_and_no_customer_contact(self):
        """ST (roles) / G-5: a technician sees the jobs they are assigned
        to, not the customer's phone or email, and changes only their steps;
        service advisors and CS officers see and edit every job of the
        branch."""
        mine = self._job()
        other = self._job(technicians=self.technician_2)
        Job = self.env["gema.service.job"].with_user(self.users["technician"])
        self.assertEqual(Job.search([("id", "in", (mine | other).ids)]), mine)
        with self.assertRaises(AccessError):
            Job.browse(other.id).read(["name"])
        with self.assertRaises(AccessError):
            Job.browse(mine.id).read(["partner_phone"])
        self.assertEqual(
            Job.browse(mine.id).read(["license_plate"])[0]["license_plate"],
            "BK 1234 ABC",
        )
        with self.assertRaisesRegex(UserError, "Technicians report their steps"):
            Job.browse(mine.id).write({"estimated_cost": 1})
        with self.assertRaises(AccessError):
            Job.create({"partner_id": self.customer.id, "vehicle_id": self.vehicle.id})
        self.assertEqual(self._as("advisor", mine).partner_phone, "0812-3456-7890")
        cs_jobs = self.env["gema.service.job"].with_user(self.users["cs"])
        self.assertEqual(
            cs_jobs.search([("id", "in", (mine | other).ids)]), mine | other
        )
        cs_jobs.browse(other.id).complaint = "Updated by CS"

    def test_technician_screens_show_no_customer_contact(self):
        """ST (technician view) / G-5: the technician's kanban and the job
        form open for a technician without the customer's phone or email
        and with the steps they report; the service advisor's form has the
        phone and the customer messages."""
        Job = self.env["gema.service.job"]
        kanban = self.env.ref("gema_sop.gema_service_job_view_kanban_technician")
        views = Job.with_user(self.users["technician"]).get_views(
            [(kanban.id, "kanban"), (False, "form")]
        )["views"]
        for arch in (views["kanban"]["arch"], views["form"]["arch"]):
            self.assertNotIn("partner_phone", arch)
            self.assertNotIn("partner_email", arch)
        self.assertIn('name="action_pause"', views["kanban"]["arch"])
        self.assertIn('name="action_qc_pass"', views["form"]["arch"])
        self.assertNotIn('name="action_ready"', views["form"]["arch"])
        self.assertIn("no_open", views["form"]["arch"])
        advisor_form = Job.with_user(self.advisor).get_views([(False, "form")])
        arch = advisor_form["views"]["form"]["arch"]
        self.assertIn("partner_phone", arch)
        self.assertIn('name="action_send_initial_notice"', arch)

    def test_other_branches_do_not_see_the_jobs(self):
        """G-5: a service advisor of another branch does not see the job."""
        job = self._job()
        other_branch = self.env["res.company"].create({"name": "Other Branch"})
        outsider = self.env["res.users"].create(
            {
                "name": "Other Advisor",
                "login": "other_advisor",
                "groups_id": [
                    Command.set(self.env.ref("gema_sop.group_service_advisor").ids)
                ],
                "company_id": other_branch.id,
                "company_ids": [Command.set(other_branch.ids)],
            }
        )
        self.assertFalse(
            self.env["gema.service.job"]
            .with_user(outsider)
            .search([("id", "=", job.id)])
        )

    # Reports --------------------------------------------------------------

    def test_time_per_state_is_logged(self):
        """Reports: each state entered is logged with the hours spent in it."""
        with freeze_time(MONDAY_0900_WIB):
            job = self._inspected(self._job())
        with freeze_time(MONDAY_0900_WIB + timedelta(hours=1, minutes=30)):
            self._as("technician", job).action_start()
        logs = job.state_log_ids.sorted("id")
        self.assertEqual(
            logs.mapped("state"), ["reception", "inspection", "in_progress"]
        )
        self.assertEqual(logs[1].duration_hours, 1.5)
        self.assertFalse(logs[2].date_end)
        self.assertTrue(job.gema_sla_on_time)
        self.assertEqual(job.gema_sla_on_time_rate, 100.0)
