from . import gema_message_composer
from . import gema_service_job_pause_wizard
from . import gema_service_job_delay_wizard
from . import gema_booking_slot_wizard
from . import gema_conversation_log_wizard
