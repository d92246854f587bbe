"""Plans at chain scale: the crons' claims and the busiest lists read their
indexes in order, without a sort over the table (G-4, BK-9).

Each test fills a table with a few thousand rows by SQL (``generate_series``,
rolled back with the test), runs ANALYZE so that the planner sees a big
table, and reads the plan (EXPLAIN) of the very query the code runs.
"""

from odoo import fields
from odoo.tests import tagged
from odoo.tools import SQL

from .common import GemaSopCase


@tagged("post_install", "-at_install")
class TestScalePlans(GemaSopCase):
    def _plan(self, query):
        """The EXPLAIN of ``query``, one line per node."""
        self.env.flush_all()
        return [row[0] for row in self.env.execute_query(SQL("EXPLAIN %s", query))]

    def assertReadsIndexInOrder(self, query, index):
        plan = self._plan(query)
        text = "\n".join(plan)
        self.assertRegex(text, rf"Index (Only )?Scan (Backward )?using {index}")
        self.assertNotIn("Sort", text, text)
        self.assertNotIn("Seq Scan", text, text)

    def _sla_lines(self, due, later, closed):
        """``due`` open lines past their next check, ``later`` open lines
        not due yet and ``closed`` met lines, on one policy of documents."""
        policy = self.env["gema.sla.policy"].create(
            {
                "name": "Scale",
                "sop": "BK",
                "model_id": self.env["ir.model"]._get_id("gema.sop.document"),
                "duration": 10,
                "duration_unit": "minutes",
            }
        )
        now = fields.Datetime.now()
        self.env.cr.execute(
            SQL(
                """
                INSERT INTO gema_sla_status (policy_id, res_model, res_id,
                    company_id, start, at_risk_at, deadline, state, result,
                    escalation_stage, next_check)
                SELECT %(policy)s, 'gema.sop.document', n, %(company)s,
                       t.start, t.start + interval '8 minutes',
                       t.start + interval '10 minutes',
                       CASE WHEN n > %(open)s THEN 'done' ELSE 'running' END,
                       'on_time', 0,
                       CASE WHEN n > %(open)s THEN NULL
                            ELSE t.start + interval '8 minutes' END
                  FROM generate_series(1, %(total)s) n,
                       LATERAL (SELECT %(now)s::timestamp + CASE
                           WHEN n <= %(due)s THEN -(n * interval '1 second')
                           ELSE n * interval '1 minute' END
                           - interval '8 minutes' AS start) t
                """,
                policy=policy.id,
                company=self.branch.id,
                now=now,
                due=due,
                open=due + later,
                total=due + later + closed,
            )
        )
        self.env.cr.execute(SQL("ANALYZE gema_sla_status"))
        return now

    def test_sla_claim_reads_the_due_index_in_order(self):
        """G-4 / robustness: after an outage (4,000 lines due, 1,000 not
        yet, 5,000 closed) the cron's claim reads the partial index of due
        lines in its order and stops after the batch: no sort of the
        backlog, whose cost would grow with every batch."""
        now = self._sla_lines(due=4000, later=1000, closed=5000)
        Status = self.env["gema.sla.status"]
        due = Status._due_query(now, 200)
        self.assertReadsIndexInOrder(
            SQL("%s FOR UPDATE SKIP LOCKED", due), "gema_sla_status_due_idx"
        )
        # What remains is counted up to a batch, on the same index.
        self.assertReadsIndexInOrder(
            SQL("SELECT COUNT(*) FROM (%s) due", due), "gema_sla_status_due_idx"
        )

    def test_sla_list_reads_its_order_from_an_index(self):
        """G-4 / robustness: a CS supervisor's SLA lines list, open lines
        (its default filter) or all, in its order (latest start first),
        reads an index backwards and stops after the page: no sort of the
        lines of every branch."""
        self._sla_lines(due=400, later=600, closed=19000)
        # Half the lines in another branch: the supervisor's rule filters.
        self.env.cr.execute(
            SQL(
                "UPDATE gema_sla_status SET company_id = %s WHERE mod(id, 2) = 0",
                self.main_company.id,
            )
        )
        self.env.cr.execute(SQL("ANALYZE gema_sla_status"))
        Status = self.env["gema.sla.status"].with_user(self.users["supervisor"])
        for domain, index in (
            ([("state", "in", ("running", "at_risk", "breached"))], "open_start"),
            ([], "start"),
        ):
            with self.subTest(domain=domain):
                query = Status._search(domain, limit=80, order=Status._order)
                self.assertReadsIndexInOrder(
                    query.select(), f"gema_sla_status_{index}_idx"
                )

    def _bookings(self, total, confirmed_due, confirmed_later):
        """``total`` bookings of the branch a minute apart up to now: the
        last ``confirmed_due`` confirmed and past their start, then
        ``confirmed_later`` confirmed ahead; the others the history."""
        now = fields.Datetime.now()
        self.env.cr.execute(
            SQL(
                """
                INSERT INTO gema_booking (name, state, channel, customer_name,
                    customer_phone, license_plate, vehicle_type, company_id,
                    start, stop)
                SELECT 'BK/' || n, CASE
                           WHEN n > %(history)s THEN 'confirmed'
                           WHEN mod(n, 10) = 0 THEN 'no_show'
                           WHEN mod(n, 10) = 1 THEN 'cancelled'
                           ELSE 'arrived' END,
                       'whatsapp', 'Customer', '+6281234567890', 'BK 1 A',
                       'Car', %(company)s, t.start, t.start + interval '1 hour'
                  FROM generate_series(1, %(all)s) n,
                       LATERAL (SELECT %(now)s::timestamp
                           + (n - %(history)s - %(due)s) * interval '1 minute'
                           - interval '1 hour' AS start) t
                """,
                history=total - confirmed_due - confirmed_later,
                due=confirmed_due,
                all=total,
                company=self.branch.id,
                now=now,
            )
        )
        self.env.cr.execute(SQL("ANALYZE gema_booking"))
        return now

    def test_no_show_claim_reads_the_confirmed_index(self):
        """BK-9 / robustness: the no-show cron's claim, among 20,000
        bookings of history and 400 confirmed ahead, reads the partial
        index of confirmed bookings in its order and stops after the batch:
        it neither filters the history by state nor sorts the confirmed
        bookings; also when two branches have different grace periods."""
        now = self._bookings(total=20000, confirmed_due=50, confirmed_later=400)
        Booking = self.env["gema.booking"]
        for grace in (30, 45):
            self.branch.gema_booking_no_show_grace = grace
            for query in Booking._no_show_queries(now):
                with self.subTest(grace=grace, query=query.code):
                    self.assertReadsIndexInOrder(
                        SQL("%s LIMIT 200 FOR UPDATE SKIP LOCKED", query),
                        "gema_booking_confirmed_start_idx",
                    )
