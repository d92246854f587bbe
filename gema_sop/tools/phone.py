"""Phone numbers as the SOPs need them: WhatsApp-ready E.164 strings.

Customers type Indonesian numbers in many shapes (``0812-3456-7890``,
``+62 812 3456 7890``, ``62812...``); WhatsApp links and the Cloud API need
one canonical form, and the customer is found again by that form.

Which numbers a customer may give (bookings, chats, follow-ups): a mobile
number, because the branch answers, confirms and reminds by WhatsApp.
Indonesian mobiles are typed in any national or international shape;
foreign mobiles (a Malaysian or Singaporean customer) with their ``+``
country code. Landlines (``021 555 1234``), toll-free and premium numbers
are refused: WhatsApp cannot reach them. A number may hold digits, spaces,
``+``, ``-``, ``.``, ``/`` and brackets only; fullwidth digits (from a CJK
keyboard) count as digits, letters (``0812-CALL-ME``) do not.
"""

import re
import unicodedata

import phonenumbers

from odoo.exceptions import ValidationError

DEFAULT_REGION = "ID"
# What may be typed around the digits of a number (after NFKC).
_TYPED = re.compile(r"^\+?[0-9 ()\-./]+$", re.ASCII)
MAX_TYPED = 30
_WHATSAPP_TYPES = {
    phonenumbers.PhoneNumberType.MOBILE,
    # Countries such as the United States do not tell mobiles apart.
    phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
}


def normalize_phone(env, number, region=DEFAULT_REGION):
    """Return ``number`` in E.164 (``+6281234567890``), or raise.

    Any valid number, landlines included (a branch's own number may be
    one). Empty values are returned as ``False`` so optional fields stay
    optional.
    """
    parsed = _parse(env, number, region)
    if parsed is False:
        return False
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def normalize_whatsapp(env, number, region=DEFAULT_REGION):
    """Return the customer's WhatsApp ``number`` in E.164, or raise.

    A valid mobile number of any country (see the module's docstring);
    empty gives ``False``.
    """
    parsed = _parse(env, number, region)
    if parsed is False:
        return False
    if phonenumbers.number_type(parsed) not in _WHATSAPP_TYPES:
        raise ValidationError(
            env._(
                "The number %(number)s is not a mobile number: WhatsApp needs "
                "a mobile number such as 0812-3456-7890 (or +60 12-345 6789 "
                "from abroad).",
                number=shown(number),
            )
        )
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def _parse(env, number, region):
    """The parsed valid number, False when empty; raises when invalid."""
    if number is False or number is None:
        return False
    if not isinstance(number, str):
        raise ValidationError(env._("The phone number must be text."))
    typed = unicodedata.normalize("NFKC", number).strip()
    if not typed:
        return False
    parsed = None
    if _TYPED.match(typed) and len(typed) <= MAX_TYPED:
        try:
            parsed = phonenumbers.parse(typed, region)
        except phonenumbers.NumberParseException:
            parsed = None
    if parsed is None or not phonenumbers.is_valid_number(parsed):
        raise ValidationError(
            env._(
                "The phone number %(number)s is not valid. Use a number such "
                "as 0812-3456-7890 or +62 812 3456 7890.",
                number=shown(typed),
            )
        )
    return parsed


def shown(text, limit=MAX_TYPED):
    """``text`` as an error message may quote it: one line, control
    characters dropped, at most ``limit`` characters."""
    text = "".join(
        char if unicodedata.category(char)[0] != "C" else " " for char in text
    )
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"
