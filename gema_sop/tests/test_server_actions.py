"""Server actions of the Action menus and the example automation rules
(SPEC BK-6, BK-9, ST-3, FU-1, CS-5, AS-6, G-4): each action does what its
button or scheduled job does, for the roles it belongs to, and refuses
records in the wrong state and the other roles."""

from datetime import date, datetime, timedelta

from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .booking_common import BookingCase, wib
from .common import GemaSopCase
from .service_job_common import ServiceJobCase

REFUSED = "You don't have enough access rights to run this action."


class ServerActionMixin:
    def _sla_line(self, record, xmlid):
        return self.env["gema.sla.status"].search(
            [
                ("res_model", "=", record._name),
                ("res_id", "=", record.id),
                ("policy_id", "=", self.env.ref(xmlid).id),
            ],
            order="id desc",
            limit=1,
        )

    def _run(self, xmlid, records, role):
        """Run the server action on ``records`` as ``role``, as the Action
        menu does (active model and ids in the context)."""
        action = self.env.ref(xmlid).with_user(self.users[role])
        return action.with_context(
            lang=records.env.lang or "en_US",
            active_model=records._name,
            active_ids=records.ids,
            active_id=records[:1].id,
        ).run()

    def assertRefusedTo(self, xmlid, records, roles):
        for role in roles:
            with self.subTest(role=role), self.assertRaisesRegex(AccessError, REFUSED):
                self._run(xmlid, records, role)


