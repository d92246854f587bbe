import logging
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from .gema_booking_const import BATCH_SIZE

_logger = logging.getLogger(__name__)


class GemaBookingNoShow(models.AbstractModel):
    """No-shows (BK-9), inherited by ``gema.booking``: a confirmed booking
    whose customer has not arrived within the branch's grace period is
    marked by the scheduled action (claimed on the partial index of
    confirmed bookings) or by staff, its technician released and a contact
    activity planned."""

    _name = "gema.booking.no.show"
    _description = "Booking No-show"

    def action_mark_no_show(self):
        """BK-9: not arrived; release the technician and plan a contact to
        clarify or reschedule."""
        self._check_action("mark_no_show")
        self._release_slot()
        self._move("no_show", no_show_date=fields.Datetime.now())
        for booking in self:
            booking.activity_schedule(
                "gema_sop.mail_activity_type_booking_no_show",
                user_id=(booking.user_id or self.env.user).id,
                note=self.env._(
                    "The customer did not come: contact them to clarify or reschedule."
                ),
            )

    def action_gema_mark_no_shows(self):
        """BK-9 (server action): mark the selected confirmed bookings whose
        booked time has passed as no-shows; a booking still to come is
        refused, so a selection cannot mark tomorrow's customers."""
        now = fields.Datetime.now()
        early = self.filtered(lambda b: b.state == "confirmed" and b.start > now)
        if early:
            raise UserError(
                self.env._(
                    "The booked time has not come yet: %(bookings)s",
                    bookings=", ".join(early.mapped("display_name")),
                )
            )
        self.action_mark_no_show()
        return True

    @api.model
    def _cron_mark_no_show(self, batch_size=BATCH_SIZE):
        """BK-9: confirmed bookings not checked in a grace period after their
        start become no-shows. One indexed query per grace period of the
        branches (usually one) claims a batch, skipping rows another worker
        holds; ``ir.cron`` calls again while some remain."""
        now = fields.Datetime.now()
        self.flush_model(["state", "start"])
        ids = []
        for query in self._no_show_queries(now):
            if len(ids) < batch_size:
                rows = self.env.execute_query(
                    SQL(
                        "%s LIMIT %s FOR UPDATE SKIP LOCKED",
                        query,
                        batch_size - len(ids),
                    )
                )
                ids += [row[0] for row in rows]
        bookings = self.browse(ids)
        bookings.action_mark_no_show()
        remaining = 0
        if len(bookings) == batch_size:
            # Up to a batch: ``ir.cron`` only needs to know that some remain.
            remaining = self.search_count(
                [("state", "=", "confirmed"), ("start", "<=", now)], limit=batch_size
            )
        self.env["ir.cron"]._notify_progress(done=len(bookings), remaining=remaining)
        return bookings

    @api.model
    def _no_show_queries(self, now):
        """The confirmed bookings past their branch's grace period, one
        query per grace period, each in the order of
        ``gema_booking_confirmed_start_idx``. Not one join with the
        branches: the planner cannot estimate a per-branch cut-off, sorts
        what the state index gives instead of reading the partial index in
        order, or reads the whole history by start."""
        graces = self.env.execute_query(
            SQL(
                "SELECT COALESCE(gema_booking_no_show_grace, 30), array_agg(id) "
                "FROM res_company GROUP BY 1 ORDER BY 1"
            )
        )
        return [
            SQL(
                "SELECT id FROM gema_booking WHERE state = 'confirmed' "
                "AND start <= %s %s ORDER BY start, id",
                now - timedelta(minutes=grace),
                SQL("AND company_id IN %s", tuple(companies))
                if len(graces) > 1
                else SQL(),
            )
            for grace, companies in graces
        ]
