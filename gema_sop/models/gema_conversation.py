from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import plaintext2html

from ..tools import assign_numbers, clean_text
from .gema_customer_mixin import MAX_NAME
from .gema_sla_status import SLA_RESULTS

STATES = [
    ("new", "New"),
    ("answered", "Answered"),
    ("escalated", "Escalated"),
    ("closed", "Closed"),
]
# From a state, the steps of a conversation (buttons ``action_<step>``) and
# the state each leads to. Answering has no button: it happens by itself when
# the first message goes out; a customer writing again after an answer keeps
# the conversation answered. An escalation handled goes back to the officer.
TRANSITIONS = {
    "new": {"answer": "answered", "escalate": "escalated", "close": "closed"},
    "answered": {"escalate": "escalated", "close": "closed"},
    "escalated": {"resolve_escalation": "answered", "close": "closed"},
    "closed": {},
}
CHANNELS = [
    ("whatsapp", "WhatsApp"),
    ("live_chat", "Website Live Chat"),
    ("instagram", "Instagram"),
    ("facebook", "Facebook"),
    ("other", "Other Messaging App"),
]
REQUEST_TYPES = [
    ("general", "General Question"),
    ("information", "Information Request"),
    ("complaint", "Complaint"),
    ("special", "Special Request"),
]
PRIORITIES = [("0", "Normal"), ("1", "High"), ("2", "Urgent")]
DIVISIONS = [
    ("supervisor", "CS Supervisor"),
    ("workshop", "Workshop (Service Advisor)"),
    ("after_sales", "After-sales"),
    ("management", "Management"),
    ("other", "Other Division"),
]
OUTCOMES = [
    ("solved", "Solved"),
    ("information_given", "Information Given"),
    ("booking_made", "Booking Made"),
    ("escalation_solved", "Solved after Escalation"),
    ("not_solved", "Not Solved"),
    ("no_reply", "Customer Stopped Replying"),
]
MAX_SUMMARY = 2000
MAX_COMMENT = 500


