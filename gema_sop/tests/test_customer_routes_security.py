"""Staff never pose as customers on the customer pages (security, ST-2,
BK-5, CS-8, AS-5, G-5; DESIGN trust rules).

Every customer route (booking page, job page and photo, extra-work
decision, chat rating page and post, ticket page and rating post) is called
over real HTTP by each staff role logged in without the token, by a portal
user of another customer, and by strangers without a token, with a wrong
one and with another record's token: each gets 404 and nothing changes
(line still proposed, no rating, no chatter entry). The record's customer
gets in: the token holder, and the portal user of that customer logged in.
A staff member holding the token sees the page as a preview, without its
forms, and cannot record a decision. In the backend, no role records a
decision as the customer's ("portal") or writes a rating, whatever the
call (``with_user`` stands for XML-RPC: same ORM methods, same checks).
"""

import base64
from ast import literal_eval

from odoo import Command, http
from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged
from odoo.tools import mute_logger

from .common import ROLE_GROUPS
from .test_service_job_portal import CSRF_RE, ServiceJobPortalCase

STAFF = (*ROLE_GROUPS, "admin")
PREVIEW = "o_gema_staff_preview"


class CustomerRoutesCase(ServiceJobPortalCase):
    """Customer A's and B's booking, job, conversation and ticket, the
    portal users of both, and the staff of the branch."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.activate_indonesian()
        cls.users["admin"] = cls.env.ref("base.user_admin")
        cls.portal_a, cls.portal_b = (
            new_test_user(
                cls.env,
                login=login,
                groups="base.group_portal",
                partner_id=partner.id,
                company_id=cls.branch.id,
                company_ids=[Command.set(cls.branch.ids)],
            )
            for login, partner in (
                ("portal_a", cls.customer_a),
                ("portal_b", cls.customer_b),
            )
        )
        cls.booking_a, cls.booking_b = (
            cls._make_record(
                "gema.booking",
                partner,
                customer_name=partner.name,
                customer_phone=partner.mobile,
                license_plate=plate,
                vehicle_type="Toyota Avanza",
            )
            for partner, plate in (
                (cls.customer_a, "BK 1 AA"),
                (cls.customer_b, "BK 2 BB"),
            )
        )
        # Closing message sent: the conversations can be rated (CS-8).
        cls.chat_a, cls.chat_b = (
            cls._make_record(
                "gema.conversation",
                partner,
                summary="Berapa harga servis berkala?",
                closing_sent_date="2026-11-23 03:00:00",
            )
            for partner in (cls.customer_a, cls.customer_b)
        )
        # Solved: the tickets can be rated (AS-5).
        cls.ticket_a, cls.ticket_b = (
            cls._make_record(
                "gema.ticket",
                partner,
                product_name="Aki mobil",
                chronology="Aki tidak mengisi.",
                state="done",
            )
            for partner in (cls.customer_a, cls.customer_b)
        )
        cls.tokens = {
            record: record._portal_ensure_token()
            for record in (
                cls.booking_a,
                cls.booking_b,
                cls.chat_a,
                cls.chat_b,
                cls.ticket_a,
                cls.ticket_b,
            )
        }
        cls.tokens.update({cls.job_a: cls.token_a, cls.job_b: cls.token_b})

    @classmethod
    def _make_record(cls, model, partner, **values):
        # As superuser, as the branch's own steps would leave them.
        return (
            cls.env[model]
            .with_company(cls.branch)
            .create({"partner_id": partner.id, "company_id": cls.branch.id, **values})
        )

    # Visitors ------------------------------------------------------------

    def _visit_as(self, who):
        """Log in as a staff role or a portal user, or stay a stranger."""
        if who == "public":
            self.authenticate(None, None)
            return
        portal = {"portal_a": self.portal_a, "portal_b": self.portal_b}
        user = portal.get(who) or self.users[who]
        self.authenticate(user.login, user.login)

    def _strangers(self, record, other):
        """(visitor, token) pairs that are not ``record``'s customer."""
        return [
            *((role, None) for role in STAFF),
            ("portal_b", None),
            ("public", None),
            ("public", "not-a-token"),
            ("public", self.tokens[other]),
        ]

    def _get(self, url, token):
        return self.url_open(url + (f"?access_token={token}" if token else ""))

    def _post(self, url, token, **data):
        data["csrf_token"] = http.Request.csrf_token(self)
        if token:
            data["access_token"] = token
        return self.url_open(url, data=data)

    # The routes ----------------------------------------------------------

    def _job_calls(self, token):
        job, line = self.job_a, self.line_brakes
        return [
            self._get(f"/my/jobs/{job.id}", token),
            self._get(f"/my/jobs/{job.id}/photos/{self.photo_a.id}", token),
            self._post(
                f"/my/jobs/{job.id}/lines/{line.id}/decision",
                token,
                decision="approved",
                confirmed="1",
            ),
        ]

    def _chat_calls(self, token):
        url = f"/chat/rate/{self.chat_a.id}"
        return [self._get(url, token), self._post(url, token, rating="1")]

    def _ticket_calls(self, token):
        url = f"/my/tickets/{self.ticket_a.id}"
        return [self._get(url, token), self._post(f"{url}/rate", token, rating="1")]

    def _booking_calls(self, token):
        return [self._get(f"/my/bookings/{self.booking_a.id}", token)]

    def assertAllNotFound(self, calls, record, other):
        for who, token in self._strangers(record, other):
            with self.subTest(visitor=who, token=token):
                self._visit_as(who)
                for response in calls(token):
                    self.assertEqual(response.status_code, 404, response.url)
                    self.assertNotIn(record.name, response.text)

    def assertRefused(self, english, indonesian, user, *calls):
        """Each call, given ``user``'s environment, fails in both languages."""
        with self.assertRaisesBilingual(UserError, english, indonesian) as run:
            for call in calls:
                run(lambda env, call=call: call(env(user=user)))


