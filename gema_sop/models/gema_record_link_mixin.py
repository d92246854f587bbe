from odoo import api, fields, models


class GemaRecordLinkMixin(models.AbstractModel):
    """A line about one SOP record: an SLA line, a violation, a message.

    Holds the reference (model and id, which may be any SOP model), the
    record's name for lists, computed per model in one query and only for
    records the user may read, and the button that opens the record.
    """

    _name = "gema.record.link.mixin"
    _description = "Link to an SOP Record"

    res_model = fields.Char(string="Model", index=True, readonly=True)
    res_id = fields.Many2oneReference(
        string="Record", model_field="res_model", index=True, readonly=True
    )
    record_name = fields.Char(compute="_compute_record_name")

    @api.depends("res_model", "res_id")
    def _compute_record_name(self):
        self.record_name = False
        for records in self._linked_records().values():
            names = {
                record.id: record.display_name
                for record in records._filtered_access("read")
            }
            for link in self.filtered(
                lambda link, m=records._name: link.res_model == m
            ):
                link.record_name = names.get(link.res_id, False)

    def _linked_records(self):
        """The linked records that still exist: {model name: recordset}."""
        return {
            res_model: self.env[res_model]
            .browse(links.filtered("res_id").mapped("res_id"))
            .exists()
            for res_model, links in self.grouped("res_model").items()
            if res_model and res_model in self.env
        }

    def _linked_record(self):
        """The linked record of one line, or None when it is gone."""
        self.ensure_one()
        records = self._linked_records().get(self.res_model)
        return records if records else None

    def action_open_record(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": self.res_model,
            "res_id": self.res_id,
            "view_mode": "form",
            "target": "current",
        }
