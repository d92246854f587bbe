"""The workshop floor on a technician's phone (SPEC ST-2, ST-4, ST-10):
the approved extra work is started and finished by its own buttons, by a
technician of the job or the desk only, without touching what the customer
decided or its price; the technician's card shows the approved extra work
and the passed quality check."""

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import HttpCase, new_test_user, tagged

from .service_job_common import ServiceJobCase


class TechnicianPhoneCase(ServiceJobCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.activate_indonesian()
        cls.portal_user = new_test_user(
            cls.env,
            login="test_floor_portal",
            groups="base.group_portal",
            partner_id=cls.customer.id,
        )

    def _started_job(self):
        """A job in progress whose customer approved the brake discs and
        refused the brake fluid, on the link of the approval request."""
        job = self._inspected(self._job())
        job.line_ids = [
            Command.create({"name": "Replace the brake discs", "price": 400000}),
            Command.create({"name": "Brake fluid", "price": 100000}),
        ]
        job.action_request_approval()
        discs, fluid = job.line_ids
        discs.sudo()._record_decision("approved", "portal")
        fluid.sudo()._record_decision("refused", "portal")
        self._as("technician", job).action_start()
        return job, discs, fluid


@tagged("post_install", "-at_install")
class TestTechnicianExtraWork(TechnicianPhoneCase):
    def test_st2_technician_does_the_approved_work_then_finishes_the_job(self):
        """ST-2, ST-10: on their own job the technician starts and finishes
        the approved extra work, which the job counts; then *Finished* is
        accepted. The refused work has no Start."""
        job, discs, fluid = self._started_job()
        self.assertEqual((job.extra_work_count, job.extra_work_done_count), (1, 0))
        self.assertEqual(
            (discs.can_start_work, discs.can_done_work, fluid.can_start_work),
            (True, False, False),
        )
        mine = self._as("technician", discs)
        mine.action_start_work()
        self.assertEqual(discs.work_state, "in_progress")
        self.assertEqual((discs.can_start_work, discs.can_done_work), (False, True))
        mine.action_done_work()
        self.assertEqual(discs.work_state, "done")
        self.assertEqual((job.extra_work_count, job.extra_work_done_count), (1, 1))
        self._as("technician", job).action_finish()
        self.assertEqual(job.state, "quality_check")

    def test_st2_advisor_may_press_start_and_done(self):
        """ST-2: the service advisor, at the desk, may report the extra work
        for the technician."""
        _job, discs, _fluid = self._started_job()
        line = self._as("advisor", discs)
        line.action_start_work()
        line.action_done_work()
        self.assertEqual(discs.work_state, "done")

    def test_security_other_roles_cannot_start_or_finish_the_work(self):
        """security: another technician, logistics, a portal customer and
        the public cannot read the line, so cannot press its buttons; a CS
        officer, who reads it, is told they are not a technician of the job,
        in both languages. Nothing changed."""
        _job, discs, _fluid = self._started_job()
        strangers = {
            "technician_2": self.users["technician_2"],
            "logistics": self.users["logistics"],
            "portal": self.portal_user,
            "public": self.env.ref("base.public_user"),
        }
        for name, user in strangers.items():
            for action in ("action_start_work", "action_done_work"):
                with (
                    self.subTest(user=name, action=action),
                    self.assertRaises(AccessError),
                ):
                    getattr(discs.with_user(user), action)()
        with self.assertRaisesBilingual(
            UserError, "You are not a technician of", "Anda bukan teknisi"
        ) as run:
            run(
                lambda env: discs.with_env(env)
                .with_user(self.users["cs"])
                .action_start_work()
            )
        self.assertEqual(discs.work_state, "todo")

    def test_st2_work_follows_the_job_and_its_own_steps(self):
        """ST-2: extra work starts only while its job is in progress and not
        paused, once, and is done only once started; each refusal in both
        languages."""
        job, discs, _fluid = self._started_job()
        line = self._as("technician", discs)
        tech_job = self._as("technician", job)
        tech_job._pause("Waiting for the brake discs")
        self.assertFalse(discs.can_start_work)
        with self.assertRaisesBilingual(
            UserError, "Start or resume the job before its extra work", "Mulai"
        ) as run:
            run(lambda env: line.with_env(env).action_start_work())
        with self.assertRaisesBilingual(
            UserError, "Only extra work in progress can be finished", "sedang"
        ) as run:
            run(lambda env: line.with_env(env).action_done_work())
        tech_job.action_start()
        line.action_start_work()
        with self.assertRaisesBilingual(
            UserError, "already started", "sudah dimulai"
        ) as run:
            run(lambda env: line.with_env(env).action_start_work())
        line.action_done_work()
        with self.assertRaisesBilingual(
            UserError, "already started", "sudah dimulai"
        ) as run:
            run(lambda env: line.with_env(env).action_start_work())
        self.assertEqual(discs.work_state, "done")

    def test_security_technician_changes_no_decision_price_or_progress(self):
        """security, ST-2: a technician writes nothing on the extra work
        (its name, price, the customer's decision, its progress), neither on
        the line nor through the job; the progress moves only by Start and
        Done, for the desk too. Refusals in both languages."""
        job, discs, _fluid = self._started_job()
        job.line_ids = [Command.create({"name": "Wiper blades", "price": 90000})]
        proposed = job.line_ids[-1]
        for line, vals in (
            (proposed, {"price": 1}),
            (proposed, {"name": "Something else"}),
            (proposed, {"approval_method": "phone"}),
        ):
            with self.assertRaisesBilingual(
                UserError,
                "the work, its price and the customer's decision are recorded "
                "by the service advisor",
                "dicatat oleh service advisor",
            ) as run:
                run(
                    lambda env, line=line, vals=vals: line.with_env(env)
                    .with_user(self.users["technician"])
                    .write(vals)
                )
        with self.assertRaisesRegex(UserError, "The customer already decided"):
            self._as("technician", discs).write({"price": 1})
        with self.assertRaisesRegex(UserError, "hold the customer's own decision"):
            self._as("technician", proposed).write({"approval_state": "approved"})
        with self.assertRaisesRegex(UserError, "Technicians report their steps"):
            self._as("technician", job).write(
                {"line_ids": [Command.update(proposed.id, {"price": 1})]}
            )
        for role in ("technician", "advisor"):
            with self.assertRaisesBilingual(
                UserError, "Use Start and Done of the extra work", "Mulai"
            ) as run:
                run(
                    lambda env, role=role: discs.with_env(env)
                    .with_user(self.users[role])
                    .write({"work_state": "done"})
                )
        self.assertEqual(
            (proposed.price, proposed.name, proposed.approval_state, discs.work_state),
            (90000, "Wiper blades", "proposed", "todo"),
        )

    def test_st10_phone_screens_of_the_technician(self):
        """ST-10 / G-5: the extra work has a card view with its decision and
        the technician's Start and Done (a one2many shows as cards on a
        phone), the technician's job card counts the approved work and shows
        the passed QC, and the technician's job form shows the extra work
        read-only and no customer contact; the CS officer gets no Start."""
        Line = self.env["gema.service.job.line"]
        kanban = Line.with_user(self.users["technician"]).get_views(
            [(False, "kanban")]
        )["views"]["kanban"]["arch"]
        for part in ("approval_state", "action_start_work", "action_done_work"):
            self.assertIn(part, kanban)
        cs_kanban = Line.with_user(self.users["cs"]).get_views([(False, "kanban")])
        self.assertNotIn("action_start_work", cs_kanban["views"]["kanban"]["arch"])
        Job = self.env["gema.service.job"].with_user(self.users["technician"])
        card = self.env.ref("gema_sop.gema_service_job_view_kanban_technician")
        views = Job.get_views([(card.id, "kanban"), (False, "form")])["views"]
        for part in ("extra_work_done_count", "extra_work_count", "QC passed"):
            self.assertIn(part, views["kanban"]["arch"])
        form = views["form"]["arch"]
        self.assertIn('<field name="line_ids" readonly="1"', form)
        for arch in (views["kanban"]["arch"], form):
            self.assertNotIn("partner_phone", arch)


@tagged("post_install", "-at_install")
class TestTechnicianPhoneTour(TechnicianPhoneCase, HttpCase):
    """The technician's whole job on a phone-sized touch screen."""

    browser_size = "390x844"
    touch_enabled = True

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.users["technician"].lang = "id_ID"

    def test_st2_st4_tour_technician_finishes_a_job_with_extra_work_on_phone(self):
        """ST-2, ST-4, ST-10 in Chromium at 390x844 with touch, in
        Indonesian: the
        technician opens their job from *My Jobs*, starts the approved extra
        work on its card, marks it done from its form, goes back, presses
        *Finished* and *QC Passed*; the card then shows the work done and
        the QC passed."""
        job, discs, fluid = self._started_job()
        self.start_tour(
            "/odoo/action-gema_sop.gema_service_job_action_technician",
            "gema_technician_phone_job",
            login="test_technician",
        )
        self.assertEqual((discs.work_state, fluid.work_state), ("done", "todo"))
        self.assertEqual(job.state, "quality_check")
        self.assertEqual(job.qc_passed_by_id, self.users["technician"])