@tagged("post_install", "-at_install")
class TestBookingServerActions(BookingCase, ServerActionMixin):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.activate_indonesian()

    def test_bk6_reminder_now_for_the_selection(self):
        """BK-6: Send H-1 Reminder Now prepares the reminder of a confirmed
        booking (the WhatsApp link to open), once; a request is refused in
        both languages, and the action is not the technician's, logistics'
        or CS officer's."""
        xmlid = "gema_sop.action_server_booking_send_reminder"
        booking = self._booking(start=wib(26, 9))
        action = self._run(xmlid, booking, "advisor")
        self.follow_whatsapp_link(action)
        self.assertTrue(booking.reminder_sent_date)
        reminders = (
            self.env["gema.message"]
            .search([("res_model", "=", "gema.booking"), ("res_id", "=", booking.id)])
            .filtered(
                lambda m: m.template_id
                == self.env.ref("gema_sop.mail_template_booking_reminder")
            )
        )
        self.assertEqual(len(reminders), 1)
        request = self._request(license_plate="BK 5 C")
        with self.assertRaisesBilingual(
            UserError, "confirmed bookings only", "terkonfirmasi"
        ) as run:
            run(lambda env: self._run(xmlid, request.with_env(env), "supervisor"))
        self.assertRefusedTo(xmlid, booking, ["technician", "logistics", "cs"])

    def test_bk9_mark_no_show_after_the_booked_time_only(self):
        """BK-9: Mark as No-show on a booking whose time has passed makes it
        a no-show with the advisor's contact activity; a booking still to
        come is refused in both languages and stays confirmed."""
        xmlid = "gema_sop.action_server_booking_mark_no_show"
        past = self._booking(start=wib(24, 9))
        later = self._booking(start=wib(24, 13), license_plate="BK 2 B")
        self.startClock(wib(24, 9, 10))
        with self.assertRaisesBilingual(
            UserError, "has not come yet", "belum tiba"
        ) as run:
            run(lambda env: self._run(xmlid, (past | later).with_env(env), "advisor"))
        self.assertEqual((past | later).mapped("state"), ["confirmed"] * 2)
        self._run(xmlid, past, "supervisor")
        self.assertEqual(past.state, "no_show")
        self.assertTrue(
            past.activity_ids.filtered(
                lambda a: a.activity_type_id
                == self.env.ref("gema_sop.mail_activity_type_booking_no_show")
            )
        )
        self.assertEqual(later.state, "confirmed")
        self.assertRefusedTo(xmlid, later, ["technician", "logistics", "cs"])

    def test_g4_recompute_moves_deadlines_to_the_calendar(self):
        """G-4: after a day off is added to the branch's calendar, Recompute
        SLA Lines moves the H-1 reminder deadline (BK-6) to the working day
        before it; without the action the line keeps its old deadline. Only
        supervisors and above may run it."""
        xmlid = "gema_sop.action_server_booking_sla_recompute"
        booking = self._booking(start=wib(26, 9))
        line = self._sla_line(booking, "gema_sop.sla_policy_bk6_reminder")
        self.assertEqual(line.deadline, wib(25, 17))
        self.env["resource.calendar.leaves"].create(
            {
                "name": "Libur cabang",
                "calendar_id": self.calendar.id,
                "date_from": datetime(2026, 11, 24, 17, 0),
                "date_to": datetime(2026, 11, 25, 17, 0),
            }
        )
        self.assertEqual(line.deadline, wib(25, 17))
        self._run(xmlid, booking, "supervisor")
        self.assertEqual(line.deadline, wib(24, 17))
        self.assertEqual(line.state, "running")
        self.assertEqual(
            booking.gema_sla_deadline,
            min(
                self.env["gema.sla.status"]
                .search(
                    [
                        ("res_model", "=", "gema.booking"),
                        ("res_id", "=", booking.id),
                        ("state", "=", "running"),
                    ]
                )
                .mapped("deadline")
            ),
        )
        self.assertRefusedTo(xmlid, booking, ["advisor", "cs", "technician"])

    def test_g4_recompute_escalates_a_line_now_due_once(self):
        """G-4, BK-2: an unanswered request whose first-response deadline
        has passed is breached by Recompute SLA Lines at once (not at the
        next cron run), and running it again escalates nothing twice."""
        xmlid = "gema_sop.action_server_booking_sla_recompute"
        booking = self._request()
        self.startClock(datetime(2026, 11, 23, 1, 10))
        self._run(xmlid, booking, "supervisor")
        self._run(xmlid, booking, "manager")
        self.assertEqual(booking.frt_result, "breached")
        violations = self.env["gema.violation"].search(
            [("res_model", "=", "gema.booking"), ("res_id", "=", booking.id)]
        )
        self.assertEqual(len(violations), 1)

    def test_g4_sla_results_are_tracked(self):
        """G-4, BK-2: a breach the SLA engine records shows in the booking's
        chatter as a change of its SLA result and first response (tracked
        fields, which automation rules watch too)."""
        tracking = {"tracking_disable": False, "mail_notrack": False}
        booking = self._request().with_context(**tracking)
        # As between two transactions: a record created in the same one is
        # not tracked (its creation stands for its values).
        self.env.flush_all()
        self.env.cr.precommit.run()
        self.startClock(datetime(2026, 11, 23, 1, 10))
        self.env["gema.sla.status"].with_context(**tracking)._cron_process_due()
        self.env.flush_all()
        self.env.cr.precommit.run()
        tracked = (
            self.env["mail.tracking.value"]
            .search(
                [
                    ("mail_message_id.model", "=", "gema.booking"),
                    ("mail_message_id.res_id", "=", booking.id),
                ]
            )
            .filtered(lambda value: value.new_value_char == "Breached")
        )
        self.assertEqual(
            set(tracked.field_id.mapped("name")), {"gema_sla_result", "frt_result"}
        )

    def test_as6_rule_first_response_breached_tells_the_branch_head(self):
        """AS-6, BK-2: the example rule, once activated, gives the branch's
        manager a to-do when a booking's first response becomes breached
        through the SLA engine; inactive (as shipped), it does nothing."""
        rule = self.env.ref("gema_sop.automation_booking_first_response_breached")
        self.assertFalse(rule.active)
        todo = self.env.ref("mail.mail_activity_data_todo")
        manager = self.env.ref("gema_sop.group_manager")

        def todos(booking):
            return self.env["mail.activity"].search(
                [
                    ("res_model", "=", booking._name),
                    ("res_id", "=", booking.id),
                    ("activity_type_id", "=", todo.id),
                ]
            )

        quiet = self._request(license_plate="BK 7 D")
        rule.active = True
        booking = self._request()
        self.startClock(datetime(2026, 11, 23, 1, 10))
        self.env["gema.sla.status"]._cron_process_due()
        self.assertEqual(booking.frt_result, "breached")
        activity = todos(booking)
        self.assertEqual(len(activity), 1)
        self.assertIn(manager, activity.user_id.groups_id)
        self.assertEqual(activity.user_id.company_ids, self.branch)
        # The rule was off when the first request's clock started; it fires
        # on the change, whenever that comes.
        self.assertEqual(quiet.frt_result, "breached")
        self.assertEqual(len(todos(quiet)), 1)
        rule.active = False
        late = self._request(license_plate="BK 8 E")
        self.startClock(datetime(2026, 11, 23, 1, 20))
        self.env["gema.sla.status"]._cron_process_due()
        self.assertEqual(late.frt_result, "breached")
        self.assertFalse(todos(late))