@tagged("post_install", "-at_install")
class TestCustomerRoutesSecurity(CustomerRoutesCase):
    @mute_logger("odoo.http", "werkzeug")
    def test_st2_job_pages_and_decisions_only_for_its_customer(self):
        """ST-2 / security: staff of every role without the token, another
        customer's portal user and strangers (no, wrong or another job's
        token) get 404 on the job page, its photo and the decision post, and
        the line stays proposed with no chatter entry; the token holder and
        the portal customer decide."""
        messages = self.job_a.message_ids
        self.assertAllNotFound(self._job_calls, self.job_a, self.job_b)
        self.line_brakes.invalidate_recordset()
        self.assertEqual(self.line_brakes.approval_state, "proposed")
        self.assertFalse(self.line_brakes.decision_date)
        self.assertEqual(self.job_a.message_ids, messages)

        self._visit_as("public")
        page, photo, decision = self._job_calls(self.token_a)
        self.assertEqual((page.status_code, photo.status_code), (200, 200))
        self.assertEqual(decision.status_code, 200)
        self.line_brakes.invalidate_recordset()
        self.assertEqual(
            (self.line_brakes.approval_state, self.line_brakes.approval_method),
            ("approved", "portal"),
        )
        self._visit_as("portal_a")
        response = self._post(
            f"/my/jobs/{self.job_a.id}/lines/{self.line_flush.id}/decision",
            None,
            decision="refused",
            confirmed="1",
        )
        self.assertEqual(response.status_code, 200)
        self.line_flush.invalidate_recordset()
        self.assertEqual(
            (self.line_flush.approval_state, self.line_flush.approval_method),
            ("refused", "portal"),
        )
        self.assertFalse(self.line_flush.recorded_by_id)

    @mute_logger("odoo.http", "werkzeug")
    def test_cs8_chat_rating_only_for_its_customer(self):
        """CS-8 / security: nobody but the conversation's customer opens
        or rates it (404, no rating, no chatter entry); the token holder
        and the portal customer (without the token) rate it."""
        messages = self.chat_a.message_ids
        self.assertAllNotFound(self._chat_calls, self.chat_a, self.chat_b)
        self.chat_a.invalidate_recordset()
        self.assertFalse(self.chat_a.rating)
        self.assertEqual(self.chat_a.message_ids, messages)

        self._visit_as("portal_a")
        page, rated = self._chat_calls(None)
        self.assertEqual((page.status_code, rated.status_code), (200, 200))
        self.assertIn('name="rating"', page.text)
        self.assertNotIn("access_token", rated.url)
        self.chat_a.invalidate_recordset()
        self.assertEqual(self.chat_a.rating, 1)

        self._visit_as("public")
        url = f"/chat/rate/{self.chat_b.id}"
        rated = self._post(url, self.tokens[self.chat_b], rating="4")
        self.assertEqual(rated.status_code, 200)
        self.chat_b.invalidate_recordset()
        self.assertEqual(self.chat_b.rating, 4)

    @mute_logger("odoo.http", "werkzeug")
    def test_as5_ticket_page_and_rating_only_for_its_customer(self):
        """AS-5 / security: nobody but the ticket's customer opens or rates
        it (404, no rating, no chatter entry); the token holder and the
        portal customer rate it."""
        messages = self.ticket_a.message_ids
        self.assertAllNotFound(self._ticket_calls, self.ticket_a, self.ticket_b)
        self.ticket_a.invalidate_recordset()
        self.assertFalse(self.ticket_a.rating)
        self.assertEqual(self.ticket_a.message_ids, messages)

        self._visit_as("portal_a")
        page, rated = self._ticket_calls(None)
        self.assertEqual((page.status_code, rated.status_code), (200, 200))
        self.ticket_a.invalidate_recordset()
        self.assertEqual(self.ticket_a.rating, "1")

        self._visit_as("public")
        url = f"/my/tickets/{self.ticket_b.id}"
        rated = self._post(f"{url}/rate", self.tokens[self.ticket_b], rating="5")
        self.assertEqual(rated.status_code, 200)
        self.ticket_b.invalidate_recordset()
        self.assertEqual(self.ticket_b.rating, "5")

    def _rating_rows(self, record, env=None):
        return (env or self.env)["rating.rating"].search(
            [("res_model", "=", record._name), ("res_id", "=", record.id)]
        )

    @mute_logger("odoo.http", "werkzeug")
    def test_cs8_as5_token_page_rating_is_odoo_rating_row(self):
        """CS-8 / AS-5: the rating the customer gives on the token page is
        one rating.rating row of the record, on the 1-5 scale as chosen,
        with the comment, the customer, the rated officer and the branch,
        no token for Odoo's /rate pages; the record's statistics count it
        and the chatter notes it. A second rating is refused and changes
        nothing."""
        self._visit_as("public")
        url = f"/chat/rate/{self.chat_b.id}"
        token = self.tokens[self.chat_b]
        self._post(url, token, rating="2", comment="Lama dibalas")
        ticket_url = f"/my/tickets/{self.ticket_b.id}/rate"
        self._post(ticket_url, self.tokens[self.ticket_b], rating="4")
        for record, value, comment in (
            (self.chat_b, 2, "Lama dibalas"),
            (self.ticket_b, 4, False),
        ):
            with self.subTest(record=record._name):
                row = self._rating_rows(record)
                self.assertEqual(
                    (
                        row.rating,
                        row.feedback,
                        row.partner_id,
                        row.rated_partner_id,
                        row.parent_res_model,
                        row.parent_res_id,
                        row.consumed,
                        row.access_token,
                    ),
                    (
                        value,
                        comment,
                        self.customer_b,
                        record.user_id.partner_id,
                        "res.company",
                        self.branch.id,
                        True,
                        False,
                    ),
                )
                record.invalidate_recordset()
                self.assertEqual(
                    (record.rating_count, record.rating_avg, record.rated_date),
                    (1, value, row.create_date),
                )
                self.assertIn(f"{value}/5", record.message_ids[0].body)
        messages = self.chat_b.message_ids
        refused = self._post(url, token, rating="5")
        self.assertIn("error=refused", refused.url)
        self.chat_b.invalidate_recordset()
        self.assertEqual((self.chat_b.rating, self.chat_b.message_ids), (2, messages))
        self.assertEqual(len(self._rating_rows(self.chat_b)), 1)
        # Odoo's own rating pages know no token of these rows.
        page = self._post("/rate/False/submit_feedback", None, rate="5")
        self.assertEqual(page.status_code, 404)

    @mute_logger("odoo.http", "werkzeug")
    def test_cs8_as5_no_rating_by_a_chatter_message(self):
        """CS-8 / AS-5 / security: a chatter message never carries a rating
        (Odoo's portal_rating lets one): no role posts one by XML-RPC
        (refused in both languages), and the token holder's portal chatter
        drops it; no rating row is made."""
        for role in ("cs", "supervisor", "manager", "sopadmin"):
            with self.subTest(role=role):
                self.assertRefused(
                    "A message cannot carry a rating",
                    "Pesan tidak dapat membawa penilaian",
                    self.users[role],
                    lambda env: self.chat_a.with_env(env).message_post(
                        body="Bagus", rating_value=5
                    ),
                    lambda env: self.ticket_a.with_env(env).message_post(
                        body="Bagus", rating_value=5
                    ),
                )
        self._visit_as("public")
        self.make_jsonrpc_request(
            "/mail/message/post",
            {
                "thread_model": "gema.ticket",
                "thread_id": self.ticket_a.id,
                "post_data": {"body": "Bagus sekali", "rating_value": 5},
                "token": self.tokens[self.ticket_a],
            },
        )
        self.assertIn("Bagus sekali", self.ticket_a.message_ids[0].body)
        self.assertFalse(
            self._rating_rows(self.chat_a) | self._rating_rows(self.ticket_a)
        )
        self.assertFalse(self.ticket_a.rating)

    def test_cs8_as5_rating_rows_for_the_desk_of_the_branch_only(self):
        """CS-8 / AS-5 / security: the rating rows are read by the chat
        desk (CS officers, supervisors, managers, SOP administrators) of
        the branch, not by technicians, logistics or service advisors, nor
        by another branch's officer; no role, the administrator included,
        creates, changes, resets or deletes one. The Customer Ratings menu
        is for supervisors and above."""
        # sudo: as the customers' rating pages record them.
        self.chat_a.sudo()._rate(5, "Cepat")
        self.ticket_a.sudo()._rate(3, "")
        rows = self._rating_rows(self.chat_a) | self._rating_rows(self.ticket_a)
        self.assertEqual(len(rows), 2)
        # The domain of Customer Ratings (SOP Compliance), read as a role.
        gema = literal_eval(self.env.ref("gema_sop.rating_rating_action_gema").domain)
        other_branch = self.env["res.company"].create({"name": "Test Branch Binjai"})
        stranger = new_test_user(
            self.env,
            login="test_cs_binjai",
            groups="gema_sop.group_cs_officer",
            company_id=other_branch.id,
            company_ids=[Command.set(other_branch.ids)],
        )
        readers = {"cs", "supervisor", "manager", "sopadmin"}
        roles = [(role, self.users[role]) for role in ROLE_GROUPS]
        for role, user in (*roles, ("cs_binjai", stranger)):
            with self.subTest(role=role):
                Rating = self.env["rating.rating"].with_user(user)
                self.assertEqual(
                    Rating.search(gema), rows if role in readers else Rating
                )
                if role in readers:
                    self.assertEqual(self.chat_a.with_user(user).rating_avg, 5)
        # The Customer Ratings menu is the supervisors' (and above), like
        # the other analyses.
        menu = self.env.ref("gema_sop.rating_rating_menu_gema")
        for role in ROLE_GROUPS:
            with self.subTest(menu=role):
                visible = self.env["ir.ui.menu"].with_user(self.users[role])
                self.assertEqual(
                    menu.id in visible._visible_menu_ids(),
                    role in ("supervisor", "manager", "sopadmin"),
                )
        for role in (*ROLE_GROUPS, "admin"):
            with self.subTest(role=role):
                env = self.env(user=self.users[role])
                for call in (
                    lambda env: env["rating.rating"].create(
                        {
                            "res_model_id": env["ir.model"]._get_id(
                                "gema.conversation"
                            ),
                            "res_id": self.chat_b.id,
                            "rating": 5,
                            "consumed": True,
                        }
                    ),
                    lambda env: rows.with_env(env).write({"rating": 1}),
                    lambda env: rows.with_env(env).reset(),
                    lambda env: rows.with_env(env).unlink(),
                ):
                    with self.assertRaises(AccessError):
                        call(env)
        self.assertFalse(self._rating_rows(self.chat_b))
        self.assertEqual(sorted(rows.mapped("rating")), [3.0, 5.0])

    @mute_logger("odoo.http", "werkzeug")
    def test_bk5_booking_page_only_for_its_customer(self):
        """BK-5 / G-5 / security: nobody but the booking's customer opens
        its page (404); staff find no customer's booking in the portal list
        either; the token holder and the portal customer open it."""
        self.assertAllNotFound(self._booking_calls, self.booking_a, self.booking_b)
        for role in ("advisor", "manager"):
            with self.subTest(role=role):
                self._visit_as(role)
                listing = self.url_open("/my/bookings")
                self.assertEqual(listing.status_code, 200)
                self.assertNotIn(self.booking_a.name, listing.text)
                counters = self.make_jsonrpc_request(
                    "/my/counters",
                    {"counters": ["gema_booking_count", "gema_job_count"]},
                )
                self.assertEqual(
                    counters, {"gema_booking_count": 0, "gema_job_count": 0}
                )

        self._visit_as("public")
        [page] = self._booking_calls(self.tokens[self.booking_a])
        self.assertEqual(page.status_code, 200)
        self.assertIn(self.booking_a.name, page.text)
        self._visit_as("portal_a")
        [page] = self._booking_calls(None)
        self.assertEqual(page.status_code, 200)
        listing = self.url_open("/my/bookings").text
        self.assertIn(self.booking_a.name, listing)
        self.assertNotIn(self.booking_b.name, listing)

    @mute_logger("odoo.http", "werkzeug")
    def test_as1_ticket_list_only_the_customers_own(self):
        """AS-1 / G-5 / security: /my/tickets lists the logged-in customer's
        own tickets and counts them on the portal home; another customer's
        ticket is neither listed nor opened (404); staff find no customer's
        ticket there; a stranger is sent to the login."""
        for who, mine, theirs in (
            ("portal_a", self.ticket_a, self.ticket_b),
            ("portal_b", self.ticket_b, self.ticket_a),
        ):
            with self.subTest(visitor=who):
                self._visit_as(who)
                listing = self.url_open("/my/tickets")
                self.assertEqual(listing.status_code, 200)
                self.assertIn(mine.name, listing.text)
                self.assertIn(f"/my/tickets/{mine.id}", listing.text)
                self.assertNotIn(theirs.name, listing.text)
                self.assertEqual(self.url_open(mine.access_url).status_code, 200)
                self.assertEqual(self.url_open(theirs.access_url).status_code, 404)
                counters = self.make_jsonrpc_request(
                    "/my/counters", {"counters": ["gema_ticket_count"]}
                )
                self.assertEqual(counters, {"gema_ticket_count": 1})
        for role in STAFF:
            with self.subTest(visitor=role):
                self._visit_as(role)
                listing = self.url_open("/my/tickets")
                self.assertEqual(listing.status_code, 200)
                self.assertNotIn(self.ticket_a.name, listing.text)
                self.assertNotIn(self.ticket_b.name, listing.text)
                counters = self.make_jsonrpc_request(
                    "/my/counters", {"counters": ["gema_ticket_count"]}
                )
                self.assertEqual(counters, {"gema_ticket_count": 0})
        self._visit_as("public")
        listing = self.url_open("/my/tickets")
        self.assertIn("/web/login", listing.url)
        self.assertNotIn(self.ticket_a.name, listing.text)
        self.assertEqual(self.url_open("/my/tickets/page/abc").status_code, 404)

    @mute_logger("odoo.http", "werkzeug")
    def test_st2_cs8_as5_staff_with_the_token_only_preview(self):
        """ST-2 / CS-8 / AS-5 / security: a staff member who opens the
        customer's link sees the page as the customer does, marked as a
        preview and without any form; a decision or rating posted with the
        token is refused (404) and changes nothing."""
        for role in ("advisor", "cs", "manager"):
            with self.subTest(role=role):
                self._visit_as(role)
                for calls, record in (
                    (self._job_calls, self.job_a),
                    (self._chat_calls, self.chat_a),
                    (self._ticket_calls, self.ticket_a),
                    (self._booking_calls, self.booking_a),
                ):
                    page, *others = calls(self.tokens[record])
                    self.assertEqual(page.status_code, 200, page.url)
                    self.assertIn(PREVIEW, page.text)
                    self.assertFalse(CSRF_RE.findall(page.text), "no form")
                    for response in others:
                        posted = response.request.method == "POST"
                        self.assertEqual(
                            response.status_code, 404 if posted else 200, response.url
                        )
        self.line_brakes.invalidate_recordset()
        self.assertEqual(self.line_brakes.approval_state, "proposed")
        self.env.invalidate_all()
        self.assertFalse(self.chat_a.rating)
        self.assertFalse(self.ticket_a.rating)
        # The customer's own page shows no preview notice.
        self._visit_as("public")
        page = self._get(f"/my/jobs/{self.job_a.id}", self.token_a)
        self.assertNotIn(PREVIEW, page.text)


