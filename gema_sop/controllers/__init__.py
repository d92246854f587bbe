from . import whatsapp_webhook
