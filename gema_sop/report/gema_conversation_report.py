from odoo import fields, models
from odoo.tools import SQL

from ..models.gema_conversation import CHANNELS, OUTCOMES, REQUEST_TYPES, STATES
from ..models.gema_sla_status import SLA_RESULTS


class GemaConversationReport(models.Model):
    """Chat service analysis for supervisors and management (CS-8).

    One line per conversation, read from ``gema_conversation``. It exists
    for its averages: a conversation not answered yet has no first response
    time and an unrated one no rating, so both are NULL here and left out of
    the averages (on the conversation itself they are stored as 0, which
    would pull every average down).
    """

    _name = "gema.conversation.report"
    _description = "Chat Service Analysis"
    _auto = False
    _order = "received_date desc, id desc"
    # The conversation fields the query reads: flushed before it runs.
    _depends = {
        "gema.conversation": [
            "company_id",
            "user_id",
            "channel",
            "request_type",
            "state",
            "outcome",
            "received_date",
            "gema_sla_result",
            "first_response_result",
            "first_response_date",
            "first_response_minutes",
            "rating",
            "escalation_date",
        ],
    }

    conversation_id = fields.Many2one("gema.conversation", readonly=True)
    company_id = fields.Many2one("res.company", string="Branch", readonly=True)
    user_id = fields.Many2one("res.users", string="CS Officer", readonly=True)
    channel = fields.Selection(CHANNELS, readonly=True)
    request_type = fields.Selection(REQUEST_TYPES, readonly=True)
    state = fields.Selection(STATES, readonly=True)
    outcome = fields.Selection(OUTCOMES, readonly=True)
    received_date = fields.Datetime(string="Received On", readonly=True)
    gema_sla_result = fields.Selection(SLA_RESULTS, string="SLA Result", readonly=True)
    first_response_result = fields.Selection(
        SLA_RESULTS, string="First Response", readonly=True
    )
    first_response_minutes = fields.Float(
        string="First Response (Minutes)",
        readonly=True,
        aggregator="avg",
        digits=(16, 1),
        help="Average over the answered conversations.",
    )
    rating = fields.Float(
        string="Average Rating",
        readonly=True,
        aggregator="avg",
        digits=(16, 2),
        help="Average over the rated conversations, 1 to 5.",
    )
    answered_count = fields.Integer(string="Answered", readonly=True)
    rated_count = fields.Integer(string="Rated", readonly=True)
    escalated_count = fields.Integer(string="Escalated", readonly=True)

    @property
    def _table_query(self):
        return SQL(
            """
            SELECT c.id,
                   c.id AS conversation_id,
                   c.company_id,
                   c.user_id,
                   c.channel,
                   c.request_type,
                   c.state,
                   c.outcome,
                   c.received_date,
                   c.gema_sla_result,
                   c.first_response_result,
                   CASE WHEN c.first_response_date IS NOT NULL
                        THEN c.first_response_minutes END AS first_response_minutes,
                   NULLIF(c.rating, 0)::float AS rating,
                   (c.first_response_date IS NOT NULL)::int AS answered_count,
                   (COALESCE(c.rating, 0) > 0)::int AS rated_count,
                   (c.escalation_date IS NOT NULL)::int AS escalated_count
              FROM gema_conversation c
            """
        )
