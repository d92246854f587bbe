from odoo import api, fields, models
from odoo.tools import SQL
from odoo.tools.misc import hmac


class GemaClaim(models.Model):
    """One row per key (a WhatsApp number, a plate in a branch, an IP
    address, a form's one-time key) that a transaction updates before it
    counts or finds-or-creates what belongs to that key.

    Odoo's transactions run in REPEATABLE READ: two requests that start at
    the same moment each see the database as it was, so both would find no
    customer for a new number and both create one, or both count two
    bookings of a number when the limit is three. A lock alone does not
    help: the one that waited still reads its old snapshot. Updating the
    same row does: when the other transaction committed its update first,
    PostgreSQL refuses this one with a serialization failure, and Odoo runs
    the whole request again (``odoo.service.model.retrying``, over HTTP and
    RPC alike) with a fresh snapshot that sees the other's customer,
    vehicle or booking.

    Keys are stored as an HMAC with the database secret: the table holds no
    phone number or IP address (G-5).
    """

    _name = "gema.claim"
    _description = "Concurrency Claim"
    _log_access = False

    key = fields.Char(required=True, readonly=True)
    claimed_date = fields.Datetime(readonly=True)

    _sql_constraints = [
        ("key_unique", "UNIQUE (key)", "A claim key is stored once."),
    ]

    @api.autovacuum
    def _gc_claims(self):
        """Claims only matter while their transactions run; a day later the
        row is dropped (a claim made meanwhile simply inserts it again)."""
        self.env.cr.execute(
            SQL(
                "DELETE FROM gema_claim WHERE claimed_date < "
                "now() AT TIME ZONE 'UTC' - interval '1 day'"
            )
        )

    @api.model
    def _claim(self, *keys):
        """Claim ``keys`` (strings) for this transaction, in one statement
        and in a fixed order (PostgreSQL takes the rows in the order of the
        values), so that two transactions claiming the same keys never
        deadlock."""
        # sudo: the database secret is read to hash the keys, never shown.
        digests = sorted({hmac(self.env(su=True), "gema_claim", key) for key in keys})
        if not digests:
            return
        self.env.cr.execute(
            SQL(
                "INSERT INTO gema_claim (key, claimed_date) VALUES %s "
                "ON CONFLICT (key) "
                "DO UPDATE SET claimed_date = EXCLUDED.claimed_date",
                SQL(", ").join(
                    SQL("(%s, now() AT TIME ZONE 'UTC')", digest) for digest in digests
                ),
            )
        )
