"""The customer's status page of a service job and its extra-work approval,
through real HTTP requests and a real browser (ST-2, ST-4, G-5).

Every page is fetched the way a customer's phone would: by the token link
in the message they received, or logged in to the portal.
"""

import base64
import re
from datetime import timedelta

from odoo import Command, fields
from odoo.tests import HttpCase, new_test_user, tagged

from .common import GemaSopCase

# A 2x2 red PNG: a real image for the photo routes.
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAFklEQVR4nGP8z8DAwMDAxMDA"
    "wMDAAAANHQEDasKb6QAAAABJRU5ErkJggg=="
)
CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


class ServiceJobPortalCase(GemaSopCase, HttpCase):
    """Two customers' jobs in the test branch, with extra work and photos."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # The visitors read English here (see test_g3_page_in_the_visitors_language).
        cls.env["res.lang"]._activate_lang("en_US")
        cls.branch.write(
            {"phone": "+62 61 4567 890", "gema_whatsapp_number": "+6281170001234"}
        )
        cls.customer_a = cls.env["res.partner"].create(
            {
                "name": "Siti Rahmawati",
                "mobile": "+6281211112222",
                "email": "siti@example.com",
            }
        )
        cls.customer_b = cls.env["res.partner"].create(
            {
                "name": "Andi Wijaya",
                "mobile": "+6281333334444",
                "email": "andi@example.com",
            }
        )
        cls.technician = cls.env["hr.employee"].create(
            {
                "name": "Budi Santoso",
                "company_id": cls.branch.id,
                "mobile_phone": "+6281255556666",
            }
        )
        cls.job_a = cls._make_job(
            cls.customer_a,
            "BK 1234 ABC",
            [("Replace brake pads", 450000), ("Engine flush", 150000)],
        )
        cls.job_b = cls._make_job(
            cls.customer_b, "BK 9876 XYZ", [("Replace timing belt", 900000)]
        )
        cls.line_brakes, cls.line_flush = cls.job_a.line_ids.sorted("id")
        cls.line_b = cls.job_b.line_ids
        cls.photo_a = cls._make_photo(cls.job_a, "front-a.png")
        cls.photo_b = cls._make_photo(cls.job_b, "front-b.png")
        cls.job_a.message_post(
            body="INTERNAL: customer haggles, keep margin", subtype_xmlid="mail.mt_note"
        )
        cls.token_a = cls.job_a._portal_ensure_token()
        cls.token_b = cls.job_b._portal_ensure_token()

    @classmethod
    def _make_job(cls, partner, plate, works):
        vehicle = cls.env["gema.vehicle"]._find_or_create(
            plate, "Toyota Avanza", partner, cls.branch
        )
        promised = fields.Datetime.now().replace(microsecond=0) + timedelta(days=1)
        job = (
            cls.env["gema.service.job"]
            .with_company(cls.branch)
            .create(
                {
                    "partner_id": partner.id,
                    "vehicle_id": vehicle.id,
                    "company_id": cls.branch.id,
                    "user_id": cls.users["advisor"].id,
                    "technician_ids": [Command.set(cls.technician.ids)],
                    "complaint": "Squeaking brakes",
                    "diagnosis": "The brake pads are worn out.",
                    "estimated_cost": 1250000,
                    "technician_confirmed_date": promised,
                    "technician_confirmed_by": cls.technician.id,
                    "promised_date": promised,
                    "line_ids": [
                        Command.create({"name": name, "price": price})
                        for name, price in works
                    ],
                }
            )
        )
        # The service advisor's real steps: inspection, then the approval
        # request (it sends the link and opens the lines for 48 hours).
        job.action_inspect()
        job.with_context(gema_channel="whatsapp_link").action_request_approval()
        return job

    @classmethod
    def _make_photo(cls, job, name):
        photo = cls.env["ir.attachment"].create(
            {
                "name": name,
                "raw": PNG,
                "mimetype": "image/png",
                "res_model": job._name,
                "res_id": job.id,
            }
        )
        job.photo_ids = [Command.link(photo.id)]
        return photo

    # ------------------------------------------------------------------
    # helpers
    # ------------------------------------------------------------------

    def _page(self, job, token, expected=200):
        url = f"/my/jobs/{job.id}" + (f"?access_token={token}" if token else "")
        response = self.url_open(url)
        self.assertEqual(response.status_code, expected, url)
        return response

    def _decide(self, job, line, decision, token, note=None, csrf=True, confirmed=True):
        """Post the decision form of ``line`` as the page of ``job`` would:
        with ``confirmed``, the answer to the page's "are you sure"."""
        data = {"decision": decision}
        if confirmed:
            data["confirmed"] = "1"
        if token:
            data["access_token"] = token
        if note:
            data["note"] = note
        if csrf:
            page = self._page(job, token)
            data["csrf_token"] = CSRF_RE.search(page.text).group(1)
        return self.url_open(f"/my/jobs/{job.id}/lines/{line.id}/decision", data=data)

    def _notice(self, html):
        match = re.search(r'id="gema_job_notice"[^>]*>(.*?)</div>', html, re.S)
        return match and match.group(1).strip()


