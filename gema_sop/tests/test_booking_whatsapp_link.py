"""The WhatsApp link of a booking's confirmation, in a real browser (BK-5,
BK-2, BK-10): one click, one log entry, the form updated, the
first-response clock stopped once."""

from datetime import datetime, time, timedelta
from unittest.mock import patch

import pytz

from odoo.exceptions import UserError
from odoo.tests import HttpCase, tagged
from odoo.tests.common import ChromeBrowser

from .booking_common import BookingCase


def _working_morning():
    """10:00 in Medan on a working day at least two days from now (UTC)."""
    tz = pytz.timezone("Asia/Jakarta")
    day = datetime.now(tz).date() + timedelta(days=2)
    while day.weekday() == 6:  # the branch is closed on Sunday
        day += timedelta(days=1)
    local = tz.localize(datetime.combine(day, time(10, 0)))
    return local.astimezone(pytz.utc).replace(tzinfo=None)


def _spawn_chrome(spawn):
    """Chrome lets a person's click on a link open its new tab; the tour's
    click is a script's, which the popup blocker would stop. The test
    browser lets it through as it does a person's."""

    def spawn_allowing_new_tabs(browser, cmd):
        return spawn(browser, [*cmd[:-1], "--disable-popup-blocking", cmd[-1]])

    return spawn_allowing_new_tabs


@tagged("post_install", "-at_install")
class TestBookingWhatsappLinkTour(HttpCase, BookingCase):
    def startClock(self, when):
        """The browser's clock cannot be frozen: this test keeps the real
        one and books a time it computes from it."""

    def test_bk5_bk2_whatsapp_link_one_click_one_log_entry(self):
        """BK-5, BK-2, BK-10: in Chromium the advisor confirms a request;
        the confirmation opens in a dialog whose link, clicked once, opens
        WhatsApp and records it; Mark as Sent logs the message once, with
        who and when, the booking form shows it without a reload, and the
        first-response clock stops, once."""
        start = _working_morning()
        booking = self._request(requested_start=start)
        booking.write({"employee_id": self.tech.id, "start": start})
        with patch.object(
            ChromeBrowser, "_spawn_chrome", _spawn_chrome(ChromeBrowser._spawn_chrome)
        ):
            self.start_tour(
                f"/odoo/action-gema_sop.gema_booking_action/{booking.id}",
                "gema_booking_whatsapp_link",
                login=self.advisor.login,
            )
        self.assertEqual(booking.state, "confirmed")
        message = self.env["gema.message"].search(
            [("res_model", "=", "gema.booking"), ("res_id", "=", booking.id)]
        )
        self.assertRecordValues(
            message,
            [
                {
                    "channel": "whatsapp_link",
                    "state": "sent",
                    "user_id": self.advisor.id,
                    "template_id": self.env.ref(
                        "gema_sop.mail_template_booking_confirmation"
                    ).id,
                }
            ],
        )
        self.assertTrue(message.link_opened_date)
        self.assertGreaterEqual(message.sent_date, message.link_opened_date)
        posts = booking.message_ids.filtered(
            lambda m: m.subtype_id == self.env.ref("gema_sop.mt_customer_message")
        )
        self.assertEqual(posts, message.mail_message_id)
        self.assertEqual(posts.author_id, self.advisor.partner_id)
        lines = booking.gema_sla_status_ids.filtered(
            lambda line: line.policy_id.code == "BK-2"
        )
        self.assertEqual(lines.mapped("state"), ["done"])
        self.assertEqual(booking.frt_result, "on_time")


@tagged("post_install", "-at_install")
class TestWhatsappLinkRoute(HttpCase, BookingCase):
    """Security of /gema/message/<id>/whatsapp, called for real over HTTP."""

    def startClock(self, when):
        """Sessions and the test server keep the real clock here."""

    def _open(self, message_id, login=None):
        if login:
            self.authenticate(login, login)
        else:
            self.authenticate(None, None)
        return self.url_open(
            f"/gema/message/{message_id}/whatsapp", allow_redirects=False
        )

    def test_link_route_for_each_role(self):
        """Security, BK-10: the link opens WhatsApp only for staff who may
        send the message (the one who opens it becomes its sender); the
        technician, logistics, a portal user, another branch and a stranger
        get nothing, and a sent message's link does not open again."""
        start = _working_morning()
        booking = self._request(requested_start=start)
        booking.write({"employee_id": self.tech.id, "start": start})
        action = booking.with_user(self.advisor).action_confirm()
        message = self.env["gema.message"].browse(action["res_id"])
        portal = self.env["res.users"].create(
            {
                "name": "Portal customer",
                "login": "link_portal",
                "password": "link_portal",
                "groups_id": [(6, 0, self.env.ref("base.group_portal").ids)],
            }
        )
        other_branch = self.env["res.company"].create(
            {"name": "Link Test Branch Binjai", "parent_id": self.main_company.id}
        )
        self.env["res.users"].create(
            {
                "name": "Advisor Binjai",
                "login": "link_advisor_binjai",
                "password": "link_advisor_binjai",
                "company_id": other_branch.id,
                "company_ids": [(6, 0, other_branch.ids)],
                "groups_id": [
                    (6, 0, self.env.ref("gema_sop.group_service_advisor").ids)
                ],
            }
        )
        for login in (
            self.users["technician"].login,
            self.users["logistics"].login,
            portal.login,
            "link_advisor_binjai",
        ):
            with self.subTest(login=login):
                self.assertEqual(self._open(message.id, login).status_code, 404)
        stranger = self._open(message.id)
        self.assertEqual(stranger.status_code, 303)
        self.assertIn("/web/login", stranger.headers["Location"])
        message.invalidate_recordset()
        self.assertEqual(message.state, "draft")
        self.assertFalse(message.link_opened_date)

        followed = self._open(message.id, self.advisor.login)
        self.assertEqual(followed.status_code, 303)
        self.assertTrue(
            followed.headers["Location"].startswith(
                "https://wa.me/6281234567890?text=Yth."
            )
        )
        message.invalidate_recordset()
        self.assertRecordValues(
            message, [{"state": "opened", "user_id": self.advisor.id}]
        )
        # The supervisor opens it in turn: the sender is who opened it last.
        supervisor = self.users["supervisor"]
        self.assertEqual(self._open(message.id, supervisor.login).status_code, 303)
        message.invalidate_recordset()
        self.assertEqual(message.user_id, supervisor)
        with self.assertRaises(UserError):
            message.with_user(self.advisor).action_mark_sent()
        message.with_user(supervisor).action_mark_sent()
        again = self._open(message.id, supervisor.login)
        self.assertEqual(again.status_code, 409)
        self.assertRegex(again.text, "not waiting to be sent|tidak sedang menunggu")
        self.assertEqual(self._open(999999999, supervisor.login).status_code, 404)
        malformed = self.url_open("/gema/message/abc/whatsapp", allow_redirects=False)
        self.assertEqual(malformed.status_code, 404)
