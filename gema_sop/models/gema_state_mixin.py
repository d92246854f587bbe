from odoo import api, models
from odoo.exceptions import UserError

from ..tools.internal_write import internal_write, is_internal_write


class GemaStateMixin(models.AbstractModel):
    """The one state machine of the SOP records: booking, service job,
    follow-up, conversation and after-sales ticket.

    Each model declares its table in ``_gema_transitions``: for each state,
    the steps possible from it (a button ``action_<step>``) and the state
    each leads to (a tuple when the step's outcome decides: a solved ticket
    goes to shipping or straight to done). A step may lead back to its own
    state (rescheduling a confirmed booking keeps it confirmed). The table
    has three readers, so the form and the code cannot drift apart:

    - the ``can_<step>`` fields the model declares for its buttons (computed
      here, as OCA ``rma``'s ``can_be_*``), by which the form shows or hides
      them;
    - each button, which checks its step before anything else
      (``_check_action``, or its ``can_<step>`` with a message of its
      own) and keeps its other checks itself (a button that moves nothing
      checks its states with ``_check_state``);
    - ``_move``, the only way the state is written, which refuses a
      state the table does not reach, in the model's words
      (``_transition_refused``).

    A direct write of ``state`` (a script, an import, XML-RPC) is refused,
    so no step of the SOP is skipped; only the superuser (a data repair)
    writes it freely. What lets ``_move`` write it is no context key,
    which any XML-RPC caller could send, but ``tools.internal_write``.
    """

    _name = "gema.state.mixin"
    _description = "SOP Record Moved by its Buttons"

    # state -> {step: the state it leads to, or a tuple of them}
    _gema_transitions = {}
    # The fields besides ``state`` that the model's ``_allowed`` reads.
    _gema_can_depends = ()

    @api.depends(lambda self: ("state", *self._gema_can_depends))
    def _compute_gema_can(self):
        """``can_<step>``: whether the record's state allows the step."""
        for step in self._steps():
            name = f"can_{step}"
            if name in self._fields:
                allowed = set(self._allowed(step)._ids)
                for record in self:
                    record[name] = record.id in allowed

    def write(self, vals):
        if "state" in vals and not self.env.su and not is_internal_write(self):
            wrong = self._not_reaching(vals["state"])
            refusals = [wrong._transition_refused(vals["state"])] if wrong else []
            refusals.append(
                self.env._(
                    "Use the buttons of %(records)s to change its state; they "
                    "check that the step is allowed.",
                    records=", ".join(self.mapped("display_name")),
                )
            )
            raise UserError("\n".join(refusals))
        return super().write(vals)

    @api.model
    def _steps(self):
        """Every step of the table."""
        return {step for steps in self._gema_transitions.values() for step in steps}

    @api.model
    def _targets(self, state, step=None):
        """The states reachable from ``state`` (by ``step`` only, if given)."""
        targets = set()
        for name, target in self._gema_transitions.get(state, {}).items():
            if step in (None, name):
                targets.update((target,) if isinstance(target, str) else target)
        return targets

    def _not_reaching(self, state):
        """The records from whose state the table does not reach ``state``."""
        return self.filtered(lambda record: state not in self._targets(record.state))

    def _allowed(self, step):
        """The records whose state allows ``step``. A model narrows it when
        a field besides the state decides (listed in ``_gema_can_depends``)."""
        return self.filtered(
            lambda record: step in self._gema_transitions.get(record.state, {})
        )

    def _check_action(self, step):
        """Refuse ``step`` unless the state of every record allows it."""
        wrong = self - self._allowed(step)
        if wrong:
            raise UserError(wrong._transition_refused(self._step_target(step)))

    @api.model
    def _step_target(self, step):
        """The state ``step`` leads to (the first, when the outcome decides)."""
        for steps in self._gema_transitions.values():
            if step in steps:
                target = steps[step]
                return target if isinstance(target, str) else target[0]
        return False

    def _move(self, state, **values):
        """Move to ``state`` (writing ``values`` with it), if the table
        reaches it from the state of every record."""
        wrong = self._not_reaching(state)
        if wrong:
            raise UserError(wrong._transition_refused(state))
        with internal_write(self):
            self.write(dict(values, state=state))

    def _check_state(self, states):
        """Refuse a button that moves nothing (a message, a stamp) unless
        every record is in one of ``states``."""
        wrong = self.filtered(lambda record: record.state not in states)
        if wrong:
            raise UserError(wrong._step_refused())

    def _transition_refused(self, state):
        """Why these records cannot go to ``state``, in the model's words
        (bookings, conversations and jobs name both states)."""
        return self._step_refused()

    def _step_refused(self):
        return self.env._(
            "This step is not possible for %(records)s (%(state)s).",
            records=", ".join(self.mapped("display_name")),
            state=self._states_text(),
        )

    def _state_label(self, state):
        """The label of ``state`` in the user's language."""
        labels = dict(self._fields["state"]._description_selection(self.env))
        return labels.get(state, state)

    def _states_text(self):
        """The labels of the records' current states, for a message."""
        return ", ".join(sorted({self._state_label(s) for s in self.mapped("state")}))
