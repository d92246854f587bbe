"""Free text customers give (names, vehicle types, complaints), checked the
same way whoever passes it on: the public page, a chat handover, XML-RPC.

Text is always escaped when shown, yet what is stored must be plain text
a person typed: a string (not a file or a list), without control
characters (a NUL byte cannot even be stored), without markup, and not
longer than its field holds.
"""

import re
import unicodedata

# An HTML tag, comment or declaration starts with ``<`` and a letter, ``/``,
# ``!`` or ``?``; a lone ``<`` (``< 2 bar``, ``<3``) is plain text.
_MARKUP = re.compile(r"<[A-Za-z/!?]")
# Characters that reorder the text around them (a name shown backwards).
_BIDI_CONTROLS = set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_LINE_BREAKS = {"\n", "\t"}


def clean_text(env, value, max_length, multiline=False, required=True):
    """``(text, problem)``: ``value`` in NFC form and stripped (single-line
    text with its spaces collapsed), or the problem with it as a message
    that does not name the field; ``text`` is False when empty."""
    if value is False or value is None:
        value = ""
    if not isinstance(value, str):
        return False, env._("Please type text here.")
    text = unicodedata.normalize("NFC", value.replace("\r\n", "\n").replace("\r", "\n"))
    allowed = _LINE_BREAKS if multiline else set()
    if any(
        char not in allowed
        and (
            unicodedata.category(char) in ("Cc", "Cs", "Zl", "Zp")
            or char in _BIDI_CONTROLS
        )
        for char in text
    ):
        return False, env._(
            "Please use letters, digits and punctuation only (no control characters)."
        )
    text = text.strip() if multiline else " ".join(text.split())
    if not text:
        return False, env._("Please fill in this field.") if required else None
    if _MARKUP.search(text):
        return False, env._("Markup such as <b> or <script> is not allowed.")
    if len(text) > max_length:
        return False, env._("Please use at most %(max)s characters.", max=max_length)
    return text, None


# Forms of address that come before a name and say nothing about who it is.
_HONORIFICS = {
    "bapak",
    "pak",
    "bpk",
    "ibu",
    "bu",
    "mas",
    "mbak",
    "kak",
    "bang",
    "abang",
    "om",
    "tante",
    "sdr",
    "sdri",
    "tuan",
    "nyonya",
    "mr",
    "mrs",
    "ms",
    "miss",
}


def same_person_name(typed, known):
    """Whether the name ``typed`` can be the customer named ``known``: every
    word of the shorter name, forms of address left out, is in the other
    (``Pak Budi`` is ``Budi Santoso``; ``Budi Harahap`` is not). No name
    typed matches any customer."""
    words = [
        set(re.findall(r"\w+", (name or "").casefold())) - _HONORIFICS
        for name in (typed, known)
    ]
    shorter, longer = sorted(words, key=len)
    return not words[0] or shorter <= longer


def pick_by_name(candidates, name, none):
    """``(customer, same_name)`` among ``candidates`` (``[(name,
    customer)]``, newest first): the first whose name can be ``name``
    (``same_person_name``), with True; else the newest, with False;
    ``(none, True)`` when there is none."""
    for known_name, customer in candidates:
        if same_person_name(name, known_name):
            return customer, True
    if candidates:
        return candidates[0][1], False
    return none, True


def field_error_lines(model, errors):
    """``{field: message}`` as lines of one error, each named by the
    field's label in the user's language (``Licence Plate: ...``)."""
    return [
        f"{model._fields[name]._description_string(model.env)}: {message}"
        for name, message in errors.items()
    ]
