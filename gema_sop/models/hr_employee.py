from odoo import fields, models


class HrEmployee(models.Model):
    """Which employees of a branch work on vehicles.

    The free-slot search (BK-4) proposes the technicians of a branch; a
    role group cannot tell them apart (managers inherit the technician
    role, and many technicians have no login at all), so it is said here.
    """

    _inherit = "hr.employee"

    gema_technician = fields.Boolean(
        string="Workshop Technician",
        help="Bookings and service jobs can be scheduled on this employee's "
        "working calendar.",
    )
