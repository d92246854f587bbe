"""The constants of a booking that its parts (``gema.booking`` and the
abstract models it inherits: request, schedule, reminder, no-show) share."""

import re

CHANNELS = [
    ("website", "Website"),
    ("whatsapp", "WhatsApp"),
    ("instagram", "Instagram"),
    ("facebook", "Facebook"),
    ("phone", "Phone"),
    ("walk_in", "Walk-in"),
]

# BK-12: the checklist items, in the order of the SOP's section 8.
CHECKLIST = [
    "gema_sop.mail_activity_type_booking_device",
    "gema_sop.mail_activity_type_booking_customer_data",
    "gema_sop.mail_activity_type_booking_service",
    "gema_sop.mail_activity_type_booking_schedule_confirmed",
    "gema_sop.mail_activity_type_booking_in_calendar",
    "gema_sop.mail_activity_type_booking_proof_sent",
    "gema_sop.mail_activity_type_booking_reminder_sent",
]
MAX_COMPLAINT = 1000
BATCH_SIZE = 200
# A request key: what a script chooses, or the page's signed one-time key.
REQUEST_KEY = re.compile(r"^[A-Za-z0-9_.:-]{1,64}$", re.ASCII)