@tagged("post_install", "-at_install")
class TestServiceJobPortal(ServiceJobPortalCase):
    """Token links, portal login and extra-work decisions over HTTP."""

    # ------------------------------------------------------------------
    # status page (ST-4, G-5)
    # ------------------------------------------------------------------

    def test_st4_status_page_by_token_shows_what_the_customer_needs(self):
        """ST-4/ST-1: the token link shows job number, plate, state in
        customer words, estimate, cost, extra work with prices, the
        technician's first name and the vehicle photos."""
        html = self._page(self.job_a, self.token_a).text
        self.assertIn(self.job_a.name, html)
        self.assertIn("BK 1234 ABC", html)
        self.assertIn('data-state="waiting_approval"', html)
        self.assertIn("Waiting for your approval", html)
        self.assertIn("Replace brake pads", html)
        self.assertIn("Engine flush", html)
        self.assertIn("The brake pads are worn out.", html)
        self.assertIn("Budi", html)
        self.assertIn(
            f"/my/jobs/{self.job_a.id}/photos/{self.photo_a.id}?access_token={self.token_a}",
            html,
        )
        self.assertEqual(len(CSRF_RE.findall(html)), 2, "one decision form per line")
        self.assertNotIn("gema_job_ready", html)

    def test_st4_ready_job_shows_completion_message(self):
        """ST-4: when the vehicle is ready the page says so, with where to
        collect it; no decision forms remain on a finished job."""
        self.line_brakes._record_decision("approved", "portal")
        self.line_flush._record_decision("refused", "portal")
        job = self.job_a.with_context(gema_channel="whatsapp_link")
        job.action_start()
        self.line_brakes.action_start_work()
        self.line_brakes.action_done_work()
        job.action_finish()
        job.action_qc_pass()
        # 2026-11-24 09:00 UTC is 16:00 in Medan (WIB).
        job.pickup_date = "2026-11-24 09:00:00"
        job.action_ready()
        html = self._page(self.job_a, self.token_a).text
        self.assertIn('data-state="ready"', html)
        self.assertIn('id="gema_job_ready"', html)
        self.assertIn("Your vehicle is ready for pickup", html)
        self.assertIn("Test Branch Medan", html)
        pickup = re.search(r'id="gema_job_pickup"[^>]*>([^<]*)<', html).group(1)
        self.assertIn("16:00", pickup)
        self.assertIn("11/24/2026", pickup)
        self.assertFalse(CSRF_RE.findall(html), "no decision form")

    def test_g5_page_hides_internal_notes_staff_and_other_customers(self):
        """G-5: no internal note, no technician surname or phone, no phone
        or name of any customer (not even the visitor's own), nothing of
        another job."""
        html = self._page(self.job_a, self.token_a).text
        for secret in (
            "INTERNAL: customer haggles",
            "Santoso",
            "+6281255556666",
            "Siti Rahmawati",
            "+6281211112222",
            "81211112222",
            "siti@example.com",
            "Andi Wijaya",
            "81333334444",
            "BK 9876 XYZ",
            "Replace timing belt",
            self.token_b,
            self.users["advisor"].login,
        ):
            self.assertNotIn(secret, html)

    def test_g3_page_in_the_visitors_language(self):
        """G-3: the page follows the visitor's language like every Odoo
        page (an Indonesian phone gets Indonesian; the language selector
        switches it)."""
        url = f"/my/jobs/{self.job_a.id}?access_token={self.token_a}"
        english = self.url_open(url, headers={"Accept-Language": "en-US"})
        self.assertIn("Skip to Content", english.text)
        self.opener.cookies.clear()
        indonesian = self.url_open(url, headers={"Accept-Language": "id-ID"})
        self.assertEqual(indonesian.status_code, 200)
        self.assertIn("Skip ke Konten", indonesian.text)
        self.assertIn(self.job_a.name, indonesian.text)

    def test_g5_token_isolation_of_the_status_page(self):
        """G-5/ST-2: no token, a wrong token, or the token of another job
        never opens a job (404, so the job's existence is not told)."""
        self._page(self.job_a, None, expected=404)
        self._page(self.job_a, "not-a-token", expected=404)
        self._page(self.job_a, self.token_b, expected=404)
        self._page(self.job_b, self.token_a, expected=404)
        self._page(self.job_b, self.token_b)
        # A job without a token yet is not opened by an empty token either.
        self.job_b.access_token = False
        self.assertEqual(
            self.url_open(f"/my/jobs/{self.job_b.id}?access_token=").status_code, 404
        )
        # The list of jobs needs a login.
        response = self.url_open("/my/jobs")
        self.assertIn("/web/login", response.url)
        self.assertNotIn(self.job_a.name, response.text)

    def test_g5_photos_only_for_the_token_holder(self):
        """ST-4/G-5: a vehicle photo is served to the job's token holder,
        never without the token, with another job's token, or under
        another job."""
        url_a = f"/my/jobs/{self.job_a.id}/photos/{self.photo_a.id}"
        response = self.url_open(f"{url_a}?access_token={self.token_a}")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.headers["Content-Type"], "image/png")
        self.assertEqual(self.url_open(url_a).status_code, 404)
        self.assertEqual(
            self.url_open(f"{url_a}?access_token={self.token_b}").status_code, 404
        )
        foreign = f"/my/jobs/{self.job_a.id}/photos/{self.photo_b.id}"
        self.assertEqual(
            self.url_open(f"{foreign}?access_token={self.token_a}").status_code, 404
        )
        # A non-photo attachment of the job is not served either.
        other = self.env["ir.attachment"].create(
            {
                "name": "invoice-draft.png",
                "raw": PNG,
                "res_model": self.job_a._name,
                "res_id": self.job_a.id,
            }
        )
        self.assertEqual(
            self.url_open(
                f"/my/jobs/{self.job_a.id}/photos/{other.id}?access_token={self.token_a}"
            ).status_code,
            404,
        )

    # ------------------------------------------------------------------
    # extra-work decisions (ST-2)
    # ------------------------------------------------------------------

    def test_st2_approve_by_token_records_who_when_how(self):
        """ST-2: approving on the page records the decision (portal, date,
        note), shows it on the page and in the job's chatter."""
        before = fields.Datetime.now().replace(microsecond=0)
        response = self._decide(
            self.job_a, self.line_brakes, "approved", self.token_a, note="Go ahead"
        )
        self.assertEqual(response.status_code, 200)
        self.assertIn(f"/my/jobs/{self.job_a.id}?access_token=", response.url)
        self.line_brakes.invalidate_recordset()
        self.assertEqual(self.line_brakes.approval_state, "approved")
        self.assertEqual(self.line_brakes.approval_method, "portal")
        self.assertGreaterEqual(self.line_brakes.decision_date, before)
        self.assertEqual(self.line_brakes.approval_note, "Go ahead")
        self.assertEqual(self.line_flush.approval_state, "proposed")
        notice = self._notice(response.text)
        self.assertIn("approval", notice)
        self.assertIn("Replace brake pads", notice)
        self.assertIn('data-approval-state="approved"', response.text)
        decision_log = self.job_a.message_ids.filtered(
            lambda message: "Replace brake pads" in message.body
        )
        self.assertTrue(decision_log, "the decision is in the job's chatter")
        self.assertIn("Siti Rahmawati", decision_log[0].body, "who decided")
        # The notice is shown once.
        self.assertIsNone(self._notice(self._page(self.job_a, self.token_a).text))

    def test_st2_approving_twice_is_refused_clearly(self):
        """ST-2: a second decision on a decided line changes nothing and
        tells the customer it was already decided."""
        self._decide(self.job_a, self.line_brakes, "approved", self.token_a)
        self.line_brakes.invalidate_recordset()
        decided = self.line_brakes.decision_date
        response = self._decide(self.job_a, self.line_brakes, "refused", self.token_a)
        self.assertEqual(response.status_code, 200)
        self.assertIn("alert-danger", response.text)
        self.assertIn("already decided", self._notice(response.text))
        self.line_brakes.invalidate_recordset()
        self.assertEqual(self.line_brakes.approval_state, "approved")
        self.assertEqual(self.line_brakes.decision_date, decided)

    def test_st2_foreign_line_with_this_jobs_token_is_404(self):
        """ST-2: a line of job B posted under job A with A's token is not
        found and stays undecided; B's own URL with A's token too."""
        response = self._decide(self.job_a, self.line_b, "approved", self.token_a)
        self.assertEqual(response.status_code, 404)
        page = self._page(self.job_a, self.token_a)
        response = self.url_open(
            f"/my/jobs/{self.job_b.id}/lines/{self.line_b.id}/decision",
            data={
                "decision": "approved",
                "access_token": self.token_a,
                "csrf_token": CSRF_RE.search(page.text).group(1),
            },
        )
        self.assertEqual(response.status_code, 404)
        self.line_b.invalidate_recordset()
        self.assertEqual(self.line_b.approval_state, "proposed")
        self.assertFalse(self.line_b.decision_date)

    def test_st2_decision_needs_the_token_and_a_valid_decision(self):
        """ST-2: without the job's token, or with an unknown decision, the
        post is refused and nothing changes."""
        page = self._page(self.job_a, self.token_a)
        csrf = CSRF_RE.search(page.text).group(1)
        url = f"/my/jobs/{self.job_a.id}/lines/{self.line_brakes.id}/decision"
        for data in (
            {"decision": "approved"},
            {"decision": "approved", "access_token": self.token_b},
            {"decision": "maybe", "access_token": self.token_a},
        ):
            with self.subTest(data=data):
                response = self.url_open(url, data=dict(data, csrf_token=csrf))
                self.assertEqual(response.status_code, 404)
        self.line_brakes.invalidate_recordset()
        self.assertEqual(self.line_brakes.approval_state, "proposed")

    def test_st2_missing_csrf_token_is_refused(self):
        """ST-2: a decision posted without the page's CSRF token (from
        another site) is refused and changes nothing."""
        response = self._decide(
            self.job_a, self.line_brakes, "approved", self.token_a, csrf=False
        )
        self.assertEqual(response.status_code, 400)
        self.line_brakes.invalidate_recordset()
        self.assertEqual(self.line_brakes.approval_state, "proposed")

    def test_st2_expired_link_cannot_decide(self):
        """ST-2: once the approval time passed, the page says so instead of
        offering buttons, and a late post is refused clearly."""
        self.line_flush.approval_expires = fields.Datetime.now() - timedelta(hours=1)
        page = self._page(self.job_a, self.token_a).text
        self.assertIn("Approval link expired", page)
        self.assertEqual(len(CSRF_RE.findall(page)), 1, "only the brakes form")
        response = self._decide(self.job_a, self.line_flush, "approved", self.token_a)
        self.assertIn("alert-danger", response.text)
        self.assertIn("expired", self._notice(response.text))
        self.line_flush.invalidate_recordset()
        self.assertEqual(self.line_flush.approval_state, "proposed")

    def test_st2_unsent_extra_work_is_not_shown_nor_decidable(self):
        """ST-2: extra work the service advisor has not sent for approval
        yet is not on the page, and a post for it changes nothing."""
        draft = self.env["gema.service.job.line"].create(
            {"job_id": self.job_a.id, "name": "Replace wiper blades", "price": 90000}
        )
        self.assertNotIn(
            "Replace wiper blades", self._page(self.job_a, self.token_a).text
        )
        response = self._decide(self.job_a, draft, "approved", self.token_a)
        self.assertIn("alert-danger", response.text)
        draft.invalidate_recordset()
        self.assertEqual(draft.approval_state, "proposed")

    def test_st2_closed_job_cannot_decide(self):
        """ST-2: on a cancelled job no decision is offered or accepted."""
        page = self._page(self.job_a, self.token_a)
        csrf = CSRF_RE.search(page.text).group(1)
        self.job_a.state = "cancelled"
        self.assertFalse(CSRF_RE.findall(self._page(self.job_a, self.token_a).text))
        response = self.url_open(
            f"/my/jobs/{self.job_a.id}/lines/{self.line_brakes.id}/decision",
            data={
                "decision": "approved",
                "access_token": self.token_a,
                "csrf_token": csrf,
            },
        )
        self.assertIn("alert-danger", response.text)
        self.assertIn("closed", self._notice(response.text))
        self.line_brakes.invalidate_recordset()
        self.assertEqual(self.line_brakes.approval_state, "proposed")

    # ------------------------------------------------------------------
    # portal login (G-5)
    # ------------------------------------------------------------------

    def test_g5_portal_user_sees_only_own_jobs(self):
        """G-5: a customer logged in to the portal lists and opens their
        own jobs without a token, and never another customer's."""
        portal_user = new_test_user(
            self.env,
            login="siti_portal",
            password="siti_portal_pw",
            groups="base.group_portal",
            partner_id=self.customer_a.id,
            company_id=self.branch.id,
            company_ids=[Command.set(self.branch.ids)],
        )
        self.assertEqual(
            self.env["gema.service.job"].with_user(portal_user).search([]),
            self.job_a,
        )
        self.authenticate("siti_portal", "siti_portal_pw")
        home = self.url_open("/my")
        self.assertEqual(home.status_code, 200)
        self.assertIn('href="/my/jobs"', home.text)
        counters = self.make_jsonrpc_request(
            "/my/counters", {"counters": ["gema_job_count"]}
        )
        self.assertEqual(counters, {"gema_job_count": 1})
        html = self.url_open("/my/jobs").text
        self.assertIn(self.job_a.name, html)
        self.assertNotIn(self.job_b.name, html)
        self.assertNotIn("BK 9876 XYZ", html)
        self._page(self.job_a, None)
        self._page(self.job_b, None, expected=404)
        # Logged in, the decision needs no token either.
        response = self._decide(self.job_a, self.line_brakes, "approved", None)
        self.assertEqual(response.status_code, 200)
        self.line_brakes.invalidate_recordset()
        self.assertEqual(self.line_brakes.approval_state, "approved")
        self.assertEqual(self.line_brakes.approval_method, "portal")


