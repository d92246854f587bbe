from . import gema_message_composer
