"""Indonesian licence plates in one canonical form (BK-3, BK-8).

Customers and staff type ``bk1234abc``, ``BK-1234-ABC`` or ``b 12 xy``; a
vehicle is found again, and checked in by plate, only if all of these
become the same string: region letters, number and suffix letters separated
by single spaces (``BK 1234 ABC``).
"""

import re

from odoo.exceptions import ValidationError

_PLATE = re.compile(r"^([A-Z]{1,2})(\d{1,4})([A-Z]{0,3})$")


def normalize_plate(env, plate):
    """Return ``plate`` as ``BK 1234 ABC``, or raise; empty gives False."""
    if not plate or not plate.strip():
        return False
    compact = re.sub(r"[\s.\-_/]+", "", plate).upper()
    match = _PLATE.match(compact)
    if not match:
        raise ValidationError(
            env._(
                "The licence plate %(plate)s is not valid. Use letters, "
                "number and letters, such as BK 1234 ABC.",
                plate=plate,
            )
        )
    return " ".join(part for part in match.groups() if part)


def spaced_plate(text):
    """Part of a plate as stored, for searching: ``bk1234`` -> ``BK 1234``."""
    compact = re.sub(r"[\s.\-_/]+", "", text).upper()
    return re.sub(r"(?<=[A-Z])(?=\d)|(?<=\d)(?=[A-Z])", " ", compact)
