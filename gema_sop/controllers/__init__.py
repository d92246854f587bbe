from . import whatsapp_webhook
from . import service_job
from . import booking
from . import portal
from . import conversation
from . import ticket
from . import message
