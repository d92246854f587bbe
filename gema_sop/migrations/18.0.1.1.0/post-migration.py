"""18.0.1.0.0 -> 18.0.1.1.0, after the new schema is loaded.

Odoo's update adds the new columns (message ``dedupe_key``,
``sending_date``, ``link_opened_date``, ``delivered_date``, ``read_date``;
``customer_link`` and the walk-in/new customer name and number of jobs and
tickets), the new ``gema.claim`` table, the new message states (their old
values queued, sent, failed, cancelled keep their meaning) and the new
privacy rules, the SLA mixin's on-time share (``gema_sla_on_time``,
``gema_sla_on_time_rate``, computed on install of the columns; they
replace the job's ``updates_on_time(_rate)`` and the follow-up's
``on_time_rate``, same values), the SLA claim's index and Odoo's
``rating`` module (a new dependency); none of them needs old data moved.
What the update cannot carry is below, one step per change;
``tools/upgrade_check.sh`` installs 18.0.1.0.0 with data, upgrades it and
checks each step.

A later change adds its step to ``STEPS`` (and its check to
``tools/upgrade_check.py``).
"""

import logging

from odoo import SUPERUSER_ID, api
from odoo.tools import SQL

_logger = logging.getLogger(__name__)

# The SOP records' "customer was told" dates that a message sets now, the
# moment it left (18.0.1.0.0 set them when the button was pressed, also for
# a gateway message still queued): (model, template xmlid, date field).
SENT_ONCE = [
    ("gema.conversation", "mail_template_conversation_closing", "closing_sent_date"),
    ("gema.service.job", "mail_template_service_job_initial", "initial_notice_date"),
    ("gema.ticket", "mail_template_ticket_number", "ticket_number_sent_date"),
    ("gema.ticket", "mail_template_ticket_warranty", "warranty_told_date"),
    ("gema.ticket", "mail_template_ticket_shipping", "shipping_notice_date"),
]
# Dates set again for each notice (a new delay clears the date): the latest
# message of the template decides.
SENT_LATEST = [
    ("gema.service.job", "mail_template_service_job_delay", "delay_notice_date"),
]
# Also set by a phone call (the follow-up's first attempt): only filled in
# when a message left and nothing set it.
SENT_FILL_ONLY = [
    ("gema.followup", "mail_template_followup_message", "first_attempt_date"),
]
# The booking's reminder: the message that left sets the date (every time);
# a reminder still queued keeps the date of its planning, because the old
# messages carry no purpose key and the cron would plan it again.
SENT_REMINDER = [
    ("gema.booking", "mail_template_booking_reminder", "reminder_sent_date"),
]
LEFT = SQL("('sent', 'delivered', 'read')")


def migrate(cr, version):
    if not version:
        return
    env = api.Environment(cr, SUPERUSER_ID, {})
    for step in STEPS:
        step(env)


def _messages(env, model, template_xmlid):
    """SQL of the messages of ``template_xmlid`` about the records of
    ``model`` (aliased ``m``), ``None`` when the template is gone."""
    template = env.ref(f"gema_sop.{template_xmlid}", raise_if_not_found=False)
    if not template:
        return None
    return SQL(
        "gema_message m WHERE m.res_model = %s AND m.template_id = %s",
        model,
        template.id,
    )


def _update(env, model, field, value, where, messages):
    table = SQL.identifier(env[model]._table)
    column = SQL.identifier(field)
    env.cr.execute(
        SQL(
            "UPDATE %(table)s r SET %(column)s = %(value)s "
            "WHERE EXISTS (SELECT 1 FROM %(messages)s AND m.res_id = r.id) "
            "AND %(where)s",
            table=table,
            column=column,
            value=value,
            where=where,
            messages=messages,
        )
    )
    return env.cr.rowcount


def _first_left(messages):
    return SQL(
        "(SELECT min(m.sent_date) FROM %s AND m.res_id = r.id AND m.state IN %s)",
        messages,
        LEFT,
    )


def _latest(messages):
    return SQL(
        "(SELECT m.id FROM %s AND m.res_id = r.id ORDER BY m.id DESC LIMIT 1)",
        messages,
    )


