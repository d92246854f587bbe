"""Phone numbers as the SOPs need them: WhatsApp-ready E.164 strings.

Customers type Indonesian numbers in many shapes (``0812-3456-7890``,
``+62 812 3456 7890``, ``62812...``); WhatsApp links and the Cloud API need
one canonical form, and the customer is found again by that form.
"""

import phonenumbers

from odoo.exceptions import ValidationError

DEFAULT_REGION = "ID"


def normalize_phone(env, number, region=DEFAULT_REGION):
    """Return ``number`` in E.164 (``+6281234567890``), or raise.

    Empty values are returned as ``False`` so optional fields stay optional.
    """
    if not number or not number.strip():
        return False
    try:
        parsed = phonenumbers.parse(number.strip(), region)
    except phonenumbers.NumberParseException:
        parsed = None
    if parsed is None or not phonenumbers.is_valid_number(parsed):
        raise ValidationError(
            env._(
                "The phone number %(number)s is not valid. Use a number such "
                "as 0812-3456-7890 or +62 812 3456 7890.",
                number=number,
            )
        )
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
