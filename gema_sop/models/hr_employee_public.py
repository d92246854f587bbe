from odoo import fields, models


class HrEmployeePublic(models.Model):
    """Service advisors pick technicians without HR rights: Odoo shows them
    employees through this public profile, so the flag is public too."""

    _inherit = "hr.employee.public"

    gema_technician = fields.Boolean(string="Workshop Technician", readonly=True)
