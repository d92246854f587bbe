from . import gema_booking_daily_report
from . import gema_conversation_report
