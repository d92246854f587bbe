"""The SOP checklists come with their steps (BK-12, ST-10, FU-8): each item
is planned when its step is reached, due on the step's day, for the desk
person who owns the record; what the system does it ticks, once, with a
note; a record that ends cancels the items still pending (issue 14: the
checklist must help, not flood)."""

from datetime import date, timedelta

from odoo.tests import freeze_time, tagged
from odoo.tools import SQL

from .booking_common import BookingCase, wib
from .service_job_common import MONDAY_0900_WIB, ServiceJobCase

BK = "gema_sop.mail_activity_type_booking_"
ST = "gema_sop.mail_activity_type_st10_"
FU = "gema_sop.mail_activity_type_fu8_"
MONDAY = date(2026, 11, 23)


class ChecklistAsserts:
    def _items(self, record, done=False):
        """{activity type XML id: activity} of the record's checklist items
        (done ones with ``done``)."""
        activities = (
            self.env["mail.activity"]
            .with_context(active_test=False)
            .search(
                [
                    ("res_model", "=", record._name),
                    ("res_id", "=", record.id),
                    ("active", "=", not done),
                    ("activity_type_id", "in", record._checklist_types().ids),
                ]
            )
        )
        return {
            activity.activity_type_id.get_external_id()[
                activity.activity_type_id.id
            ]: activity
            for activity in activities
        }

    def _notes(self, record, xmlid):
        """The bodies of the chatter entries that ticked item ``xmlid``."""
        return record.message_ids.filtered(
            lambda m: m.mail_activity_type_id == self.env.ref(xmlid)
        ).mapped("body")

    def assertDoneOnce(self, record, xmlid, text):
        """Item ``xmlid`` was ticked exactly once, with ``text`` in its note."""
        self.assertIn(xmlid, self._items(record, done=True))
        notes = self._notes(record, xmlid)
        self.assertEqual(len(notes), 1, notes)
        self.assertIn(text, notes[0])


