from odoo import fields, models

# The steps of the SOP checklists (BK-12, ST-10, FU-8) at which an item is
# due; each SOP model says which of its states reach which step
# (``gema.checklist.mixin._gema_checklist_steps``).
CHECKLIST_STEPS = [
    ("confirm", "Booking confirmed"),
    ("reminder_day", "H-1 reminder day"),
    ("inspection", "Vehicle inspected"),
    ("approval", "Extra work sent for approval"),
    ("long_job", "Job planned over more than a day"),
    ("call", "Follow-up call day"),
    ("contacted", "Customer reached by the follow-up"),
]


class MailActivityPlanTemplate(models.Model):
    """An item of an SOP checklist plan knows the step it belongs to: it is
    planned when a record reaches that step, due on the step's day (plus
    the template's own interval), so that a checklist never lands on the
    desk all at once."""

    _inherit = "mail.activity.plan.template"

    gema_step = fields.Selection(
        CHECKLIST_STEPS,
        string="SOP Step",
        help="The step of the SOP at which this checklist item is planned and "
        "due. Empty: with the first step the record reaches.",
    )
