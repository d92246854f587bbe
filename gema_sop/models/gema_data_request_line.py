from odoo import fields, models

DECISIONS = [
    ("erase", "Erased or anonymised"),
    ("keep", "Kept"),
    ("open", "Still in use"),
]


class GemaDataRequestLine(models.Model):
    """One record held about the person of a data subject request (G-5),
    found by *Find*: what it is, how many chatter messages it has, and what
    *Erase* does with it and why (``decision``, ``reason``)."""

    _name = "gema.data.request.line"
    _description = "Record Held About a Data Subject"
    _order = "request_id, sequence, id"

    request_id = fields.Many2one(
        "gema.data.request", required=True, ondelete="cascade", index=True
    )
    sequence = fields.Integer()
    res_model = fields.Char(string="Model", required=True)
    res_id = fields.Many2oneReference(
        string="Record ID", model_field="res_model", required=True
    )
    model_label = fields.Char(string="Kind of Record")
    record_name = fields.Char(string="Record")
    state_label = fields.Char(string="State")
    message_count = fields.Integer(string="Chatter Messages")
    decision = fields.Selection(DECISIONS, string="On Erasure")
    reason = fields.Char(string="Why")
