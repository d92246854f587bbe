"""Data for the upgrade check (tools/upgrade_check.sh), run by `odoo shell`
on the released 18.0.1.0.0 with its demo data, on the clock of its release
day (Monday 23 November 2026, 09:00 WIB): what the demo lacks, made with
that version's own buttons, so that every step of the 18.0.1.1.0 migration
and every kind of record the check compares has rows.

- a booking confirmed with a held technician slot, its reminder queued for
  the gateway, then sent by it a quarter of an hour later;
- a ticket number queued (never sent), a shipping notice sent by link, the
  ticket received, solved and rated by the customer;
- a conversation's closing message queued, then failed at the gateway;
- a job's initial notice queued, then sent by the gateway; its delay
  announced twice, by link then queued for the gateway;
- a follow-up message sent by link without the button.
"""

from datetime import datetime, timedelta

from odoo import fields

NOW = fields.Datetime.now()
assert NOW.date().isoformat() == "2026-11-23", f"not on the release day: {NOW}"
ref = env.ref  # noqa: F821 (odoo shell)
branch = ref("gema_sop.res_company_medan_demo")
# A gateway nobody answers: no cron runs here, nothing is ever sent.
branch.write(
    {
        "gema_whatsapp_gateway_enabled": True,
        "gema_whatsapp_api_url": "http://127.0.0.1:9",
        "gema_whatsapp_phone_number_id": "100000000000001",
    }
)
gateway = {"gema_channel": "whatsapp_api"}
link = {"gema_channel": "whatsapp_link"}


def gateway_sent(message, minutes):
    """What the sending cron did when WhatsApp accepted the message."""
    assert message.state == "queued", message.state
    message.sudo().write(
        {
            "state": "sent",
            "attempts": 1,
            "sent_date": NOW + timedelta(minutes=minutes),
            "next_try": False,
            "whatsapp_message_id": f"wamid.seed{message.id}",
            "whatsapp_kind": "template",
        }
    )


def last_message(record):
    return env["gema.message"].search(  # noqa: F821
        [("res_model", "=", record._name), ("res_id", "=", record.id)],
        order="id desc",
        limit=1,
    )


# Booking: Tuesday 24 November 14:00 WIB with the technician held.
booking = env["gema.booking"].create(  # noqa: F821
    {
        "customer_name": "Seed Upgrade",
        "customer_phone": "0812-7000-1111",
        "license_plate": "BK 1111 UP",
        "vehicle_type": "Toyota Avanza",
        "service_type_id": ref("gema_sop.gema_service_type_periodic_demo").id,
        "channel": "phone",
        "start": datetime(2026, 11, 24, 7, 0),
        "employee_id": ref("gema_sop.employee_technician_demo").id,
        "company_id": branch.id,
        "user_id": ref("gema_sop.user_service_advisor_demo").id,
    }
)
booking.with_context(**gateway).action_confirm()
assert booking.state == "confirmed" and booking.slot_id.active
booking.with_context(**gateway).action_send_reminder()
reminder = last_message(booking)
assert reminder.template_id == ref("gema_sop.mail_template_booking_reminder")
gateway_sent(reminder, 15)

# Tickets: a number queued; a shipped one told by link, received, rated.
new_ticket = ref("gema_sop.gema_ticket_new_demo")
new_ticket.with_context(**gateway).action_send_ticket_number()
assert last_message(new_ticket).state == "queued"
shipped = ref("gema_sop.gema_ticket_shipping_demo")
shipped.with_context(**link).action_send_shipping_notice()
shipped.action_mark_received()
if not shipped.root_cause:
    cause = shipped._fields["root_cause"].selection
    shipped.write({"root_cause": (cause(shipped) if callable(cause) else cause)[0][0]})
shipped.with_context(**link).action_confirm_solved()
shipped.sudo()._gema_rate(4, "Cepat dan ramah")
assert shipped.rating == "4"

# Conversation: the closing message queued, then refused by the gateway.
chat = ref("gema_sop.gema_conversation_answered_demo")
chat.write({"solved_confirmed": True, "anything_else_asked": True})
chat.with_context(**gateway).action_send_closing()
closing = last_message(chat)
assert closing.state == "queued" and chat.closing_sent_date
closing.sudo().write(
    {"state": "failed", "attempts": 1, "last_error": "seed: refused", "next_try": False}
)

# Job: the initial notice queued, sent by the gateway ten minutes later.
job = ref("gema_sop.gema_service_job_in_progress_demo")
job.with_context(**gateway).action_send_initial_notice()
gateway_sent(last_message(job), 10)

# The same job's delay: a first notice sent by link, a second one (the
# current delay) queued for the gateway.
alternative = job._fields["delay_alternative"].selection[0][0]
for channel in (link, gateway):
    job.with_context(**channel)._gema_record_delay(
        "Suku cadang tiba besok pagi.",
        job.technician_confirmed_date,
        "Mohon maaf atas keterlambatannya.",
        alternative,
        False,
    )
assert last_message(job).state == "queued" and job.delay_notice_date

# Follow-up: the written follow-up sent by link from the message composer
# (not the button, so the first attempt stays empty in this version).
followup = ref("gema_sop.gema_followup_to_call_demo")
assert not followup.first_attempt_date
followup._gema_send_message("gema_sop.mail_template_followup_message", "whatsapp_link")
assert last_message(followup).state == "sent"

env["gema.message"].flush_model()  # noqa: F821
env.cr.commit()  # noqa: F821 (a shell script: its work is kept only so)
print("seeded:", booking.name, new_ticket.name, shipped.name, chat.name, job.name)
