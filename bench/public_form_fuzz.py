# ruff: noqa: F821 - `env` is given by `odoo shell`, which runs this script.
"""Bench: thousands of malformed posts of the public booking page against a
real multi-worker server (robustness).

Run with `bash bench/run.sh public_form_fuzz` (an Odoo shell script on a
scratch database). Commits a bookable branch, starts `odoo server` on the
database (4 workers, proxy mode so that each visitor has an address of its
own, X-Forwarded-For), then posts BENCH_POSTS forms mutated by
`gema_sop/tests/public_form_fuzz.py` (seed BENCH_SEED) from BENCH_THREADS
visitors at a time, each with its own session. Every answer must be 303,
400, 422 or 429, and every booking stored valid; the bookings are checked
and removed after each round (the rate limits count per hour). Writes the
answers, the failures and the timing to bench/results/public_form_fuzz.json
(the server's log goes to the temporary folder).
"""

import json
import os
import random
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone

import requests

from odoo.addons.gema_sop.tests.public_form_fuzz import (
    ANSWERS,
    booking_problems,
    mutate,
    valid_form,
)
from odoo.addons.gema_sop.tests.public_page_server import setup_branch, working_day
from odoo.tools import config

POSTS = int(os.environ.get("BENCH_POSTS", "3200"))
SEED = int(os.environ.get("BENCH_SEED", "20261201"))
THREADS = int(os.environ.get("BENCH_THREADS", "8"))
ROUND = 200
RESULT = os.environ["BENCH_RESULT"]
LOG = os.path.join(tempfile.gettempdir(), "gema_public_form_fuzz_server.log")
DB = env.cr.dbname


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server():
    port, gevent_port = free_port(), free_port()
    with open(LOG, "wb") as log:
        process = subprocess.Popen(
            [
                sys.executable,
                sys.argv[0],
                "server",
                "-c",
                config.rcfile,
                "-d",
                DB,
                f"--db-filter=^{DB}$",
                f"--http-port={port}",
                f"--gevent-port={gevent_port}",
                "--http-interface=127.0.0.1",
                "--max-cron-threads=0",
                "--workers=4",
                "--proxy-mode",
                "--limit-time-real=600",
                "--log-level=warn",
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while True:
        try:
            with urllib.request.urlopen(f"{url}/web/health", timeout=2):
                return process, url
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("the Odoo server did not start") from None
            time.sleep(0.5)


def post_one(number, url, branch_id, service_id, day):
    """One visitor: read the form, send it mutated; (number, what, status)."""
    rng = random.Random(f"{SEED}-{number}")
    headers = {
        "X-Forwarded-Host": "127.0.0.1",
        "X-Forwarded-For": f"10.{rng.randint(0, 255)}.{rng.randint(0, 255)}.1",
    }
    session = requests.Session()
    session.headers.update(headers)
    page = session.get(
        f"{url}/booking?company_id={branch_id}&service_type_id={service_id}"
        f"&date={day.isoformat()}",
        timeout=120,
    )
    data, files, what = mutate(
        rng, valid_form(page.text, branch_id, service_id, day, rng)
    )
    response = session.post(
        f"{url}/booking/submit",
        data=data,
        files=files or None,
        allow_redirects=False,
        timeout=300,
    )
    return number, what, response.status_code


def check_and_clear(branch_id):
    """The problems of the branch's stored bookings, which are then removed."""
    problems = []
    with env.registry.cursor() as cr:
        bookings = env(cr=cr)["gema.booking"].search([("company_id", "=", branch_id)])
        for booking in bookings:
            found = booking_problems(booking)
            if found:
                problems.append(f"{booking.name}: {found}")
        stored = len(bookings)
        bookings.unlink()
    return stored, problems


branch_id, service_id = setup_branch(env.registry, f"Fuzz Branch {time.time():.0f}")
server, url = start_server()
day = working_day()
answers, failures, stored, problems = Counter(), [], 0, []
started = time.perf_counter()
try:
    with ThreadPoolExecutor(THREADS) as pool:
        for first in range(0, POSTS, ROUND):
            numbers = range(first, min(first + ROUND, POSTS))
            for number, what, status in pool.map(
                lambda n: post_one(n, url, branch_id, service_id, day), numbers
            ):
                answers[status] += 1
                if status not in ANSWERS:
                    failures.append(f"post {number} ({what}): {status}")
            count, found = check_and_clear(branch_id)
            stored += count
            problems += found
            print(f"{first + len(numbers)} posts: {dict(answers)}", flush=True)
finally:
    server.terminate()
    server.wait(timeout=60)
seconds = time.perf_counter() - started

report = {
    "benchmark": "public_form_fuzz",
    "date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
    "seed": SEED,
    "posts": POSTS,
    "simultaneous_visitors": THREADS,
    "server_workers": 4,
    "seconds": round(seconds, 1),
    "posts_per_second": round(POSTS / seconds, 1),
    "answers": {str(status): count for status, count in sorted(answers.items())},
    "bookings_stored": stored,
    "bad_answers": failures[:50],
    "bad_answer_count": len(failures),
    "invalid_bookings": problems[:50],
    "invalid_booking_count": len(problems),
}
print(json.dumps(report, indent=2))
with open(RESULT, "w") as handle:
    json.dump(report, handle, indent=2)