class GemaConversation(models.Model):
    """A customer-service conversation over chat or WhatsApp (SOP CS).

    A conversation opens when a customer writes (the WhatsApp webhook files
    the message on the customer's open conversation of the branch, or opens
    one; staff log the other channels by hand), and its first-response clock
    (CS-4, 5 working minutes) starts at once. Customer messages are posted
    in the chatter with the subtype *Customer Message Received*, which never
    stops a "customer contacted" clock; the first message sent to the
    customer answers the conversation and stores the first response time.
    It may be escalated to a supervisor or a division (CS-5), and is closed
    only after the solution was confirmed, the customer was asked whether
    anything else is needed and the closing message was sent (CS-6). The
    customer rates it on a token page (CS-8); after the branch's retention
    period its content is removed and its statistics stay (CS-7, G-5).
    """

    _name = "gema.conversation"
    _description = "Chat Conversation"
    _inherit = [
        "gema.sla.mixin",
        "gema.message.mixin",
        "gema.state.mixin",
        "gema.customer.decision.mixin",
        "gema.customer.mixin",
        "gema.rating.mixin",
        "portal.mixin",
    ]
    _gema_transitions = TRANSITIONS
    # CS-7, G-5: after the branch's retention period the chatter, the log of
    # messages, the summary, the customer's name, number and partner link,
    # the escalation texts and the rating comment go; the number, branch,
    # channel, type, priority, officer, dates, first response, SLA lines,
    # escalation division, outcome and rating stay for the statistics.
    _gema_retention_months_field = "gema_conversation_retention_months"
    _gema_retention_date_field = "closed_date"
    _gema_retention_states = ("closed",)
    _gema_retention_cleared = {
        "summary": False,
        "customer_name": False,
        "customer_phone": False,
        "partner_id": False,
        "escalation_reason": False,
        "escalation_resolution": False,
    }
    # CS-6: the closing message counts once it left (link marked sent,
    # gateway accepted, email sent).
    _gema_sent_date_fields = {
        "gema_sop.mail_template_conversation_closing": "closing_sent_date",
    }
    _order = "priority desc, received_date desc, id desc"
    _check_company_auto = True
    _rec_names_search = ["name", "customer_name", "customer_phone"]
    # CS-8: the rating is the customer's, from the rating page only.
    _gema_customer_fields = ("rating", "rating_comment", "rated_date")

    name = fields.Char(
        string="Number",
        required=True,
        readonly=True,
        copy=False,
        index="trigram",
        default="/",
    )
    state = fields.Selection(
        STATES,
        default="new",
        required=True,
        tracking=True,
        copy=False,
        index=True,
        group_expand="_expand_states",
    )
    # The steps the state allows (``TRANSITIONS``), for the buttons.
    can_escalate = fields.Boolean(compute="_compute_gema_can")
    can_resolve_escalation = fields.Boolean(compute="_compute_gema_can")
    can_close = fields.Boolean(compute="_compute_gema_can")
    channel = fields.Selection(
        CHANNELS,
        required=True,
        default="whatsapp",
        tracking=True,
        index=True,
        help="Where the customer wrote (CS-1).",
    )
    partner_id = fields.Many2one(
        "res.partner",
        string="Customer",
        index=True,
        tracking=True,
        check_company=True,
        help="Found or created by the WhatsApp number (CS-2).",
    )
    customer_name = fields.Char(tracking=True)
    customer_phone = fields.Char(
        string="WhatsApp Number",
        tracking=True,
        help="Stored in international form (+62...).",
    )
    user_id = fields.Many2one(
        "res.users",
        string="CS Officer",
        index=True,
        tracking=True,
        default=lambda self: self._default_user_id(),
        domain="[('share', '=', False)]",
    )
    company_id = fields.Many2one(
        "res.company",
        string="Branch",
        required=True,
        index=True,
        default=lambda self: self.env.company,
    )
    summary = fields.Text(
        string="Customer's Request",
        help="What the customer asks, as first written (read it fully, CS-2).",
    )
    request_type = fields.Selection(
        REQUEST_TYPES,
        compute="_compute_request_type",
        store=True,
        precompute=True,
        readonly=False,
        required=True,
        index=True,
        tracking=True,
        help="Proposed from the words of the request (complaint, price, "
        "pick-up, ...); the officer corrects it (CS-3).",
    )
    priority = fields.Selection(
        PRIORITIES,
        compute="_compute_priority",
        store=True,
        precompute=True,
        readonly=False,
        index=True,
        tracking=True,
        help="Proposed from the words of the request (breakdown, accident: "
        "urgent; complaint, today: high); the officer corrects it (CS-3).",
    )
    received_date = fields.Datetime(
        string="Received On",
        required=True,
        default=fields.Datetime.now,
        index=True,
        readonly=True,
        copy=False,
    )
    last_inbound_date = fields.Datetime(
        string="Last Customer Message", readonly=True, copy=False
    )
    first_response_date = fields.Datetime(
        string="First Response On", readonly=True, copy=False
    )
    first_response_minutes = fields.Float(
        string="First Response (Minutes)",
        readonly=True,
        copy=False,
        # 0 until answered: averages are in the Chat Analysis report.
        aggregator=None,
        digits=(16, 1),
        help="Working minutes of the branch from the customer's message to "
        "the first answer (CS-4).",
    )
    first_response_result = fields.Selection(
        SLA_RESULTS,
        string="First Response",
        readonly=True,
        copy=False,
        index=True,
        help="Result of the 5-minute first response standard (CS-4).",
    )
    escalated_to_id = fields.Many2one(
        "res.users",
        tracking=True,
        copy=False,
        # Only people who can open the conversation: CS supervisors and
        # managers include the CS officer role.
        domain=lambda self: [
            ("share", "=", False),
            ("groups_id", "in", self.env.ref("gema_sop.group_cs_officer").ids),
        ],
    )
    escalation_division = fields.Selection(
        DIVISIONS, string="Division", tracking=True, copy=False
    )
    escalation_reason = fields.Text(copy=False)
    escalation_date = fields.Datetime(string="Escalated On", readonly=True, copy=False)
    escalation_resolution = fields.Text(
        copy=False, help="What the supervisor or division decided (CS-5)."
    )
    escalation_done_date = fields.Datetime(
        string="Escalation Handled On", readonly=True, copy=False
    )
    solved_confirmed = fields.Boolean(
        string="Solution Confirmed",
        copy=False,
        tracking=True,
        help="The customer confirmed the question or complaint is solved (CS-6).",
    )
    anything_else_asked = fields.Boolean(
        string="Asked If Anything Else",
        copy=False,
        tracking=True,
        help="The customer was asked whether they need anything else (CS-6).",
    )
    closing_sent_date = fields.Datetime(
        string="Closing Message Sent On", readonly=True, copy=False
    )
    outcome = fields.Selection(OUTCOMES, tracking=True, copy=False, index=True)
    booking_ids = fields.One2many(
        "gema.booking", "conversation_id", string="Bookings", readonly=True
    )
    booking_count = fields.Integer(compute="_compute_handover_counts")
    ticket_ids = fields.One2many(
        "gema.ticket", "conversation_id", string="After-sales Tickets", readonly=True
    )
    ticket_count = fields.Integer(compute="_compute_handover_counts")
    livechat_channel_ids = fields.One2many(
        "discuss.channel",
        "gema_conversation_id",
        string="Live Chat Sessions",
        readonly=True,
        help="The website live chat sessions filed on this conversation "
        "(CS-1); their messages are in the chatter.",
    )
    closed_date = fields.Datetime(
        string="Closed On", readonly=True, copy=False, index=True
    )
    rating = fields.Integer(
        compute="_compute_gema_rating",
        store=True,
        readonly=True,
        copy=False,
        # 0 until rated: averages are in the Chat Analysis report.
        aggregator=None,
        help="The customer's rating, 1 (poor) to 5 (excellent) (CS-8).",
    )

    _sql_constraints = [
        (
            "rating_range",
            "CHECK (rating IS NULL OR rating BETWEEN 0 AND 5)",
            "A rating is between 1 and 5.",
        ),
    ]

    @api.model
    def _default_user_id(self):
        user = self.env.user
        if (
            user._is_internal()
            and not user._is_superuser()
            and user.has_group("gema_sop.group_cs_officer")
        ):
            return user
        return self.env["res.users"]

    # Computes ----------------------------------------------------------------

    @api.depends("summary")
    def _compute_request_type(self):
        """CS-3: proposed by the desk's keywords (``gema.conversation.keyword``)."""
        self._classify("request_type", "general")

    @api.depends("summary")
    def _compute_priority(self):
        """CS-3: proposed by the desk's keywords (``gema.conversation.keyword``)."""
        self._classify("priority", "0")

    def _classify(self, field, default):
        """``field`` proposed from the words of the request, else
        ``default``. An emptied summary (retention, CS-7) keeps the
        classification."""
        Keyword = self.env["gema.conversation.keyword"]
        for conversation in self:
            if conversation.summary or not conversation[field]:
                conversation[field] = (
                    Keyword._propose(
                        field, conversation.summary, conversation.company_id
                    )
                    or default
                )

    def _expand_states(self, states, domain):
        """The desk's kanban shows every state, in the order of the flow."""
        return [key for key, _label in STATES]

    def _compute_access_url(self):
        for conversation in self:
            conversation.access_url = f"/chat/rate/{conversation.id}"

    def _compute_display_name(self):
        for conversation in self:
            parts = [conversation.name, conversation.customer_name]
            conversation.display_name = " - ".join(p for p in parts if p)

    # Constraints -------------------------------------------------------------

    @api.constrains("summary")
    def _check_summary(self):
        long = self.filtered(lambda c: len(c.summary or "") > MAX_SUMMARY)
        if long:
            raise ValidationError(
                self.env._(
                    "Keep the request summary under %(max)s characters; the "
                    "messages themselves are in the chatter: %(conversations)s",
                    max=MAX_SUMMARY,
                    conversations=", ".join(long.mapped("display_name")),
                )
            )

    # CRUD --------------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        assign_numbers(self, vals_list)
        conversations = super().create(vals_list)
        conversations._link_customer()
        return conversations

    def write(self, vals):
        result = super().write(vals)
        if "customer_phone" in vals:
            self._link_customer()
        return result

    def _link_customer(self):
        """CS-2: the message is logged with the customer's data: the partner
        of the number (found or created by ``gema.customer.mixin``), and the
        name and number from it when they were not given."""
        for conversation in self:
            partner = conversation.partner_id
            if partner and not conversation.customer_name:
                conversation.customer_name = partner.name
            if partner.gema_whatsapp_e164 and not conversation.customer_phone:
                conversation.customer_phone = partner.gema_whatsapp_e164

    def _transition_refused(self, state):
        return self.env._(
            "A conversation cannot go from %(from)s to %(to)s: %(conversations)s",
            **{
                "from": self._states_text(),
                "to": self._state_label(state),
                "conversations": ", ".join(self.mapped("display_name")),
            },
        )

    # Customer and messages --------------------------------------------------

    def _customer_phone(self):
        self.ensure_one()
        return self.customer_phone or super()._customer_phone()

    def _message_post_after_hook(self, message, msg_vals):
        """The first message to the customer answers the conversation and
        stores the first response time (CS-4); one still to be sent (an
        email, a WhatsApp reply: ``gema_message_pending``) answers when it
        left (``_on_message_sent``). A customer's message only updates the
        time of their last message."""
        result = super()._message_post_after_hook(message, msg_vals)
        if message.subtype_id in self._customer_subtypes():
            if not self.env.context.get("gema_message_pending"):
                self._answered(message.date)
        elif message.subtype_id == self.env.ref("gema_sop.mt_customer_inbound"):
            self.write({"last_inbound_date": message.date})
        return result

    def _answered(self, moment):
        """CS-4: the first answer, at ``moment``, answers the conversation."""
        unanswered = self.filtered(lambda c: not c.first_response_date)
        unanswered.write({"first_response_date": moment})
        unanswered.filtered(lambda c: c.state == "new")._move("answered")

    def _on_message_sent(self, message):
        """A message posted before it left (an email, a WhatsApp reply
        typed in the chatter) stops the clocks and answers now, when it
        left (the clocks first: an answered conversation leaves CS-4)."""
        result = super()._on_message_sent(message)
        reply = message.channel == "whatsapp_api" and (
            message.mail_message_id.subtype_id == self.env.ref("mail.mt_comment")
        )
        if reply or not self.first_response_date:
            self._sla_event(contacted=True)
        self._answered(message.sent_date or fields.Datetime.now())
        return result

    def _log_inbound(self, text, moment=None, message_id=None, **post_values):
        """CS-2: log one customer message in the chatter, as written by the
        customer, with a subtype that does not count as contact
        (``post_values``: more of ``message_post``, e.g. its attachments)."""
        self.ensure_one()
        values = {
            "body": plaintext2html(text),
            "author_id": self.partner_id.id or False,
            # The customer may have no email: name the sender anyway, so
            # that the chatter shows who wrote.
            "email_from": self.partner_id.email_formatted
            or self.customer_name
            or self.customer_phone
            or self.env._("Customer"),
            "message_type": "comment",
            "subtype_xmlid": "gema_sop.mt_customer_inbound",
        }
        if message_id:
            values["message_id"] = message_id
        message = self.message_post(**values, **post_values)
        if moment:
            # The customer wrote at ``moment`` (WhatsApp's time), not when
            # Odoo received it. sudo: the date of a posted message is not
            # writable by users.
            message.sudo().date = moment
            self.sudo().write({"last_inbound_date": moment})
        return message

    @api.model
    def _open_of(self, company, partner, channel):
        """CS-2: ``partner``'s open conversation of ``company`` on
        ``channel``, where their new message goes (the latest, if several)."""
        return self.search(
            [
                ("company_id", "=", company.id),
                ("partner_id", "=", partner.id),
                ("channel", "=", channel),
                ("state", "!=", "closed"),
            ],
            order="id desc",
            limit=1,
        )

    @api.model
    def _receive_whatsapp(
        self, company, phone, name, text, moment, wamid, attachments=(), note=None
    ):
        """An incoming WhatsApp message of ``company``'s number: filed on the
        customer's open WhatsApp conversation of that branch, or on a new
        one whose first-response clock starts, with its ``attachments``
        (``(name, content, info)``: the photo, voice note, ... it carried)
        and, in the chatter only, the ``note`` of a file that could not be
        fetched; the conversation's officer is notified at once. A message Meta
        delivers a second time (same ``wamid``) is ignored. Returns the
        conversation."""
        if wamid:
            seen = (
                self.env["mail.message"]
                .sudo()
                .search(
                    [("model", "=", self._name), ("message_id", "=", wamid)], limit=1
                )
            )
            if seen:
                return self.browse(seen.res_id)
        # The sender's WhatsApp profile name is whatever they chose: kept
        # only when it is a plain name.
        name, problem = clean_text(self.env, name, MAX_NAME)
        if problem:
            name = False
        # A number WhatsApp delivered is a WhatsApp number, whatever its
        # type (a business may write from a landline).
        delivered = self.with_context(gema_whatsapp_delivered=True)
        partner = self.env["res.partner"]._gema_find_or_create_by_phone(phone, name)
        conversation = self._open_of(company, partner, "whatsapp")
        if not conversation:
            created = delivered.with_company(company).create(
                {
                    "company_id": company.id,
                    "channel": "whatsapp",
                    "partner_id": partner.id,
                    "customer_name": name or partner.name,
                    "customer_phone": phone,
                    "summary": (text or "")[:MAX_SUMMARY],
                    "received_date": moment or fields.Datetime.now(),
                }
            )
            conversation = self.browse(created.id)
        conversation._log_inbound(
            "\n".join(filter(None, [text, note])),
            moment=moment,
            message_id=wamid,
            attachments=list(attachments),
            partner_ids=conversation.user_id.partner_id.ids,
        )
        return conversation

    # Actions -----------------------------------------------------------------

    def action_log_customer_message(self):
        """CS-2: log by hand what the customer wrote on another channel."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "gema_sop.gema_conversation_log_wizard_action"
        )
        action["context"] = {"default_conversation_id": self.id}
        return action

    @api.depends("booking_ids", "ticket_ids")
    def _compute_handover_counts(self):
        for conversation in self:
            conversation.booking_count = len(conversation.booking_ids)
            conversation.ticket_count = len(conversation.ticket_ids)

    def action_create_booking(self):
        """BK-1: a booking request made in the chat becomes a booking of
        that channel, with what the customer already told (no retyping)."""
        self.ensure_one()
        channel = {
            "whatsapp": "whatsapp",
            "live_chat": "website",
            "instagram": "instagram",
            "facebook": "facebook",
        }.get(self.channel)
        return self._handover_action(
            "gema.booking",
            self.env._("New Booking"),
            {
                "default_channel": channel,
                "default_customer_name": self.customer_name or self.partner_id.name,
                "default_customer_phone": self.customer_phone,
                "default_complaint": self.summary,
            },
        )

    def action_create_ticket(self):
        """AS-1: a complaint about something bought or serviced becomes an
        after-sales ticket, with the customer and their words."""
        self.ensure_one()
        return self._handover_action(
            "gema.ticket",
            self.env._("New After-sales Ticket"),
            {
                "default_channel": "whatsapp" if self.channel == "whatsapp" else "app",
                "default_chronology": self.summary,
            },
        )

    def action_open_livechat(self):
        """CS-2: the conversation's latest live chat session in Discuss,
        where the officer answers; an officer not in it yet joins it (as a
        live chat user can join any session of the channel)."""
        self.ensure_one()
        # sudo: an officer of the desk who is not in the session (yet)
        # cannot read it.
        session = self.sudo().livechat_channel_ids.sorted("id")[-1:]
        if not session:
            raise UserError(
                self.env._(
                    "%(conversation)s has no website live chat session.",
                    conversation=self.display_name,
                )
            )
        partner = self.env.user.partner_id
        if partner not in session.channel_member_ids.partner_id:
            session.add_members(partner_ids=partner.ids)
        return {
            "type": "ir.actions.client",
            "tag": "mail.action_discuss",
            "params": {"active_id": f"discuss.channel_{session.id}"},
        }

    def action_open_bookings(self):
        self.ensure_one()
        return self.booking_ids._get_records_action(name=self.env._("Bookings"))

    def action_open_tickets(self):
        self.ensure_one()
        return self.ticket_ids._get_records_action(
            name=self.env._("After-sales Tickets")
        )

    def _handover_action(self, model, name, defaults):
        """The form of a new ``model`` record linked to this conversation."""
        return {
            "type": "ir.actions.act_window",
            "name": name,
            "res_model": model,
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "current",
            "context": {
                "default_conversation_id": self.id,
                "default_company_id": self.company_id.id,
                "default_partner_id": self.partner_id.id,
                **defaults,
            },
        }

    def action_escalate(self):
        """CS-5: the escalation form is filled in (to whom or which division,
        and why); the conversation goes to that person's desk with an
        activity, and the escalation time standard starts."""
        self._check_action("escalate")
        incomplete = self.filtered(
            lambda c: not (c.escalated_to_id or c.escalation_division)
            or not (c.escalation_reason or "").strip()
        )
        if incomplete:
            raise UserError(
                self.env._(
                    "Fill in the escalation form first: to whom or to which "
                    "division, and the reason: %(conversations)s",
                    conversations=", ".join(incomplete.mapped("display_name")),
                )
            )
        for conversation in self:
            if not conversation.escalated_to_id:
                conversation.escalated_to_id = conversation._branch_supervisor()
        self._move(
            "escalated",
            escalation_date=fields.Datetime.now(),
            escalation_done_date=False,
        )
        for conversation in self.filtered("escalated_to_id"):
            conversation.activity_schedule(
                "mail.mail_activity_data_todo",
                user_id=conversation.escalated_to_id.id,
                summary=self.env._("Escalated conversation: please handle"),
                note=plaintext2html(conversation.escalation_reason),
            )

    def action_resolve_escalation(self):
        """CS-5: the supervisor (or division) wrote the answer: back to the
        officer, who tells the customer and closes."""
        not_escalated = self.filtered(lambda c: not c.can_resolve_escalation)
        if not_escalated:
            raise UserError(
                self.env._(
                    "Only escalated conversations can be handled as escalations: "
                    "%(conversations)s",
                    conversations=", ".join(not_escalated.mapped("display_name")),
                )
            )
        user = self.env.user
        not_mine = self.filtered(
            lambda c: c.escalated_to_id != user
            and not user.has_group("gema_sop.group_cs_supervisor")
        )
        if not_mine:
            raise UserError(
                self.env._(
                    "Only the person the conversation was escalated to, or a "
                    "CS supervisor, can record how it was handled: "
                    "%(conversations)s",
                    conversations=", ".join(not_mine.mapped("display_name")),
                )
            )
        missing = self.filtered(lambda c: not (c.escalation_resolution or "").strip())
        if missing:
            raise UserError(
                self.env._(
                    "Write how the escalation was handled first: %(conversations)s",
                    conversations=", ".join(missing.mapped("display_name")),
                )
            )
        self.activity_feedback(
            ["mail.mail_activity_data_todo"],
            user_id=False,
            feedback=self.env._("Escalation handled."),
        )
        self._move("answered", escalation_done_date=fields.Datetime.now())

    def action_send_closing(self):
        """CS-6: the closing message, with thanks and the rating link, once
        the solution is confirmed and the customer was asked whether they
        need anything else. Returns the click-to-chat link to open."""
        closed = self.filtered(lambda c: c.state == "closed")
        if closed:
            raise UserError(
                self.env._(
                    "These conversations are already closed: %(conversations)s",
                    conversations=", ".join(closed.mapped("display_name")),
                )
            )
        self._check_closing_steps(need_closing_sent=False)
        template = self.env.ref("gema_sop.mail_template_conversation_closing")
        messages = self.env["gema.message"]
        for conversation in self:
            conversation._portal_ensure_token()
            if not conversation._send_in_livechat(template):
                messages |= conversation._send_message(
                    template, conversation._channel()
                )
        return self._open_link(messages)

    def action_close(self):
        """CS-6/CS-7: close with the outcome, after the closing steps."""
        self._check_action("close")
        self._check_closing_steps(need_closing_sent=True)
        no_outcome = self.filtered(lambda c: not c.outcome)
        if no_outcome:
            raise UserError(
                self.env._(
                    "Record the outcome before closing: %(conversations)s",
                    conversations=", ".join(no_outcome.mapped("display_name")),
                )
            )
        self._move("closed", closed_date=fields.Datetime.now())

    def _send_in_livechat(self, template):
        """CS-6: while the visitor is still in the website live chat, the
        message goes there, in the current user's name, and has left at
        once. Returns whether it was sent so."""
        self.ensure_one()
        session = self.livechat_channel_ids.filtered("livechat_active")[-1:]
        if not session:
            return False
        text = template._gema_render_text(self.id)
        # sudo: the officer answers the desk's conversation, whether or not
        # they are a member of its live chat session; the session files the
        # message in the chatter (discuss.channel).
        session.sudo().message_post(
            body=plaintext2html(text),
            message_type="comment",
            subtype_xmlid="mail.mt_comment",
            author_id=self.env.user.partner_id.id,
        )
        field = self._gema_sent_date_fields.get(template.get_external_id()[template.id])
        if field and not self[field]:
            self.sudo()[field] = fields.Datetime.now()
        return True

    def _remove_content(self, when):
        """CS-7, G-5: the live chat sessions go with the content, and with
        them the visitor's country and time zone (their guest)."""
        sessions = self.sudo().livechat_channel_ids
        guests = sessions.channel_member_ids.guest_id
        result = super()._remove_content(when)
        sessions.unlink()
        guests.filtered(lambda g: not g.channel_ids).unlink()
        return result

    def _check_closing_steps(self, need_closing_sent):
        problems = []
        for conversation in self:
            missing = []
            if not conversation.solved_confirmed:
                missing.append(self.env._("the solution confirmed by the customer"))
            if not conversation.anything_else_asked:
                missing.append(self.env._("asking whether anything else is needed"))
            if need_closing_sent and not conversation.closing_sent_date:
                missing.append(self.env._("the closing message sent"))
            if missing:
                problems.append(f"{conversation.display_name}: {', '.join(missing)}")
        if problems:
            raise UserError(
                self.env._(
                    "A conversation is closed only after the closing steps "
                    "(CS-6). Missing:\n%(problems)s",
                    problems="\n".join(problems),
                )
            )

    def _branch_supervisor(self):
        """A CS supervisor (not a manager) of the conversation's branch."""
        self.ensure_one()
        return self._sla_people()[self.id]["supervisor"]

    # Customer rating ---------------------------------------------------------

    def _rate(self, rating, comment):
        """CS-8: the customer's one rating, from the token page (sudo)."""
        self.ensure_one()
        if self.rating:
            raise UserError(self.env._("This conversation has already been rated."))
        if not (self.closing_sent_date or self.state == "closed"):
            raise UserError(
                self.env._("The conversation can be rated once it is closed.")
            )
        self._record_rating(
            rating,
            comment,
            MAX_COMMENT,
            self.env._("The customer rated the conversation:"),
        )

    # SLA -------------------------------------------------------------------

    def _sla_owner(self):
        """The escalation clock belongs to the person escalated to."""
        if self.state == "escalated" and self.escalated_to_id:
            return self.escalated_to_id
        return super()._sla_owner()