def message_sent_dates(env):
    """The "customer was told" dates are the moment the message left
    (commit 9360f87, AS-1, AS-2, AS-4, CS-6, FU-4, ST-1, ST-5, BK-6).

    For a record with messages of the date's template:
    - one-time dates (``SENT_ONCE``): the first message that left gives the
      date; none left (queued, failed, cancelled) empties it, so a queued
      message sets it when it leaves and a failed one stops no clock;
    - the delay notice (``SENT_LATEST``): the latest notice's moment if it
      left, else empty (the notice of the current delay has not left);
    - the follow-up's first attempt (``SENT_FILL_ONLY``): only an empty
      date is filled in (a phone call also sets it);
    - the reminder (``SENT_REMINDER``): a set date takes the moment the
      latest reminder left; nothing else changes.
    Records without such messages keep their dates. SLA lines already
    closed keep their times (no line is reopened or restarted).
    """
    for model, xmlid, field in SENT_ONCE + SENT_FILL_ONLY:
        messages = _messages(env, model, xmlid)
        if messages is None:
            continue
        column = SQL.identifier(field)
        where = SQL("r.%s IS NULL AND %s IS NOT NULL", column, _first_left(messages))
        if (model, xmlid, field) in SENT_ONCE:
            where = SQL("r.%s IS DISTINCT FROM %s", column, _first_left(messages))
        count = _update(env, model, field, _first_left(messages), where, messages)
        _logger.info("gema_sop 18.0.1.1.0: %s.%s of %s records", model, field, count)
    for model, xmlid, field in SENT_LATEST + SENT_REMINDER:
        messages = _messages(env, model, xmlid)
        if messages is None:
            continue
        column = SQL.identifier(field)
        left = SQL(
            "(SELECT m.sent_date FROM gema_message m WHERE m.id = %s "
            "AND m.state IN %s)",
            _latest(messages),
            LEFT,
        )
        where = SQL("r.%s IS DISTINCT FROM %s", column, left)
        if (model, xmlid, field) in SENT_REMINDER:
            where = SQL(
                "r.%s IS NOT NULL AND %s IS NOT NULL AND %s", column, left, where
            )
        count = _update(env, model, field, left, where, messages)
        _logger.info("gema_sop 18.0.1.1.0: %s.%s of %s records", model, field, count)


def message_sending_date(env):
    """The new "Last Attempt" of a gateway message (``sending_date``):
    for one that was sent, its last attempt is the one that sent it."""
    env.cr.execute(
        SQL(
            "UPDATE gema_message SET sending_date = sent_date "
            "WHERE channel = 'whatsapp_api' AND state IN %s AND attempts > 0 "
            "AND sending_date IS NULL AND sent_date IS NOT NULL",
            LEFT,
        )
    )
    _logger.info(
        "gema_sop 18.0.1.1.0: last attempt of %s gateway messages", env.cr.rowcount
    )


def sla_policy_result_fields(env):
    """The shipped first-response policies (BK-2, CS-4) now name the
    record's fields that keep their result and time taken; their records
    are ``noupdate``, so an existing database gets the fields here (only
    where none is set)."""
    fields_of = {
        "sla_policy_bk2_first_response": {
            "result_field_id": "field_gema_booking__frt_result",
        },
        "sla_policy_cs4_first_response": {
            "result_field_id": "field_gema_conversation__first_response_result",
            "elapsed_field_id": "field_gema_conversation__first_response_minutes",
        },
    }
    for policy_xmlid, values in fields_of.items():
        policy = env.ref(f"gema_sop.{policy_xmlid}", raise_if_not_found=False)
        if not policy:
            continue
        missing = {
            name: env.ref(f"gema_sop.{field_xmlid}").id
            for name, field_xmlid in values.items()
            if not policy[name]
        }
        if missing:
            policy.write(missing)
            _logger.info("gema_sop 18.0.1.1.0: %s names %s", policy_xmlid, missing)


def retention_off_until_chosen(env):
    """Bookings and tickets now have a retention period per branch
    (G-5), whose defaults (12 and 60 months) would remove the content of a
    database's old records at the next daily run. An upgraded database
    starts with them off (0 keeps everything): the branch chooses them in
    the settings."""
    env.cr.execute(
        SQL(
            "UPDATE res_company SET gema_booking_retention_months = 0, "
            "gema_ticket_retention_months = 0"
        )
    )
    _logger.info("gema_sop 18.0.1.1.0: booking and ticket retention off")


def ticket_cancelled_date(env):
    """A ticket now records when it was cancelled (its retention counts
    from it); for one cancelled before, its last change is that moment."""
    tickets = env["gema.ticket"].search(
        [("state", "=", "cancelled"), ("cancelled_date", "=", False)]
    )
    for ticket in tickets:
        ticket.cancelled_date = ticket.write_date
    _logger.info("gema_sop 18.0.1.1.0: cancel date of %s tickets", len(tickets))


