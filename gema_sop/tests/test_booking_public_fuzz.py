"""Fuzzing the public booking page: a few hundred malformed posts per run
through real HTTP, none answered 500, nothing invalid stored (robustness).

The posts come from ``public_form_fuzz`` with a fixed seed (another with
``GEMA_FUZZ_SEED``, more with ``GEMA_FUZZ_POSTS``); the bigger run is
``bench/public_form_fuzz.py`` against a multi-worker server.
"""

import os
import random
from collections import Counter

from odoo.tests import tagged

from .booking_page_common import BookingPageCase
from .public_form_fuzz import ANSWERS, booking_problems, fuzz, valid_form

SEED = int(os.environ.get("GEMA_FUZZ_SEED", "20261122"))
POSTS = int(os.environ.get("GEMA_FUZZ_POSTS", "300"))


@tagged("post_install", "-at_install")
class TestBookingPublicFuzz(BookingPageCase):
    def _open_valid_form(self, rng):
        page, _form = self._open_form()
        return valid_form(page.text, self.branch.id, self.service.id, self.day, rng)

    def _post(self, data, files):
        return self.url_open(
            "/booking/submit", data=data, files=files or None, allow_redirects=False
        )

    def test_robustness_malformed_posts_never_fail_nor_store_invalid_data(self):
        """Robustness: every mutated post answers 303, 400, 422 or 429 (never
        500), and every booking it stored has an E.164 mobile number, an
        ASCII plate in canonical form, plain text within its limits, and its
        customer and vehicle."""
        rng = random.Random(SEED)
        answers = Counter()
        failures = []
        for number, what, response in fuzz(
            rng, POSTS, self._open_valid_form, self._post
        ):
            answers[response.status_code] += 1
            if response.status_code not in ANSWERS:
                failures.append(f"post {number} ({what}): {response.status_code}")
            stored = self._website_bookings()
            for booking in stored:
                problems = booking_problems(booking)
                if problems:
                    failures.append(f"post {number} ({what}) stored {problems}")
            # Out of the way of the next posts' rate limits.
            stored.unlink()
        self.assertFalse(failures, f"seed {SEED}:\n" + "\n".join(failures[:30]))
        # The run exercised both sides: valid posts stored, invalid refused.
        self.assertGreater(answers[303], POSTS // 20, answers)
        self.assertGreater(answers[422], POSTS // 2, answers)
