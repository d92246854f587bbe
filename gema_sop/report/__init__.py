from . import gema_booking_daily_report