@tagged("post_install", "-at_install")
class TestBookingChecklist(ChecklistAsserts, BookingCase):
    def _confirm(self, start):
        booking = self._request()
        booking.write({"employee_id": self.tech.id, "start": start})
        return booking, booking.action_confirm()

    def test_bk12_items_due_on_their_step_and_ticked_by_the_system_once(self):
        """BK-12: confirming on Monday plans the confirmation's items for
        Monday and the H-1 item for Wednesday (Thursday's booking), for the
        advisor; the system ticks the data it checked, the service and the
        calendar at once, the schedule and the proof when the confirmation
        left, the H-1 item when the reminder left, each once with its note;
        rescheduling moves the H-1 item to the new eve."""
        booking, action = self._confirm(wib(26, 9))
        pending = self._items(booking)
        self.assertEqual(
            {xmlid: a.date_deadline for xmlid, a in pending.items()},
            {
                BK + "device": MONDAY,
                BK + "schedule_confirmed": MONDAY,
                BK + "proof_sent": MONDAY,
                BK + "reminder_sent": date(2026, 11, 25),
            },
        )
        self.assertEqual(
            {a.user_id for a in pending.values()}, {self.advisor}, "the desk's"
        )
        self.assertDoneOnce(booking, BK + "customer_data", "are filled in")
        self.assertDoneOnce(booking, BK + "service", "Periodic service")
        self.assertDoneOnce(booking, BK + "in_calendar", self.tech.name)

        self.follow_whatsapp_link(action)
        self.assertDoneOnce(booking, BK + "schedule_confirmed", "WhatsApp")
        self.assertDoneOnce(booking, BK + "proof_sent", "WhatsApp")
        self.assertEqual(
            set(self._items(booking)), {BK + "device", BK + "reminder_sent"}
        )

        again = booking._reschedule(self.tech, wib(28, 9), wib(28, 10))
        self.assertEqual(
            self._items(booking)[BK + "reminder_sent"].date_deadline,
            date(2026, 11, 27),
        )
        self.follow_whatsapp_link(again)
        self.assertDoneOnce(booking, BK + "proof_sent", "WhatsApp")

        with freeze_time(wib(27, 8)):
            self.follow_whatsapp_link(booking.action_send_reminder())
        self.assertDoneOnce(booking, BK + "reminder_sent", "WhatsApp")
        self.assertEqual(set(self._items(booking)), {BK + "device"})

    def test_bk12_for_tomorrow_the_confirmation_is_the_reminder(self):
        """BK-6, BK-12: a booking of tomorrow gets no reminder; its H-1 item
        is due today and ticked by the confirmation, saying so."""
        booking, action = self._confirm(wib(24, 9))
        self.assertEqual(
            self._items(booking)[BK + "reminder_sent"].date_deadline, MONDAY
        )
        self.follow_whatsapp_link(action)
        self.assertDoneOnce(booking, BK + "reminder_sent", "was its reminder")

    def test_bk12_cancel_and_no_show_cancel_the_pending_items(self):
        """BK-12, BK-9: a cancelled booking and a no-show keep their done
        items and lose the pending ones; a no-show rescheduled gets the
        items of its new confirmation again."""
        cancelled, _action = self._confirm(wib(26, 9))
        cancelled.action_cancel()
        self.assertFalse(self._items(cancelled))
        self.assertEqual(len(self._items(cancelled, done=True)), 3)

        no_show, _action = self._confirm(wib(24, 9))
        with freeze_time(wib(24, 10)):
            no_show.action_mark_no_show()
        self.assertFalse(self._items(no_show))
        with freeze_time(wib(24, 11)):
            no_show._reschedule(self.tech, wib(27, 9), wib(27, 10))
        self.assertEqual(
            {x: a.date_deadline for x, a in self._items(no_show).items()},
            {
                BK + "device": date(2026, 11, 24),
                BK + "schedule_confirmed": date(2026, 11, 24),
                BK + "proof_sent": date(2026, 11, 24),
                BK + "reminder_sent": date(2026, 11, 26),
            },
        )
        self.assertEqual(len(self._notes(no_show, BK + "in_calendar")), 1)

    def test_bk12_planning_costs_the_same_queries_for_1_or_5_bookings(self):
        """BK-12 / robustness: planning and cancelling the checklist of a
        batch (the no-show cron's) costs the same queries for 1 booking as
        for 5: one search, one create or one unlink."""
        bookings = self.env["gema.booking"]
        for hour in range(9, 15):
            bookings |= self._confirm(wib(26, hour))[0]
        counts = []
        # The first round fills the caches (references, access rules).
        for batch in (bookings[:1], bookings[1:2], bookings[2:]):
            batch.activity_ids.unlink()
            self.env.flush_all()
            self.env.invalidate_all()
            before = self.env.cr.sql_log_count
            batch._launch_checklist()
            self.env.flush_all()
            planned = self.env.cr.sql_log_count - before
            self.assertEqual(len(batch.activity_ids), 4 * len(batch))
            # The state alone, without the write's own work (slot, SLA).
            self.env.cr.execute(
                SQL(
                    "UPDATE gema_booking SET state = 'cancelled' WHERE id IN %s",
                    tuple(batch.ids),
                )
            )
            self.env.invalidate_all()
            before = self.env.cr.sql_log_count
            batch._launch_checklist()
            self.env.flush_all()
            counts.append((planned, self.env.cr.sql_log_count - before))
            self.assertFalse(batch.activity_ids)
        self.assertEqual(counts[1], counts[2])


