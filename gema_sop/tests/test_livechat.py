"""The website live chat on the chat desk (SPEC CS-1, CS-2, CS-4, CS-6,
CS-7, G-5): a visitor's session, opened and written in through
im_livechat's own routes over real HTTP, is filed on a
``gema.conversation``; the operator answers in the session (Discuss)."""

from datetime import datetime, timedelta

from odoo.exceptions import UserError
from odoo.tests import HttpCase, freeze_time, tagged

from .common import GemaSopCase

CS4 = "gema_sop.sla_policy_cs4_first_response"


def wib(day, hour, minute=0):
    """A time of November 2026 in Medan (WIB, UTC+7), as naive UTC;
    2026-11-23 is a Monday."""
    return datetime(2026, 11, day, hour, minute) - timedelta(hours=7)


class LivechatCase(GemaSopCase, HttpCase):
    """A branch whose live chat has the CS officer online."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.activate_indonesian()
        cls.officer = cls.users["cs"]
        # The branch's channel was made with the branch; its CS officers
        # (made after it) join as operators on the next setup.
        cls.env["im_livechat.channel"]._gema_setup_branches(cls.branch)
        cls.livechat = cls.env["im_livechat.channel"].search(
            [("gema_company_id", "=", cls.branch.id)]
        )
        # Only the officer is online: the session goes to them.
        cls.env["bus.presence"].create({"user_id": cls.officer.id, "status": "online"})

    # Helpers -------------------------------------------------------------

    def _visit(self):
        """The visitor opens the chat and writes their first message:
        im_livechat's session route, then its message route as the guest
        the session made. Returns the ``discuss.channel``."""
        data = self.make_jsonrpc_request(
            "/im_livechat/get_session",
            {"channel_id": self.livechat.id, "anonymous_name": "Visitor"},
        )
        return self.env["discuss.channel"].browse(data["discuss.channel"][0]["id"])

    def _visitor_writes(self, session, text):
        self.make_jsonrpc_request(
            "/mail/message/post",
            {
                "thread_model": "discuss.channel",
                "thread_id": session.id,
                "post_data": {"body": text, "message_type": "comment"},
            },
        )

    def _operator_writes(self, session, text, user=None):
        """The operator answers in Discuss (the channel's message_post, as
        Discuss's composer calls it)."""
        session.with_user(user or self.officer).message_post(
            body=text, message_type="comment", subtype_xmlid="mail.mt_comment"
        )

    def _cs4_line(self, conversation):
        return self.env["gema.sla.status"].search(
            [
                ("res_model", "=", "gema.conversation"),
                ("res_id", "=", conversation.id),
                ("policy_id", "=", self.env.ref(CS4).id),
            ]
        )

    def _chat(self):
        """A visitor wrote at 09:00 on a Monday; returns the session and
        its conversation."""
        with freeze_time(wib(23, 9)):
            session = self._visit()
            self._visitor_writes(session, "Halo, berapa biaya ganti oli?")
        return session, session.gema_conversation_id


@tagged("post_install", "-at_install")
class TestLivechat(LivechatCase):
    # CS-1: the branch's channel --------------------------------------------

    def test_cs1_each_branch_has_a_live_chat_operated_by_its_cs_officers(self):
        """CS-1: a branch has one live chat channel; its CS officers (and
        the supervisors and managers, who are CS officers too) operate it,
        technicians and service advisors do not. The welcome message asks
        for the name, and for the WhatsApp number only to follow up (G-5)."""
        self.assertEqual(len(self.livechat), 1)
        operators = self.livechat.user_ids
        for role in ("cs", "supervisor", "manager"):
            self.assertIn(self.users[role], operators, role)
        for role in ("technician", "advisor", "logistics"):
            self.assertNotIn(self.users[role], operators, role)
        self.env["res.lang"]._activate_lang("en_US")
        branch = self.env["res.company"].create({"name": "Test Branch Binjai"})
        channel = self.env["im_livechat.channel"].search(
            [("gema_company_id", "=", branch.id)]
        )
        self.assertEqual(channel.name, "Test Branch Binjai Live Chat")
        for lang, words in (
            ("en_US", "WhatsApp number only if"),
            ("id_ID", "nomor WhatsApp Anda hanya jika"),
        ):
            self.assertIn(words, channel.with_context(lang=lang).default_message)

    def test_cs1_booking_page_offers_the_live_chat_while_an_operator_is_online(
        self,
    ):
        """CS-1: the public /booking page of a branch loads the branch's live
        chat button while one of its operators is online, and not when none
        is (im_livechat shows no button then either)."""
        page = self.url_open(f"/booking?company_id={self.branch.id}")
        self.assertEqual(page.status_code, 200)
        self.assertIn("livechatData", page.text)
        self.assertIn("isAvailable: true", page.text)
        self.env["bus.presence"].search([("user_id", "=", self.officer.id)]).unlink()
        page = self.url_open(f"/booking?company_id={self.branch.id}")
        self.assertNotIn("livechatData", page.text)

    # CS-2 / CS-4: the bridge ------------------------------------------------

    def test_cs2_cs4_visitor_opens_the_conversation_operator_answer_stops_clock(
        self,
    ):
        """CS-2, CS-4: the visitor's first message opens a live chat
        conversation of the branch, for the session's operator, with the
        message as the request and in the chatter; the CS-4 clock starts
        then. Another visitor message stops nothing; the operator's first
        answer in Discuss 3 working minutes later is the first response,
        and every message of both sides is in the conversation's chatter."""
        session, conversation = self._chat()
        self.assertTrue(conversation)
        self.assertEqual(
            (conversation.channel, conversation.company_id, conversation.user_id),
            ("live_chat", self.branch, self.officer),
        )
        self.assertEqual(conversation.summary, "Halo, berapa biaya ganti oli?")
        self.assertEqual(conversation.request_type, "information")
        self.assertEqual(conversation.state, "new")
        line = self._cs4_line(conversation)
        self.assertEqual((line.state, line.start), ("running", wib(23, 9)))
        with freeze_time(wib(23, 9, 1)):
            self._visitor_writes(session, "Mobil saya Avanza 2019.")
        self.assertEqual(session.gema_conversation_id, conversation)
        self.assertEqual(conversation.state, "new")
        self.assertEqual(line.state, "running")
        with freeze_time(wib(23, 9, 3)):
            self._operator_writes(session, "Selamat pagi, biayanya Rp 450.000.")
        self.assertEqual(conversation.state, "answered")
        self.assertEqual(conversation.first_response_date, wib(23, 9, 3))
        self.assertEqual(conversation.first_response_minutes, 3.0)
        self.assertEqual(conversation.first_response_result, "on_time")
        self.assertEqual(line.state, "done")
        inbound = self.env.ref("gema_sop.mt_customer_inbound")
        outbound = self.env.ref("gema_sop.mt_customer_message")
        chatter = conversation.message_ids.filtered(
            lambda m: m.subtype_id in inbound | outbound
        ).sorted("id")
        self.assertEqual(
            [(m.subtype_id, m.author_id) for m in chatter],
            [
                (inbound, self.env["res.partner"]),
                (inbound, self.env["res.partner"]),
                (outbound, self.officer.partner_id),
            ],
        )
        self.assertIn("Rp 450.000", chatter[-1].body)
        self.assertIn("Avanza 2019", chatter[1].body)

    def test_cs4_late_operator_answer_is_a_breach(self):
        """CS-4: an answer after 5 working minutes breaches the standard,
        with its working minutes."""
        session, conversation = self._chat()
        with freeze_time(wib(23, 9, 12)):
            self._operator_writes(session, "Maaf menunggu.")
        self.assertEqual(conversation.first_response_minutes, 12.0)
        self.assertEqual(conversation.first_response_result, "breached")
        self.assertEqual(self._cs4_line(conversation).state, "late")

    def test_cs2_notifications_and_operator_first_words_open_nothing(self):
        """CS-2: only the visitor opens a conversation: the operator writing
        into a session nobody wrote in, or a notification, files nothing."""
        with freeze_time(wib(23, 9)):
            session = self._visit()
            self._operator_writes(session, "Ada yang bisa dibantu?")
            session.message_post(body="joined", message_type="notification")
        self.assertFalse(session.gema_conversation_id)

    def test_cs2_logged_in_customer_joins_their_open_conversation(self):
        """CS-2: a logged-in customer's new session joins their open live
        chat conversation of the branch, with their name."""
        portal = self.env["res.users"].create(
            {
                "name": "Hendra Sitorus",
                "login": "hendra_livechat",
                "password": "hendra_livechat",
                "groups_id": [(6, 0, [self.env.ref("base.group_portal").id])],
            }
        )
        self.authenticate("hendra_livechat", "hendra_livechat")
        first, conversation = self._chat()
        self.assertEqual(conversation.partner_id, portal.partner_id)
        self.assertEqual(conversation.customer_name, "Hendra Sitorus")
        with freeze_time(wib(23, 10)):
            second = self._visit()
            self._visitor_writes(second, "Satu lagi pertanyaan.")
        self.assertNotEqual(first, second)
        self.assertEqual(second.gema_conversation_id, conversation)
        self.assertEqual(conversation.livechat_channel_ids, first | second)

    def test_cs2_desk_opens_the_session_in_discuss_one_thread(self):
        """CS-2: from the conversation, *Live Chat* opens its session in
        Discuss; a supervisor not in the session joins it, and their answer
        there is the conversation's first response, in the same thread. A
        conversation without a session says so."""
        session, conversation = self._chat()
        supervisor = self.users["supervisor"]
        action = conversation.with_user(supervisor).action_open_livechat()
        self.assertEqual(
            (action["tag"], action["params"]["active_id"]),
            ("mail.action_discuss", f"discuss.channel_{session.id}"),
        )
        self.assertIn(supervisor.partner_id, session.channel_member_ids.partner_id)
        with freeze_time(wib(23, 9, 4)):
            self._operator_writes(session, "Biayanya Rp 450.000.", user=supervisor)
        self.assertEqual(conversation.first_response_minutes, 4.0)
        self.assertEqual(conversation.message_ids[0].author_id, supervisor.partner_id)
        typed = (
            self.env["gema.conversation"]
            .with_user(self.officer)
            .create({"channel": "live_chat", "customer_name": "Rina"})
        )
        with self.assertRaisesBilingual(
            UserError,
            "has no website live chat session",
            "tidak memiliki sesi live chat website",
        ) as run:
            run(
                lambda env: typed.with_env(env)
                .with_user(self.officer)
                .action_open_livechat()
            )

    # CS-6: closing ------------------------------------------------------------

    def test_cs6_closing_message_goes_into_the_live_chat(self):
        """CS-6: while the visitor is in the chat, *Send Closing Message*
        writes the thanks with the rating link into the session, where the
        visitor reads it, and counts as sent; the conversation then closes
        with its outcome as a WhatsApp one does."""
        session, conversation = self._chat()
        conversation = conversation.with_user(self.officer)
        with freeze_time(wib(23, 9, 2)):
            self._operator_writes(session, "Biayanya Rp 450.000.")
        conversation.write({"solved_confirmed": True, "anything_else_asked": True})
        with freeze_time(wib(23, 9, 5)):
            self.assertTrue(conversation.action_send_closing())
        self.assertEqual(conversation.closing_sent_date, wib(23, 9, 5))
        last = session.message_ids.sorted("id")[-1]
        self.assertEqual(last.author_id, self.officer.partner_id)
        self.assertIn(f"/chat/rate/{conversation.id}", last.body)
        self.assertIn(f"/chat/rate/{conversation.id}", conversation.message_ids[0].body)
        conversation.outcome = "information_given"
        conversation.action_close()
        self.assertEqual(conversation.state, "closed")

    def test_cs6_visitor_gone_without_number_closing_is_refused(self):
        """CS-6 / G-5: once the visitor left the chat, the closing message
        goes by WhatsApp like any other: a visitor who left no number
        cannot get it, and the officer is told why."""
        session, conversation = self._chat()
        with freeze_time(wib(23, 9, 2)):
            self._operator_writes(session, "Biayanya Rp 450.000.")
        session.sudo().livechat_active = False
        conversation = conversation.with_user(self.officer)
        conversation.write({"solved_confirmed": True, "anything_else_asked": True})
        with self.assertRaisesRegex(UserError, "has no WhatsApp number"):
            conversation.action_send_closing()
        self.assertFalse(conversation.closing_sent_date)

    # CS-7 / G-5: retention ----------------------------------------------------

    def test_cs7_g5_retention_removes_the_session_and_the_visitor_data(self):
        """CS-7, G-5: when the branch's retention period has passed, the
        live chat session goes with the conversation's content: its
        messages, and the guest with the visitor's country and time zone.
        The conversation's statistics stay."""
        session, conversation = self._chat()
        with freeze_time(wib(23, 9, 2)):
            self._operator_writes(session, "Biayanya Rp 450.000.")
        guest = session.channel_member_ids.guest_id
        self.assertTrue(guest)
        messages = session.message_ids
        conversation.sudo().write({"state": "closed", "closed_date": wib(23, 10)})
        self.branch.gema_conversation_retention_months = 12
        with freeze_time(wib(23, 10) + timedelta(days=400)):
            self.env["gema.conversation"]._cron_remove_old_content()
        self.assertTrue(conversation.content_removed_date)
        self.assertFalse(session.exists())
        self.assertFalse(guest.exists())
        self.assertFalse(messages.exists())
        self.assertEqual(conversation.first_response_minutes, 2.0)


@tagged("post_install", "-at_install")
class TestLivechatTour(LivechatCase):
    """The visitor's side in a real browser, at phone size."""

    browser_size = "390x844"
    touch_enabled = True

    def test_cs1_cs2_visitor_writes_in_the_live_chat_of_booking_on_a_phone(self):
        """CS-1, CS-2: on a phone, a visitor of the booking page opens the
        live chat and writes; the message opens a live chat conversation
        of the branch for the online officer, with the message in it."""
        self.start_tour(f"/booking?company_id={self.branch.id}", "gema_livechat_tour")
        conversation = self.env["gema.conversation"].search(
            [("company_id", "=", self.branch.id), ("channel", "=", "live_chat")]
        )
        self.assertEqual(len(conversation), 1)
        self.assertEqual(conversation.user_id, self.officer)
        self.assertEqual(conversation.summary, "Halo, berapa biaya ganti oli Avanza?")
