from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..tools import (
    clean_text,
    field_error_lines,
    normalize_plate,
    required_plate,
    spaced_plate,
)

MAX_VEHICLE_TYPE = 64


class GemaVehicle(models.Model):
    """A customer's vehicle, known by its normalised licence plate.

    The plate is the key staff search by at check-in (BK-8) and customers
    give when they book (BK-3): it is stored as ``BK 1234 ABC`` whatever was
    typed, and is unique per branch.
    """

    _name = "gema.vehicle"
    _description = "Customer Vehicle"
    _inherit = ["mail.thread"]
    _rec_name = "license_plate"
    _order = "license_plate"

    license_plate = fields.Char(
        required=True, index=True, tracking=True, help="Such as BK 1234 ABC."
    )
    vehicle_type = fields.Char(
        required=True,
        tracking=True,
        help="Brand and model as the customer names it, such as Toyota Avanza.",
    )
    partner_id = fields.Many2one(
        "res.partner", string="Owner", index=True, tracking=True
    )
    company_id = fields.Many2one(
        "res.company",
        string="Branch",
        required=True,
        index=True,
        default=lambda self: self.env.company,
    )
    active = fields.Boolean(default=True)

    _sql_constraints = [
        (
            "plate_company_unique",
            "UNIQUE (license_plate, company_id)",
            "This licence plate is already registered in this branch.",
        ),
    ]

    @api.depends("license_plate", "vehicle_type")
    def _compute_display_name(self):
        for vehicle in self:
            vehicle.display_name = (
                f"{vehicle.license_plate} ({vehicle.vehicle_type})"
                if vehicle.vehicle_type
                else vehicle.license_plate
            )

    @api.model
    def _search_display_name(self, operator, value):
        """Typing ``bk1234`` finds ``BK 1234 ABC``: the typed text is spaced
        the way plates are stored before it is compared."""
        if isinstance(value, str):
            value = spaced_plate(value)
        return super()._search_display_name(operator, value)

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._check_values(vals, creating=True)
        return super().create(vals_list)

    def write(self, vals):
        self._check_values(vals, creating=False)
        return super().write(vals)

    @api.model
    def _check_values(self, vals, creating):
        """The plate normalised and the type plain text, or one error naming
        each wrong field; an empty or blank plate is refused by name (not
        by the database's anonymous "mandatory field" error)."""
        errors = {}
        if "license_plate" in vals or creating:
            vals["license_plate"], problem = required_plate(
                self.env, vals.get("license_plate")
            )
            if problem:
                errors["license_plate"] = problem
        if "vehicle_type" in vals or creating:
            vals["vehicle_type"], problem = clean_text(
                self.env, vals.get("vehicle_type"), MAX_VEHICLE_TYPE
            )
            if problem:
                errors["vehicle_type"] = problem
        if errors:
            raise ValidationError("\n".join(field_error_lines(self, errors)))

    @api.model
    def _find_or_create(self, plate, vehicle_type, partner, company):
        """The branch's vehicle with this plate (any typing), created for
        ``partner`` when it is new; its owner is set when it had none."""
        return self._find_or_create_many([(plate, vehicle_type, partner, company)])[0]

    @api.model
    def _find_or_create_many(self, requests):
        """``_find_or_create`` for each ``(plate, vehicle type, owner,
        branch)`` of ``requests``, as a list of vehicles: the plates
        claimed, the vehicles found and the new ones created for the whole
        batch at once (requests of one batch with the same plate in a branch
        share one vehicle).

        The plates are claimed first (``gema.claim``): requests with the
        same new plate at the same moment make one vehicle, and none of
        them meets the unique constraint."""
        keys = [
            (company.id, normalize_plate(self.env, plate))
            for plate, _type, _partner, company in requests
        ]
        self.env["gema.claim"]._claim(
            *(f"vehicle:{company_id}:{plate}" for company_id, plate in keys)
        )
        found = {
            (vehicle.company_id.id, vehicle.license_plate): vehicle
            for vehicle in self.with_context(active_test=False).search(
                [
                    ("license_plate", "in", [plate for _company, plate in keys]),
                    ("company_id", "in", [company for company, _plate in keys]),
                ]
            )
        }
        creates = {}
        for key, (_plate, vehicle_type, partner, _company) in zip(
            keys, requests, strict=True
        ):
            if key not in found and key not in creates:
                creates[key] = {
                    "license_plate": key[1],
                    "vehicle_type": vehicle_type,
                    "partner_id": partner.id,
                    "company_id": key[0],
                }
        found.update(zip(creates, self.create(list(creates.values())), strict=True))
        # A vehicle without owner gets the first of the batch's.
        owners = {}
        for key, (_plate, _type, partner, _company) in zip(keys, requests, strict=True):
            if not found[key].partner_id and partner:
                owners.setdefault(found[key], partner)
        for vehicle, partner in owners.items():
            vehicle.partner_id = partner
        return [found[key] for key in keys]