@tagged("post_install", "-at_install")
class TestServiceJobServerActions(ServiceJobCase, ServerActionMixin):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.activate_indonesian()

    def test_st3_status_update_for_open_jobs_only(self):
        """ST-3: Send Status Update prepares the update for the customer of
        an open job (the WhatsApp link to open); a cancelled job is refused
        in both languages; technicians and logistics may not run it."""
        xmlid = "gema_sop.action_server_service_job_send_status_update"
        job = self._inspected(self._job())
        action = self._run(xmlid, job, "advisor")
        self.follow_whatsapp_link(action)
        template = self.env.ref("gema_sop.mail_template_service_job_update")
        self.assertEqual(
            self._messages(job).filtered(lambda m: m.template_id == template).state,
            "sent",
        )
        both = self._job(start=None)
        both.action_cancel()
        with self.assertRaisesBilingual(
            UserError, "delivered or cancelled", "dibatalkan"
        ) as run:
            run(lambda env: self._run(xmlid, (job | both).with_env(env), "advisor"))
        self.assertRefusedTo(xmlid, job, ["technician", "logistics", "cs"])

    def test_fu1_plan_followup_of_delivered_jobs_once(self):
        """FU-1: Plan the Follow-up gives a delivered job without follow-up
        (an imported job) its call, once however often it runs; a job not
        delivered is refused in both languages; not for technicians."""
        xmlid = "gema_sop.action_server_service_job_plan_followup"
        job = self._delivered_job(datetime(2026, 11, 23, 3, 0))
        Followup = self.env["gema.followup"]
        Followup.search([("service_job_id", "=", job.id)]).unlink()
        self._run(xmlid, job, "advisor")
        self._run(xmlid, job, "supervisor")
        self.assertEqual(Followup.search_count([("service_job_id", "=", job.id)]), 1)
        open_job = self._job()
        with self.assertRaisesBilingual(
            UserError, "delivered jobs only", "diserahkan"
        ) as run:
            run(lambda env: self._run(xmlid, open_job.with_env(env), "advisor"))
        self.assertFalse(Followup.search([("service_job_id", "=", open_job.id)]))
        self.assertRefusedTo(xmlid, job, ["technician", "logistics", "cs"])


