"""Indonesian licence plates in one canonical form (BK-3, BK-8).

Customers and staff type ``bk1234abc``, ``BK-1234-ABC`` or ``b 12 xy``; a
vehicle is found again, and checked in by plate, only if all of these
become the same string: region letters, number and suffix letters separated
by single spaces (``BK 1234 ABC``).

A plate is made of the ASCII letters A-Z and digits 0-9 only, as painted on
the plate. The typed text is first put in Unicode NFKC form, which turns
the fullwidth letters and digits of a CJK phone keyboard (U+FF21...)
into plain ones; any other letter or digit (Arabic-Indic digits U+0661...,
a Turkish dotless i that upper-cases to ``I``) is refused, never
converted.
"""

import re
import unicodedata

from odoo.exceptions import ValidationError

from .phone import shown

MAX_TYPED = 20
_PLATE = re.compile(r"^([A-Z]{1,2})([0-9]{1,4})([A-Z]{0,3})$", re.ASCII)
_SEPARATORS = re.compile(r"[ \t.\-_/]+", re.ASCII)


def normalize_plate(env, plate):
    """Return ``plate`` as ``BK 1234 ABC``, or raise; empty gives False."""
    if plate is False or plate is None:
        return False
    if not isinstance(plate, str):
        raise ValidationError(env._("The licence plate must be text."))
    typed = unicodedata.normalize("NFKC", plate).strip()
    if not typed:
        return False
    match = (
        typed.isascii()
        and len(typed) <= MAX_TYPED
        and _PLATE.match(_SEPARATORS.sub("", typed).upper())
    )
    if not match:
        raise ValidationError(
            env._(
                "The licence plate %(plate)s is not valid. Use letters, "
                "number and letters, such as BK 1234 ABC.",
                plate=shown(typed, MAX_TYPED),
            )
        )
    return " ".join(part for part in match.groups() if part)


def required_plate(env, plate):
    """``(plate, problem)``: ``plate`` normalised, or the message saying what
    is wrong with it, also when it is empty or blank."""
    try:
        normalized = normalize_plate(env, plate)
    except ValidationError as error:
        return False, error.args[0]
    if not normalized:
        return False, env._("Please fill in this field.")
    return normalized, None


def spaced_plate(text):
    """Part of a plate as stored, for searching: ``bk1234`` -> ``BK 1234``."""
    compact = _SEPARATORS.sub("", unicodedata.normalize("NFKC", text)).upper()
    return re.sub(r"(?<=[A-Z])(?=[0-9])|(?<=[0-9])(?=[A-Z])", " ", compact)
