from odoo import models
from odoo.exceptions import UserError

from ..tools.internal_write import is_internal_write


class GemaFieldGuardMixin(models.AbstractModel):
    """Which role writes which fields of an SOP record, like
    ``project.task``'s ``SELF_WRITABLE_FIELDS``.

    The members of ``_gema_desk_groups`` (the record's desk) write every
    field; any other user writes the fields ``_gema_writable_fields`` gives
    their groups (group xmlid -> field names; the union for a user in
    several), and the ``_gema_engine_fields`` that the SLA engine and the
    chatter write for whoever acts. The rest a button stamps for them (the
    state, the date a parcel was shipped) inside ``tools.internal_write``,
    which no caller's context opens. The refusal is in the model's words
    (``_fields_refused``).
    """

    _name = "gema.field.guard.mixin"
    _description = "SOP Record Written by Role"

    _gema_desk_groups = ()
    _gema_writable_fields = {}
    _gema_engine_fields = frozenset(
        {
            "gema_sla_deadline",
            "gema_sla_result",
            "activity_ids",
            "message_follower_ids",
            "message_main_attachment_id",
        }
    )

    def write(self, vals):
        self._check_fields(vals)
        return super().write(vals)

    def _check_fields(self, vals):
        """Refuse the fields of ``vals`` that are not the user's part."""
        if self.env.su or is_internal_write(self):
            return
        user = self.env.user
        if any(user.has_group(group) for group in self._gema_desk_groups):
            return
        allowed = set(self._gema_engine_fields)
        for group, names in self._gema_writable_fields.items():
            if user.has_group(group):
                allowed |= names
        refused = set(vals) - allowed
        if refused:
            raise UserError(self._fields_refused(refused))

    def _fields_refused(self, names):
        """Why the user may not write the fields ``names``: each model says
        whose part they are."""
        raise NotImplementedError
