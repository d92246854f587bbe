from .phone import normalize_phone
