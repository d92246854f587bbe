from odoo import api, models
from odoo.exceptions import UserError


class GemaCustomerDecisionMixin(models.AbstractModel):
    """Fields that hold a customer's own decision (DESIGN, trust rules).

    A customer's decision (extra-work approval, a rating) is taken only from
    the customer: the holder of the record's token or its portal customer
    (``controllers/access.py``), whose page records it as superuser once
    that check passed. A decision the customer gave by phone, WhatsApp or in
    person is recorded by its own step, which keeps the staff member who
    recorded it. No user writes these fields directly (a form, an import,
    XML-RPC), or staff could record as the customer's a decision the
    customer never gave. A context key would not do as the way in: any
    XML-RPC caller can send one; only code running as superuser after its
    own check writes them. ``_gema_customer_fields`` names them.
    """

    _name = "gema.customer.decision.mixin"
    _description = "Customer's Own Decision"

    _gema_customer_fields = ()

    @api.model_create_multi
    def create(self, vals_list):
        # A new record may carry the undecided value (a default), nothing else.
        self._check_customer_fields(
            [
                {
                    name: value
                    for name, value in vals.items()
                    if name in self._gema_customer_fields
                    and value
                    and value != self._undecided(name)
                }
                for vals in vals_list
            ]
        )
        return super().create(vals_list)

    def write(self, vals):
        self._check_customer_fields([vals])
        return super().write(vals)

    def _undecided(self, name):
        """The value of field ``name`` before any decision (its default)."""
        field = self._fields.get(name)
        return field.default(self) if field and field.default else False

    def _check_customer_fields(self, vals_list):
        if self.env.su:
            return
        names = {
            name
            for vals in vals_list
            for name in vals
            if name in self._gema_customer_fields
        }
        if names:
            message = self.env._(
                "%(fields)s hold the customer's own decision and cannot be "
                "entered or changed directly: the customer gives it on their "
                "own page.",
                fields=", ".join(
                    sorted(
                        self._fields[name]._description_string(self.env)
                        for name in names
                    )
                ),
            )
            raise UserError(" ".join(filter(None, [message, self._staff_way()])))

    def _staff_way(self):
        """How staff record a decision the customer gave them, if they may."""
        return ""
