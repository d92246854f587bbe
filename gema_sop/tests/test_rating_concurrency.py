"""Two ratings of one ticket sent at the same moment keep one (AS-5, CS-8,
robustness).

Each post runs in its own transaction and neither sees the other's rating
row (``gema.rating.mixin``). Both then store the rating on the ticket's
row: the second waits for the first, is refused by PostgreSQL once the
first commits, and is run again by Odoo, which then finds the ticket rated
and refuses the second rating. This runs a real Odoo server on a copy of
the test database (see tools/test.sh): the first rating is played by a
transaction of the test holding it uncommitted, the second is a real HTTP
POST of the ticket's page that must wait for it.
"""

import re
import threading

import requests

from .public_page_server import (
    registry_of,
    setup_branch,
    superuser_env,
    wait_for_lock_wait,
)

_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def _setup_ticket(registry, branch_id):
    """A solved ticket of the branch, open to its customer's rating;
    committed. (ticket id, token)."""
    with registry.cursor() as cr:
        env = superuser_env(cr)
        customer = env["res.partner"].create({"name": "Rudi Hutapea"})
        ticket = (
            env["gema.ticket"]
            .with_company(branch_id)
            .create(
                {
                    "partner_id": customer.id,
                    "company_id": branch_id,
                    "product_name": "Aki mobil",
                    "chronology": "Aki tidak mengisi.",
                    "state": "done",
                }
            )
        )
        return ticket.id, ticket._portal_ensure_token()


def test_as5_two_ratings_at_the_same_moment_keep_one(
    concurrency_db, concurrency_server
):
    """AS-5 / robustness: the second of two simultaneous ratings waits for
    the first, then is refused; one rating row, the first value, one
    chatter note."""
    registry = registry_of(concurrency_db)
    branch_id, _service_id = setup_branch(registry, "Rating Branch")
    ticket_id, token = _setup_ticket(registry, branch_id)
    visitor = requests.Session()
    page = visitor.get(
        f"{concurrency_server}/my/tickets/{ticket_id}?access_token={token}",
        timeout=60,
    )
    assert page.status_code == 200, page.text[:2000]
    form = {
        "csrf_token": _CSRF.search(page.text).group(1),
        "access_token": token,
        "rating": "1",
    }
    answer = {}

    def second_rating():
        answer["response"] = visitor.post(
            f"{concurrency_server}/my/tickets/{ticket_id}/rate",
            data=form,
            allow_redirects=False,
            timeout=60,
        )

    with registry.cursor() as cr:
        # The first rating: stored, not committed yet.
        superuser_env(cr)["gema.ticket"].browse(ticket_id)._rate("5", "Cepat")
        cr.flush()
        thread = threading.Thread(target=second_rating)
        thread.start()
        # Commit only once the second rating waits for the first one's row.
        wait_for_lock_wait(registry, concurrency_db, thread, answer, "second rating")
    thread.join(60)

    response = answer["response"]
    with registry.cursor() as cr:
        env = superuser_env(cr)
        ticket = env["gema.ticket"].browse(ticket_id)
        rows = ticket.rating_ids.mapped(lambda row: (row.rating, row.feedback))
        rating = ticket.rating
        notes = ticket.message_ids.filtered(lambda m: "/5" in (m.body or ""))
        # The database is shared with other committing tests: leave no
        # running clock behind.
        ticket.unlink()
    assert response.status_code == 303, response.text[:2000]
    assert "error=refused" in response.headers["Location"]
    assert rows == [(5.0, "Cepat")]
    assert rating == "5"
    assert len(notes) == 1
