from . import whatsapp_webhook
from . import service_job
