from odoo import models
from odoo.exceptions import UserError


class GemaStateMixin(models.AbstractModel):
    """The state of an SOP record moves only through its buttons.

    Each button checks that its step is allowed (``_gema_check_state``)
    and moves the record with ``_gema_move``; a direct write of ``state``
    (a script, an import, an edited view) is refused, so no step of the SOP
    can be skipped. ``_gema_transitions`` (state -> states it may go to)
    adds a check of the move itself; empty, the buttons' checks suffice.
    """

    _name = "gema.state.mixin"
    _description = "SOP Record Moved by its Buttons"

    _gema_transitions = {}

    def write(self, vals):
        if (
            "state" in vals
            and not self.env.su
            and not self.env.context.get("gema_state_move")
        ):
            raise UserError(
                self.env._(
                    "Use the buttons of %(records)s to change its state; they "
                    "check that the step is allowed.",
                    records=", ".join(self.mapped("display_name")),
                )
            )
        return super().write(vals)

    def _gema_check_state(self, states):
        """Refuse the step unless every record is in one of ``states``."""
        labels = dict(self._fields["state"]._description_selection(self.env))
        wrong = self.filtered(lambda record: record.state not in states)
        if wrong:
            raise UserError(
                self.env._(
                    "This step is not possible for %(records)s (%(state)s).",
                    records=", ".join(wrong.mapped("display_name")),
                    state=", ".join(sorted({labels[s] for s in wrong.mapped("state")})),
                )
            )

    def _gema_move(self, state, **values):
        """Move to ``state`` (writing ``values`` with it), if allowed."""
        if self._gema_transitions:
            self._gema_check_state(
                {
                    source
                    for source, targets in self._gema_transitions.items()
                    if state in targets
                }
            )
        self.with_context(gema_state_move=True).write(dict(values, state=state))
