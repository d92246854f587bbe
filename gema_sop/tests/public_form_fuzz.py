"""Malformed posts of the public booking form, and the check that nothing
invalid was stored (robustness).

Shared by the suite's fuzz test (a few hundred posts through HttpCase) and
``bench/public_form_fuzz.py`` (thousands, against a real multi-worker
server). Everything is drawn from ``random.Random(seed)``: a failing post
is found again from its seed and number.

Each post starts from a valid form as the page gave it (CSRF token, the
signed one-time key, a free time) and changes one to three of its fields:
dropped, emptied, blank, far too long, a file instead of text, sent twice,
control characters (NUL, escape, bidi override), markup, non-ASCII digits
and letters, landlines and foreign numbers, ids and dates no form offers,
a key the client made up. The page must answer 303 (a booking), 400 (CSRF),
422 (the form with its messages) or 429 (the rate limits), never 500, and
every booking stored must hold valid BK-3 data.
"""

import re
import string
import unicodedata

import phonenumbers

ANSWERS = {303, 400, 422, 429}
TEXT_FIELDS = ("customer_name", "vehicle_type", "complaint")
FIELDS = (
    *TEXT_FIELDS,
    "customer_phone",
    "license_plate",
    "company_id",
    "service_type_id",
    "date",
    "time",
    "request_key",
    "csrf_token",
)
LIMITS = {"customer_name": 100, "vehicle_type": 64, "complaint": 1000}
_PLATE = re.compile(r"^[A-Z]{1,2} [0-9]{1,4}( [A-Z]{1,3})?$", re.ASCII)
_MARKUP = re.compile(r"<[A-Za-z/!?]")

NASTY = [
    "\x00",
    "a\x00b",
    "\x01\x02\x03",
    "\x1b[31mred",
    "\x7f",
    "\u0085",
    "\u202eevil",
    "\u2028",
    "\r\n",
    "\t",
    " ",
    "\u00a0",
    "\u3000",
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<!-- x -->",
    "</textarea><b>",
    "<3",
    "tekanan < 2 bar > 1",
    "'; DROP TABLE gema_booking; --",
    "%00",
    "{{7*7}}",
    "${7*7}",
    "../../etc/passwd",
    "\u0661\u0662\u0663\u0664",
    "\uff11\uff12\uff13\uff14",
    "\uff22\uff2b",
    "\u0131",
    "\u00df",
    "\U0001f600",
    "\U0001f468\u200d\U0001f527",
    "\ufeff",
    "\u200b",
    "e\u0301",
    "null",
    "None",
    "[]",
    "{}",
    "-1",
    "0",
    "2147483648",
    "99999999999999999999",
    "1e309",
    "NaN",
    "0x10",
]
PHONES = [
    "0812-3456-7890",
    "+62 812 3456 7890",
    "62812345678",
    "0813 9999 0000",
    "\uff10\uff18\uff11\uff12\uff13\uff14\uff15\uff16\uff17\uff18\uff19\uff10",
    "+60 12-345 6789",
    "+65 9123 4567",
    "+1 650 253 0000",
    "021 555 1234",
    "+62 21 555 1234",
    "0800 1234 567",
    "0812-CALL-ME",
    "0812 3456 7890 ext. 1",
    "\u0660\u0668\u0661\u0662\u0663\u0664\u0665\u0666\u0667\u0668",
    "12345",
    "+",
]
PLATES = [
    "bk1234abc",
    "BK-1234-AB",
    "b 12 xy",
    "BK \uff11\uff12\uff13\uff14 AB",
    "BK \u0661\u0662\u0663\u0664 AB",
    "BK 1234 \u0131X",
    "BK 1234 \u00df",
    "12345678",
    "HELLO WORLD",
    "BK\n1234",
    "B.K/12_34-A",
]


def random_text(rng, length):
    """Text from every plane a phone keyboard or a bot can send."""
    pools = [
        string.ascii_letters + string.digits + " .,-'",
        string.punctuation,
        "".join(chr(code) for code in range(0x00, 0x20)),
        "\u00e0\u00e9\u00ef\u00f5\u00fc\u0130\u0131\u00df\u0600\u0661\u0905\u4e2d",
        "\U0001f600\U0001f697\u200d\u202e\ufeff\u2028",
    ]
    return "".join(rng.choice(rng.choice(pools)) for _ in range(length))


