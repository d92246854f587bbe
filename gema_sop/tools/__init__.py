from .phone import normalize_phone
from . import whatsapp
from .plate import normalize_plate, spaced_plate
