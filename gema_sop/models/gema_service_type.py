from odoo import fields, models


class GemaServiceType(models.Model):
    """A kind of service a customer can book, with the time it takes.

    The duration is what the free-slot search (BK-4) reserves on a
    technician's calendar; it is the only thing the public booking page
    needs to know about a service besides its name.
    """

    _name = "gema.service.type"
    _description = "Service Type"
    _order = "sequence, name, id"

    name = fields.Char(required=True, translate=True)
    duration = fields.Float(
        required=True,
        default=1.0,
        help="Hours a technician is held for this service (e.g. 01:30).",
    )
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company",
        string="Branch",
        index=True,
        help="Empty: the service is offered by every branch.",
    )

    _sql_constraints = [
        (
            "duration_positive",
            "CHECK (duration > 0)",
            "A service must take some time.",
        ),
    ]