@tagged("post_install", "-at_install")
class TestServiceJobChecklist(ChecklistAsserts, ServiceJobCase):
    def test_st10_items_come_with_the_steps_for_the_advisor_not_the_technician(self):
        """ST-10: nothing at reception; the inspection's items for the
        advisor; the technician starting an overnight job ticks "no extra
        work" and plans the next day's follow-up for the advisor, never
        for themselves; the technician's job shows only those few items;
        a status update the next day ticks contact, explanation, evidence
        and follow-up once; a cancelled job loses what is pending."""
        job = self._job(hours=30.0)
        self.assertTrue(job.overnight)
        self.assertFalse(job.activity_ids)
        self._inspected(job)
        self.assertEqual(
            set(self._items(job)),
            {
                ST + x
                for x in (
                    "progress",
                    "extra_work",
                    "contacted",
                    "explained",
                    "evidence",
                )
            },
        )
        self._as("technician", job).action_start()
        self.assertDoneOnce(job, ST + "extra_work", "no extra work")
        followup = self._items(job)[ST + "followup"]
        self.assertEqual(followup.date_deadline, date(2026, 11, 24))
        technician_view = self._as("technician", job).activity_ids
        self.assertEqual(len(technician_view), 5)
        self.assertEqual(technician_view.user_id, self.advisor)
        self.assertFalse(
            self.env["mail.activity"].search_count(
                [("user_id", "=", self.users["technician"].id)]
            )
        )
        with freeze_time(MONDAY_0900_WIB + timedelta(days=1)):
            self.follow_whatsapp_link(job.action_send_status_update())
            self.follow_whatsapp_link(job.action_send_status_update())
        for item in ("contacted", "explained", "evidence", "followup"):
            self.assertDoneOnce(job, ST + item, "WhatsApp")
        self.assertEqual(set(self._items(job)), {ST + "progress"})
        job.action_cancel()
        self.assertFalse(self._items(job))
        self.assertEqual(len(self._items(job, done=True)), 5)

    def test_st10_approval_items_only_with_extra_work_ticked_by_the_decision(self):
        """ST-2, ST-10: asking for approval ticks "extra work identified"
        and plans the approval items, which the customer's recorded
        decision ticks once."""
        job = self._inspected(self._job())
        line = self.env["gema.service.job.line"].create(
            {"job_id": job.id, "name": "Replace the brake discs", "price": 400000}
        )
        self.assertNotIn(ST + "approval", self._items(job))
        job.action_request_approval()
        self.assertDoneOnce(job, ST + "extra_work", "1 extra work item(s)")
        self.assertEqual(
            {ST + "approval", ST + "confirmation"} & set(self._items(job)),
            {ST + "approval", ST + "confirmation"},
        )
        evidence = self.env["ir.attachment"].create(
            {"name": "chat.png", "raw": b"screenshot"}
        )
        line._record_decision("approved", "whatsapp", "Setuju", evidence)
        self.assertDoneOnce(job, ST + "approval", "decision")
        self.assertDoneOnce(job, ST + "confirmation", "evidence")

    def test_st10_job_without_advisor_goes_to_the_supervisor(self):
        """ST-10: a job with no service advisor inspected by the system gets
        its items for the branch's CS supervisor, never the technician."""
        job = self.env["gema.service.job"].browse(self._job(user_id=False).id)
        job.action_inspect()
        owner = self.env["res.users"].union(
            *(a.user_id for a in self._items(job).values())
        )
        self.assertEqual(len(owner), 1)
        self.assertTrue(owner.has_group("gema_sop.group_cs_supervisor"))
        self.assertNotEqual(owner, self.users["technician"])


@tagged("post_install", "-at_install")
class TestFollowupChecklist(ChecklistAsserts, ServiceJobCase):
    def test_fu8_items_due_on_the_call_day_and_ticked_when_done(self):
        """FU-1, FU-6, FU-8: a vehicle handed over on Saturday is called on
        Monday: the number checked by the system, "customer contacted" due
        Monday; no answer moves it to Tuesday; reaching a satisfied customer
        ticks the call's items with what was recorded and plans the
        testimonial and review link, ticked once the request left."""
        saturday = MONDAY_0900_WIB + timedelta(days=5)
        job = self._delivered_job(saturday)
        followup = job.followup_ids
        self.assertDoneOnce(followup, FU + "data_checked", "number is valid")
        self.assertEqual(
            {x: a.date_deadline for x, a in self._items(followup).items()},
            {FU + "contacted": date(2026, 11, 30)},
        )
        self.assertEqual(followup.activity_ids.user_id, self.advisor)
        with freeze_time(saturday + timedelta(days=2)):
            followup.action_no_answer()
            self.assertEqual(
                self._items(followup)[FU + "contacted"].date_deadline,
                date(2026, 12, 1),
            )
        self.branch.gema_google_review_url = "https://g.page/r/test-medan/review"
        with freeze_time(saturday + timedelta(days=3)):
            followup.write(
                {
                    "contact_channel": "phone",
                    "condition_note": "Rem sudah tidak berbunyi.",
                    "outcome": "satisfied",
                    "feedback": "Mobil nyaman.",
                }
            )
            followup.action_contacted()
            for item in ("contacted", "condition", "feedback"):
                self.assertDoneOnce(followup, FU + item, "Satisfied")
            self.assertEqual(
                set(self._items(followup)), {FU + "testimonial", FU + "review_link"}
            )
            action = followup.action_request_testimonial()
            self.assertIn(FU + "testimonial", self._items(followup), "not sent yet")
            self.follow_whatsapp_link(action)
        self.assertDoneOnce(followup, FU + "testimonial", "WhatsApp")
        self.assertDoneOnce(followup, FU + "review_link", "WhatsApp")
        self.assertEqual(followup.checklist_progress, 100.0)
