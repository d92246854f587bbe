from .phone import normalize_phone
from . import whatsapp
from .plate import normalize_plate, spaced_plate
from .sequence import assign_number
