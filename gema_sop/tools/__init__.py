from .phone import normalize_phone, normalize_whatsapp
from . import whatsapp
from .records import write_grouped
from .plate import normalize_plate, required_plate, spaced_plate
from .sequence import assign_numbers
from .text import clean_text, field_error_lines, pick_by_name, same_person_name