def testimonial_consent_from_followups(env):
    """G-5: the social media permission a follow-up recorded is now also
    the customer's consent (``gema.consent``), with its date, the one who
    recorded it and the follow-up's contact channel. Nothing else is
    assumed: no WhatsApp opt-in is invented for existing customers."""
    followups = env["gema.followup"].search(
        [("social_permission", "!=", False), ("partner_id", "!=", False)],
        order="social_permission_date, id",
    )
    env["gema.consent"].create(
        [
            {
                "partner_id": followup.partner_id.id,
                "kind": "testimonial",
                "answer": "granted"
                if followup.social_permission == "granted"
                else "withdrawn",
                "channel": followup.contact_channel or "phone",
                "date": followup.social_permission_date or followup.write_date,
                "user_id": followup.social_permission_by_id.id,
                "company_id": followup.company_id.id,
                "res_model": "gema.followup",
                "res_id": followup.id,
            }
            for followup in followups
        ]
    )
    _logger.info(
        "gema_sop 18.0.1.1.0: testimonial consent of %s follow-ups", len(followups)
    )


# The step of each shipped checklist item (BK-12, ST-10, FU-8): their data
# file is ``noupdate``, so an upgraded database gets them here.
CHECKLIST_STEPS = {
    "confirm": [f"mail_activity_plan_booking_checklist_{item}" for item in range(1, 7)],
    "reminder_day": ["mail_activity_plan_booking_checklist_7"],
    "inspection": [
        f"mail_activity_plan_template_st10_{item}"
        for item in ("progress", "extra_work", "contacted", "explained", "evidence")
    ],
    "approval": [
        "mail_activity_plan_template_st10_approval",
        "mail_activity_plan_template_st10_confirmation",
    ],
    "long_job": ["mail_activity_plan_template_st10_followup"],
    "call": [
        "mail_activity_plan_template_fu8_data_checked",
        "mail_activity_plan_template_fu8_contacted",
    ],
    "contacted": [
        f"mail_activity_plan_template_fu8_{item}"
        for item in ("condition", "feedback", "testimonial", "review_link")
    ],
}


def checklist_steps(env):
    """Checklist items are now planned at their SOP step (issue 14); a
    shipped item without its step would be planned with the first step."""
    for step, xmlids in CHECKLIST_STEPS.items():
        for xmlid in xmlids:
            template = env.ref(f"gema_sop.{xmlid}", raise_if_not_found=False)
            if template and not template.gema_step:
                template.gema_step = step
    _logger.info("gema_sop 18.0.1.1.0: checklist items have their step")


# CS-8, AS-5: the models whose 1-5 rating 18.0.1.0.0 kept in the record's
# own columns (rating, rating_comment, rated_date).
RATED_MODELS = ("gema.conversation", "gema.ticket")


def ratings_to_rating_records(env):
    """A customer's rating is now Odoo's ``rating.rating`` row of the
    record (``gema.rating.mixin``): each rated conversation and ticket gets
    its row with the value as the customer gave it (1 to 5, not Odoo's
    1/3/5), the comment, the moment (the row's creation), the customer and
    the rated officer; the record's columns, now stored from the row, keep
    their values. Read with SQL: the ORM's values are the new computed
    ones."""
    for model in RATED_MODELS:
        env.cr.execute(
            SQL(
                "SELECT r.id, r.rating::int, r.rating_comment, r.rated_date "
                "FROM %(table)s r WHERE COALESCE(r.rating::text, '0') "
                "NOT IN ('0', '') AND NOT EXISTS (SELECT 1 FROM rating_rating g "
                "WHERE g.res_model = %(model)s AND g.res_id = r.id AND g.consumed) "
                "ORDER BY r.id",
                table=SQL.identifier(env[model]._table),
                model=model,
            )
        )
        rows = env.cr.fetchall()
        records = env[model].browse([row[0] for row in rows])
        model_id = env["ir.model"]._get_id(model)
        env["rating.rating"].create(
            [
                {
                    "res_model_id": model_id,
                    "res_id": record.id,
                    "partner_id": record.partner_id.id,
                    "rated_partner_id": record._rating_get_operator().id,
                    "rating": value,
                    "feedback": comment,
                    "consumed": True,
                    "access_token": False,
                    "create_date": rated_date,
                }
                for record, (_id, value, comment, rated_date) in zip(
                    records, rows, strict=True
                )
            ]
        )
        _logger.info(
            "gema_sop 18.0.1.1.0: %s ratings of %s kept as rating records",
            len(rows),
            model,
        )


def livechat_channels(env):
    """The website live chat is new (issue 15): every branch gets its
    channel with its CS officers as operators, as an install does (the
    data file's call runs on install only)."""
    env["im_livechat.channel"]._gema_setup_branches()
    _logger.info("gema_sop 18.0.1.1.0: live chat channels of the branches")


STEPS = [
    message_sent_dates,
    message_sending_date,
    sla_policy_result_fields,
    retention_off_until_chosen,
    ticket_cancelled_date,
    testimonial_consent_from_followups,
    checklist_steps,
    ratings_to_rating_records,
    livechat_channels,
]
