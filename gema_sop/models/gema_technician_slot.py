import psycopg2.errors

from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import SQL, format_datetime


class GemaTechnicianSlot(models.Model):
    """The time a booking or a service job holds a technician (BK-4, 6.3).

    Bookings and jobs live in two tables, and a PostgreSQL exclusion
    constraint covers one table only: so a booking or a job holds its
    technician through a row here, and the constraint ``no_overlap`` makes
    two active overlapping rows of one technician impossible, whichever
    worker, clerk or script writes them at the same moment. ``_hold``
    and ``write`` check first in Python to name the clash, and turn the
    database's refusal (a concurrent transaction won the race) into a clear
    message too.
    """

    _name = "gema.technician.slot"
    _description = "Technician Time Slot"
    _inherit = ["gema.record.link.mixin"]
    _order = "start, id"

    employee_id = fields.Many2one(
        "hr.employee",
        string="Technician",
        required=True,
        index=True,
        ondelete="restrict",
    )
    company_id = fields.Many2one(
        related="employee_id.company_id", store=True, index=True
    )
    start = fields.Datetime(required=True, index=True)
    stop = fields.Datetime(required=True, index=True)
    active = fields.Boolean(
        default=True,
        help="Released slots (cancelled, rescheduled, finished) are archived "
        "and kept for the history; only active slots hold the technician.",
    )

    _sql_constraints = [
        (
            "stop_after_start",
            "CHECK (stop > start)",
            "A technician's time must end after it starts.",
        ),
        (
            "no_overlap",
            "EXCLUDE USING gist (employee_id WITH =, tsrange(start, stop, '[)') "
            "WITH &&) WHERE (active)",
            "A technician cannot hold two overlapping bookings or jobs.",
        ),
    ]

    def _auto_init(self):
        # The exclusion constraint compares employee ids (=) inside a GiST
        # index, which needs btree_gist; it is a trusted extension, so the
        # database owner may create it (PostgreSQL 13+).
        self.env.cr.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
        return super()._auto_init()

    @api.model
    def _hold(self, record, employee, start, stop):
        """Hold ``employee`` from ``start`` to ``stop`` (UTC) for ``record``,
        or raise a ValidationError naming the clash."""
        self._ensure_free(employee, start, stop)
        values = {
            "res_model": record._name,
            "res_id": record.id,
            "employee_id": employee.id,
            "start": start,
            "stop": stop,
        }
        try:
            with self.env.cr.savepoint():
                return self.create(values)
        except psycopg2.errors.ExclusionViolation:
            raise self._race_error(employee) from None

    def write(self, vals):
        if not {"employee_id", "start", "stop", "active"} & set(vals):
            return super().write(vals)
        targets = [
            (
                slot,
                self.env["hr.employee"].browse(
                    vals.get("employee_id", slot.employee_id.id)
                ),
                fields.Datetime.to_datetime(vals.get("start", slot.start)),
                fields.Datetime.to_datetime(vals.get("stop", slot.stop)),
            )
            for slot in self
            if vals.get("active", slot.active)
        ]
        for slot, employee, start, stop in targets:
            slot._ensure_free(employee, start, stop)
        try:
            with self.env.cr.savepoint():
                result = super().write(vals)
                self.flush_recordset()
        except psycopg2.errors.ExclusionViolation:
            slot, employee, start, stop = targets[0]
            raise slot._race_error(employee) from None
        return result

    @api.model
    def _of_records(self, records):
        """Every slot, active or released, that ``records`` hold or held
        (sudo: slots are written by the booking and job logic only)."""
        return (
            self.sudo()
            .with_context(active_test=False)
            .search([("res_model", "=", records._name), ("res_id", "in", records.ids)])
        )

    @api.model
    def _overlapping(self, start, stop, employees, company):
        """``(id, employee id, start, stop, company id)`` of the active slots
        overlapping [``start``, ``stop``) that hold ``employees`` or a
        technician of ``company``: one query through the GiST index of the
        exclusion constraint, so that its cost does not grow with the
        history of slots (a range on ``start`` alone scans every earlier
        slot)."""
        self.flush_model(["employee_id", "company_id", "start", "stop", "active"])
        return self.env.execute_query(
            SQL(
                "SELECT id, employee_id, start, stop, company_id FROM %s "
                "WHERE active AND tsrange(start, stop, '[)') && tsrange(%s, %s, '[)') "
                "AND (employee_id = ANY(%s) OR company_id = %s) ORDER BY start, id",
                SQL.identifier(self._table),
                start,
                stop,
                employees.ids,
                company.id,
            )
        )

    def _ensure_free(self, employee, start, stop):
        """Raise if another active slot of ``employee`` overlaps
        [``start``, ``stop``); ``self`` (the slot being moved) is ignored."""
        if not (start and stop and stop > start):
            raise ValidationError(
                self.env._("A technician's time must end after it starts.")
            )
        clash = (
            self.sudo()
            .with_context(active_test=True)
            .search(
                [
                    ("employee_id", "=", employee.id),
                    ("start", "<", stop),
                    ("stop", ">", start),
                    ("id", "not in", self.ids),
                ],
                limit=1,
            )
        )
        if clash:
            raise clash._clash_error()

    def _race_error(self, employee):
        """The database refused the slot: a concurrent transaction took the
        time and committed after this one began. Odoo's transactions are
        REPEATABLE READ, so that slot stays invisible here and cannot be
        named; the user is told to choose again."""
        return ValidationError(
            self.env._(
                "%(technician)s was booked for this time by someone else a "
                "moment ago. Choose another time or another technician.",
                technician=employee.name,
            )
        )

    def _clash_error(self):
        """The message naming this (existing) slot as the clash."""
        self.ensure_one()
        tz = self.company_id._gema_tz()
        record = self._linked_record()
        return ValidationError(
            self.env._(
                "%(technician)s is already booked from %(start)s to %(stop)s "
                "(%(record)s). Choose another time or another technician.",
                technician=self.employee_id.name,
                start=format_datetime(self.env, self.start, tz=tz, dt_format="short"),
                stop=format_datetime(self.env, self.stop, tz=tz, dt_format="short"),
                record=record.sudo().display_name
                if record
                else self.env._("another booking or job"),
            )
        )
