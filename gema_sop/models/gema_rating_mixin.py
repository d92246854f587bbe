from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError

# The scale the customer sees and the value a rating.rating row holds: the
# same 1 to 5 (Odoo's own smileys store 1, 3 and 5 on that scale).
SCALE = range(1, 6)
# rating.mixin's statistics of a record: the desk's, like the rating rows
# (security/gema_rating_rules.xml), not every employee's.
DESK = "gema_sop.group_cs_officer"


class GemaRatingMixin(models.AbstractModel):
    """The customer's one rating of an SOP record (CS-8, AS-5), held by
    Odoo's ``rating`` module: one ``rating.rating`` row per rated record,
    with the value 1 to 5 as the customer chose it, the comment, the
    customer and the rated officer, and the branch as its parent, so that
    Odoo's rating statistics (``rating.mixin``, its rating views: *SOP
    Compliance > Customer Ratings*) count the SOP's ratings like any
    other. The record's ``rating``, ``rating_comment`` and ``rated_date``
    are stored from that row, for the lists, pivots and SQL reports.

    The rating is the customer's own decision
    (``gema.customer.decision.mixin``): their token page checks the visitor
    (``controllers/access.py``) and then calls the model's ``_rate`` as
    superuser, which refuses a second rating and stores the first with
    ``_record_rating``. A row has no access token, so Odoo's
    ``/rate/<token>`` pages cannot reach it, and no user writes these rows
    (``security/gema_rating_rules.xml``).
    """

    _name = "gema.rating.mixin"
    _description = "SOP Record Rated by its Customer"
    _inherit = ["rating.mixin", "gema.retention.mixin"]

    rating_comment = fields.Text(
        string="Customer's Comment",
        compute="_compute_gema_rating",
        store=True,
        readonly=True,
        copy=False,
    )
    rated_date = fields.Datetime(
        string="Rated On",
        compute="_compute_gema_rating",
        store=True,
        readonly=True,
        copy=False,
    )
    rating_last_value = fields.Float(groups=DESK)
    rating_last_feedback = fields.Text(groups=DESK)
    rating_last_image = fields.Binary(groups=DESK)
    rating_count = fields.Integer(groups=DESK)
    rating_avg = fields.Float(groups=DESK)
    rating_avg_text = fields.Selection(groups=DESK)
    rating_percentage_satisfaction = fields.Float(groups=DESK)
    rating_last_text = fields.Selection(groups=DESK)

    @api.depends(
        "rating_ids.rating",
        "rating_ids.feedback",
        "rating_ids.consumed",
        "rating_ids.create_date",
    )
    def _compute_gema_rating(self):
        selection = self._fields["rating"].type == "selection"
        for record in self:
            given = record.rating_ids.filtered("consumed")[:1]
            value = round(given.rating) if given else 0
            record.rating = (str(value) if value else False) if selection else value
            record.rating_comment = given.feedback
            record.rated_date = given.create_date

    def _get_allowed_message_post_params(self):
        # portal_rating (installed with rating and portal) lets a chatter
        # message carry a rating: not on these records (see message_post).
        return super()._get_allowed_message_post_params() - {"rating_value"}

    @api.returns("mail.message", lambda value: value.id)
    def message_post(self, **kwargs):
        """A message never carries a rating here: rating's message_post
        would create one as superuser for whoever posts (staff by XML-RPC,
        a token holder in the portal chatter), past the one-rating rule
        of ``_rate`` and the customer-only rule of the customer's page."""
        if kwargs.get("rating_value"):
            raise UserError(
                self.env._(
                    "A message cannot carry a rating: the customer rates on "
                    "their own page."
                )
            )
        return super().message_post(**kwargs)

    def _rating_get_parent_field_name(self):
        # The branch: its ratings are counted together, and the rule on the
        # rating rows keeps each branch's to those who work in it.
        return "company_id"

    def _remove_content(self, when):
        """The retention and the erasure (G-5) also take the rating's
        comment and customer; its value stays for the statistics."""
        result = super()._remove_content(when)
        # sudo: no user writes a rating row (see the class).
        self.sudo().rating_ids.write({"feedback": False, "partner_id": False})
        return result

    def _record_rating(self, rating, comment, max_comment, note):
        """Store the customer's rating ``rating`` (1 to 5) with its comment
        cut to ``max_comment`` characters, and say so in the chatter:
        ``note`` names what was rated. The model checked before that this
        record may be rated now (not rated yet: one rating per record); its
        customer's page calls this as superuser (see the class)."""
        self.ensure_one()
        if str(rating) not in {str(value) for value in SCALE}:
            raise UserError(self.env._("Choose a rating from 1 to 5."))
        # sudo: the customer's page checked the visitor; no user creates a
        # rating row. The row is not linked to the chatter note: the
        # retention removes the chatter, and the rating stays.
        self.env["rating.rating"].sudo().create(
            {
                "res_model_id": self.env["ir.model"]._get_id(self._name),
                "res_id": self.id,
                "partner_id": self._rating_get_partner().id,
                "rated_partner_id": self._rating_get_operator().id,
                "rating": int(rating),
                "feedback": (comment or "").strip()[:max_comment] or False,
                "consumed": True,
                "access_token": False,
            }
        )
        # Stored now: the update of the record's row makes a second request
        # at the same moment wait, and then find the rating.
        self.flush_recordset(["rating", "rating_comment", "rated_date"])
        self.message_post(
            body=Markup("%s %s") % (note, f"{rating}/5"),
            subtype_xmlid="mail.mt_note",
        )