@tagged("post_install", "-at_install")
class TestDeskServerActions(ServerActionMixin, GemaSopCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.activate_indonesian()
        cls.customer = cls.env["res.partner"].create(
            {"name": "Hendra Sitorus", "mobile": "0812-6555-0101"}
        )

    def _conversation(self, **values):
        return (
            self.env["gema.conversation"]
            .with_user(self.users["cs"])
            .create(
                {
                    "channel": "whatsapp",
                    "partner_id": self.customer.id,
                    "summary": "AC rusak lagi setelah servis.",
                    "company_id": self.branch.id,
                    **values,
                }
            )
        )

    def test_cs5_escalate_now_needs_the_form(self):
        """CS-5: Escalate Now sends a conversation whose escalation form is
        filled to the branch's supervisor; one without the form is refused
        in both languages; technicians and logistics may not run it."""
        xmlid = "gema_sop.action_server_conversation_escalate"
        blank = self._conversation()
        with self.assertRaisesBilingual(
            UserError, "Fill in the escalation form first", "formulir eskalasi"
        ) as run:
            run(lambda env: self._run(xmlid, blank.with_env(env), "cs"))
        self.assertEqual(blank.state, "new")
        filled = self._conversation(
            escalation_division="workshop", escalation_reason="Cek ulang AC"
        )
        self._run(xmlid, filled, "cs")
        self.assertEqual(filled.state, "escalated")
        self.assertEqual(filled.escalated_to_id, self.users["supervisor"])
        self.assertRefusedTo(xmlid, blank, ["technician", "logistics", "advisor"])

    def test_as6_rule_cancelled_ticket_goes_to_the_supervisor(self):
        """AS-6: the example rule, once activated, gives the branch's CS
        supervisor a to-do when a ticket is cancelled by its button; a
        ticket cancelled while it is off gets none."""
        rule = self.env.ref("gema_sop.automation_ticket_cancelled")
        self.assertFalse(rule.active)
        todo = self.env.ref("mail.mail_activity_data_todo")
        Ticket = (
            self.env["gema.ticket"]
            .with_user(self.users["cs"])
            .with_company(self.branch)
        )
        values = {
            "partner_id": self.customer.id,
            "company_id": self.branch.id,
            "channel": "whatsapp",
            "product_name": "Aki 12V 45Ah",
            "chronology": "Aki cepat habis sejak minggu lalu.",
            "purchase_date": date(2026, 9, 1),
        }

        def todos(ticket):
            return self.env["mail.activity"].search(
                [
                    ("res_model", "=", ticket._name),
                    ("res_id", "=", ticket.id),
                    ("activity_type_id", "=", todo.id),
                ]
            )

        before = Ticket.create(values)
        before.action_cancel()
        self.assertFalse(todos(before))
        rule.active = True
        ticket = Ticket.create(values)
        self.assertFalse(todos(ticket))
        ticket.action_cancel()
        activity = todos(ticket)
        self.assertEqual(activity.user_id, self.users["supervisor"])

    def test_g4_recompute_on_every_sla_model(self):
        """G-4: every SLA-aware model has Recompute SLA Lines in its Action
        menu, for CS supervisors and above."""
        for model in (
            "gema.booking",
            "gema.service.job",
            "gema.followup",
            "gema.conversation",
            "gema.ticket",
        ):
            with self.subTest(model=model):
                bindings = (
                    self.env["ir.actions.actions"]
                    .with_user(self.users["supervisor"])
                    .get_bindings(model)
                )
                names = [action["name"] for action in bindings.get("action", [])]
                self.assertIn("Recompute SLA Lines", names)
                bindings = (
                    self.env["ir.actions.actions"]
                    .with_user(self.users["cs"])
                    .get_bindings(model)
                )
                names = [action["name"] for action in bindings.get("action", [])]
                self.assertNotIn("Recompute SLA Lines", names)


@tagged("post_install", "-at_install")
class TestHolidayImport(ServerActionMixin, GemaSopCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.activate_indonesian()

    def _leaves(self):
        return self.env["resource.calendar.leaves"].search(
            [("calendar_id", "=", self.calendar.id), ("resource_id", "=", False)],
            order="date_from",
        )

    def _on(self, day):
        start = datetime.combine(day, datetime.min.time()) - timedelta(hours=7)
        return self._leaves().filtered(lambda leave: leave.date_from == start)

    def test_g4_import_public_holidays_and_collective_leave(self):
        """G-4: Import Public Holidays (now frozen in November 2026) adds
        this year's and next year's holidays of Indonesia, collective leave
        (cuti bersama) included, as whole days in WIB; the SOP clocks then
        skip them (the day after 23 December 2026 to work is the 26th)."""
        self._run(
            "gema_sop.action_server_calendar_import_holidays", self.calendar, "sopadmin"
        )
        christmas = self._on(date(2026, 12, 25))
        self.assertEqual(christmas.name, "Christmas Day")
        self.assertEqual(christmas.date_to - christmas.date_from, timedelta(days=1))
        self.assertEqual(christmas.date_from, datetime(2026, 12, 24, 17, 0))
        self.assertEqual(self._on(date(2026, 12, 24)).name, "Christmas Joint Holiday")
        self.assertEqual(self._on(date(2026, 8, 17)).name, "Independence Day")
        self.assertTrue(self._on(date(2027, 1, 1)))
        self.assertEqual(
            len(self._leaves().filtered(lambda leave: leave.date_from.year == 2026)),
            25,
        )
        self.assertEqual(
            self.calendar._gema_shift_day(date(2026, 12, 23), 1), date(2026, 12, 26)
        )

    def test_g4_import_twice_keeps_edited_leaves(self):
        """G-4: importing again creates no duplicate, and a holiday the user
        edited (renamed, shortened) keeps the user's version; names follow
        the user's language."""
        calendar = self.calendar.with_user(self.users["sopadmin"])
        calendar.action_gema_import_holidays()
        count = len(self._leaves())
        independence = self._on(date(2026, 8, 17))
        independence.write({"name": "HUT RI", "date_to": datetime(2026, 8, 17, 5, 0)})
        calendar.with_context(lang="id_ID").action_gema_import_holidays()
        self.assertEqual(len(self._leaves()), count)
        self.assertEqual(independence.name, "HUT RI")
        self.assertEqual(independence.date_to, datetime(2026, 8, 17, 5, 0))
        self._on(date(2026, 12, 25)).unlink()
        calendar.with_context(lang="id_ID").action_gema_import_holidays()
        self.assertEqual(self._on(date(2026, 12, 25)).name, "Hari Raya Natal")

    def test_g4_import_holidays_is_the_sop_administrators(self):
        """G-4, security: only an SOP administrator imports holidays, by the
        action and by the method itself (both languages); nothing is
        created for the others."""
        for role in (
            "technician",
            "logistics",
            "advisor",
            "cs",
            "supervisor",
            "manager",
        ):
            with self.subTest(role=role):
                with self.assertRaisesRegex(AccessError, REFUSED):
                    self._run(
                        "gema_sop.action_server_calendar_import_holidays",
                        self.calendar,
                        role,
                    )
        calendar = self.calendar.with_user(self.users["manager"])
        with self.assertRaisesBilingual(
            AccessError, "Only an SOP administrator", "Administrator SOP"
        ) as run:
            run(
                lambda env: calendar.with_context(
                    lang=env.lang
                ).action_gema_import_holidays()
            )
        self.assertFalse(self._leaves())
