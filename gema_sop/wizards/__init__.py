from . import gema_message_composer
from . import gema_booking_slot_wizard