def mutate(rng, form):
    """``(data, files, what)``: ``form`` (the valid post as a dict) with one
    to three fields changed; ``what`` says how, for the failure report."""
    data = dict(form)
    files = {}
    what = []
    for _ in range(rng.randint(1, 3)):
        name = rng.choice(FIELDS)
        kind = rng.choice(
            [
                "drop",
                "empty",
                "blank",
                "nasty",
                "insert",
                "long",
                "file",
                "twice",
                "random",
                "phone",
                "plate",
            ]
        )
        value = str(data.get(name) or "")
        if kind == "drop":
            data.pop(name, None)
        elif kind == "empty":
            data[name] = ""
        elif kind == "blank":
            data[name] = rng.choice([" ", "   ", "\t", "\u00a0", "\u3000 "])
        elif kind == "nasty":
            data[name] = rng.choice(NASTY)
        elif kind == "insert":
            at = rng.randint(0, len(value))
            data[name] = value[:at] + rng.choice(NASTY) + value[at:]
        elif kind == "long":
            data[name] = value + rng.choice("xX\u00e9\U0001f600 ") * rng.choice(
                [50, 101, 1001, 5000]
            )
        elif kind == "file":
            data.pop(name, None)
            files[name] = (
                rng.choice(["x.txt", "photo.jpg", ""]),
                value.encode() or b"\x00\xff",
                rng.choice(["text/plain", "application/octet-stream", "image/jpeg"]),
            )
        elif kind == "twice":
            data[name] = [value, rng.choice(NASTY)]
        elif kind == "random":
            data[name] = random_text(rng, rng.randint(1, 40))
        elif kind == "phone":
            name = "customer_phone"
            data[name] = rng.choice(PHONES)
        else:
            name = "license_plate"
            data[name] = rng.choice(PLATES)
        what.append(f"{name}:{kind}")
    return data, files, ", ".join(what)


def booking_problems(booking):
    """What is wrong with a stored booking's BK-3 data (empty when valid)."""
    problems = []
    try:
        number = phonenumbers.parse(booking.customer_phone or "", None)
        mobile = phonenumbers.number_type(number) in (
            phonenumbers.PhoneNumberType.MOBILE,
            phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
        )
        e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    except phonenumbers.NumberParseException:
        mobile, e164 = False, None
    if not mobile or e164 != booking.customer_phone:
        problems.append(f"phone {booking.customer_phone!r}")
    if not _PLATE.match(booking.license_plate or ""):
        problems.append(f"plate {booking.license_plate!r}")
    for name in TEXT_FIELDS:
        text = booking[name] or ""
        if name != "complaint" and not text:
            problems.append(f"{name} empty")
        if len(text) > LIMITS[name]:
            problems.append(f"{name} of {len(text)} characters")
        allowed = {"\n", "\t"} if name == "complaint" else set()
        if any(
            unicodedata.category(char) in ("Cc", "Cs", "Zl", "Zp")
            and char not in allowed
            for char in text
        ):
            problems.append(f"{name} with control characters {text!r}")
        if _MARKUP.search(text) or text != text.strip():
            problems.append(f"{name} {text!r}")
    if not booking.vehicle_id or booking.vehicle_id.license_plate != (
        booking.license_plate
    ):
        problems.append("no vehicle of its plate")
    if not booking.partner_id or booking.partner_id.gema_whatsapp_e164 != (
        booking.customer_phone
    ):
        problems.append("no customer of its number")
    return problems


_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
_KEY = re.compile(r'name="request_key" value="([0-9a-f]+)"')
_TIMES = re.compile(r'name="time"[^>]*value="(\d\d:\d\d)"')


def valid_form(page_html, branch_id, service_id, day, rng):
    """The post a visitor would send from the page: its hidden values, one
    of its free times and valid BK-3 details (a new number each time)."""
    return {
        "csrf_token": _CSRF.search(page_html).group(1),
        "request_key": _KEY.search(page_html).group(1),
        "company_id": str(branch_id),
        "service_type_id": str(service_id),
        "date": day.isoformat(),
        "time": rng.choice(_TIMES.findall(page_html)),
        "customer_name": rng.choice(["Budi Santoso", "Siti Aminah", "Pak Rahmat"]),
        "customer_phone": f"0812-{rng.randint(0, 9999):04d}-{rng.randint(0, 9999):04d}",
        "license_plate": f"BK {rng.randint(1, 9999)} {rng.choice(['A', 'AB', 'XYZ'])}",
        "vehicle_type": rng.choice(["Toyota Avanza", "Honda Jazz", "Suzuki Ertiga"]),
        "complaint": rng.choice(["", "Rem berdecit.", "Ganti oli\ndan cek rem."]),
    }


def fuzz(rng, count, open_page, submit):
    """Post ``count`` mutated forms: ``open_page()`` gives the page's HTML
    (a fresh key each time), ``submit(data, files)`` the response. Yields
    ``(number, what, response)`` for each post."""
    for number in range(count):
        form = open_page(rng)
        data, files, what = mutate(rng, form)
        yield number, what, submit(data, files)