@tagged("post_install", "-at_install")
class TestCustomerDecisionsInTheBackend(CustomerRoutesCase):
    """What a backend user (form, import, XML-RPC) can do about a
    customer's decision: record what the customer said, as themselves."""

    def test_st2_no_backend_call_records_a_customer_link_decision(self):
        """ST-2 / security: an advisor (or manager, SOP administrator) cannot
        choose "Customer link", record a decision with it, write the
        decision fields or create a decided line; the refusal is clear in
        both languages and the line stays proposed."""
        line = self.line_brakes
        for role in ("advisor", "manager", "sopadmin"):
            with self.subTest(role=role):
                self.assertRefused(
                    "Only the customer decides by the customer link",
                    "Hanya pelanggan yang dapat memberikan keputusan",
                    self.users[role],
                    lambda env: line.with_env(env).write({"approval_method": "portal"}),
                    lambda env: line.with_env(env)._record_decision(
                        "approved", "portal"
                    ),
                )
                self.assertRefused(
                    "hold the customer's own decision",
                    "merupakan keputusan pelanggan sendiri",
                    self.users[role],
                    lambda env: line.with_env(env).write(
                        {"approval_state": "approved", "decided_by_name": "Siti"}
                    ),
                    lambda env: env["gema.service.job.line"].create(
                        {
                            "job_id": self.job_a.id,
                            "name": "Wiper blades",
                            "approval_state": "approved",
                        }
                    ),
                )
        # Even a line whose method says "Customer link" is not recorded
        # through the backend button.
        line.approval_method = "portal"
        self.assertRefused(
            "Only the customer decides by the customer link",
            "Hanya pelanggan yang dapat memberikan keputusan",
            self.users["advisor"],
            lambda env: line.with_env(env).action_approve(),
        )
        line.invalidate_recordset()
        self.assertEqual(line.approval_state, "proposed")
        self.assertFalse(line.decision_date)

    def test_st2_st8_staff_record_a_spoken_decision_as_theirs(self):
        """ST-2 / ST-8 / security: a WhatsApp decision is recorded by the
        service advisor with channel and evidence, stored as theirs (who
        recorded it, the chatter entry's author); a technician cannot record
        one; once decided, the work, price and record stay as they are."""
        line = self.line_brakes
        # The technician works on this job: they may read and write its lines.
        self.job_a.technician_ids = [Command.link(self.employees["technician"].id)]
        advisor = self.users["advisor"]
        # The advisor uploads the screenshot of the customer's message.
        evidence = (
            self.env["ir.attachment"]
            .with_user(advisor)
            .create({"name": "chat.png", "datas": base64.b64encode(b"chat screenshot")})
        )
        line.write(
            {"approval_method": "whatsapp", "evidence_ids": [Command.set(evidence.ids)]}
        )
        self.assertRefused(
            "Only service advisors and CS officers",
            "Hanya service advisor dan petugas CS",
            self.users["technician"],
            lambda env: line.with_env(env).action_approve(),
        )
        self.assertEqual(line.approval_state, "proposed")

        line.with_user(advisor).write({"approval_note": "Setuju lewat WhatsApp"})
        line.with_user(advisor).action_approve()
        self.assertEqual(
            (line.approval_state, line.approval_method, line.recorded_by_id),
            ("approved", "whatsapp", advisor),
        )
        log = self.job_a.message_ids[0]
        self.assertEqual(log.author_id, advisor.partner_id)
        self.assertIn(f"recorded by {advisor.name}", log.body)
        self.assertRefused(
            "can no longer change",
            "tidak dapat diubah lagi",
            advisor,
            *(
                lambda env, values=values: line.with_env(env).write(values)
                for values in (
                    {"price": 1},
                    {"approval_method": "phone"},
                    {"approval_note": "changed"},
                    {"evidence_ids": [Command.clear()]},
                )
            ),
        )
        self.assertEqual(line.price, 450000)

    def test_cs8_as5_no_staff_path_writes_a_rating(self):
        """CS-8 / AS-5 / security: ratings are the customer's only: no role
        writes or creates a rating, a rating comment or its date on a
        conversation or a ticket; refused in both languages."""
        new = {"partner_id": self.customer_a.id, "company_id": self.branch.id}
        for role in ("cs", "supervisor", "manager", "sopadmin"):
            with self.subTest(role=role):
                self.assertRefused(
                    "hold the customer's own decision",
                    "merupakan keputusan pelanggan sendiri",
                    self.users[role],
                    lambda env: self.chat_a.with_env(env).write({"rating": 5}),
                    lambda env: self.chat_a.with_env(env).write(
                        {"rating_comment": "Bagus", "rated_date": "2026-11-23"}
                    ),
                    lambda env: env["gema.conversation"].create(dict(new, rating=5)),
                    lambda env: self.ticket_a.with_env(env).write({"rating": "5"}),
                    lambda env: self.ticket_a.with_env(env).write(
                        {"rating_comment": "Bagus"}
                    ),
                    lambda env: env["gema.ticket"].create(
                        dict(
                            new, product_name="Aki", chronology="Aki soak.", rating="5"
                        )
                    ),
                )
        self.env.invalidate_all()
        self.assertFalse(self.chat_a.rating)
        self.assertFalse(self.ticket_a.rating)
