from odoo import api, fields, models


class HrEmployee(models.Model):
    """Which employees of a branch work on vehicles, and whose employee a
    user is in a branch.

    The free-slot search (BK-4) proposes the technicians of a branch; a
    role group cannot tell them apart (managers inherit the technician
    role, and many technicians have no login at all), so it is said here.
    Escalations (the owner's manager) and violations (G-2) need the
    employee of a user in the record's branch, for every SOP model.
    """

    _inherit = "hr.employee"

    gema_technician = fields.Boolean(
        string="Workshop Technician",
        help="Bookings and service jobs can be scheduled on this employee's "
        "working calendar.",
    )

    @api.model
    def _gema_employees_of(self, users):
        """The employees of ``users`` in every branch, with one query.

        Not ``res.users.employee_ids``: that field only holds the employees
        of the current company, and escalations run for every branch (sudo:
        the hierarchy is needed whoever triggered the event)."""
        return self.sudo().search([("user_id", "in", users.ids)])

    def _gema_employee_in(self, user, branch):
        """Among these employees, ``user``'s in ``branch``, else any of theirs."""
        mine = self.filtered(lambda e: e.user_id == user)
        return mine.filtered(lambda e: e.company_id == branch)[:1] or mine[:1]
