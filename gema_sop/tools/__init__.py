from .phone import normalize_phone
from . import whatsapp