@tagged("post_install", "-at_install")
class TestServiceJobPortalTour(ServiceJobPortalCase):
    """ST-2 in a real browser on a phone-sized screen."""

    browser_size = "390x844"
    touch_enabled = True

    def test_st2_tour_customer_approves_and_refuses_on_phone(self):
        """ST-2: the customer opens the token link in Chromium at phone
        size, approves the brake pads and refuses the engine flush, each
        after confirming once (going back from the question records
        nothing); the page shows each decision and stops asking; the
        backend records each decision with method portal and its date, and
        the advisor gets one activity per decision."""
        activities = self.job_a.activity_ids
        before = fields.Datetime.now().replace(microsecond=0)
        self.start_tour(
            f"/my/jobs/{self.job_a.id}?access_token={self.token_a}",
            "gema_service_job_portal_approval",
        )
        self.line_brakes.invalidate_recordset()
        self.line_flush.invalidate_recordset()
        self.assertEqual(self.line_brakes.approval_state, "approved")
        self.assertEqual(self.line_flush.approval_state, "refused")
        for line in self.line_brakes | self.line_flush:
            self.assertEqual(line.approval_method, "portal")
            self.assertGreaterEqual(line.decision_date, before)
        self.assertEqual(self.line_flush.approval_note, "Next month, thank you")
        self.assertEqual(self.line_b.approval_state, "proposed")
        self.job_a.invalidate_recordset()
        told = self.job_a.activity_ids - activities
        self.assertEqual(told.user_id, self.users["advisor"])
        self.assertEqual(len(told), 2)
