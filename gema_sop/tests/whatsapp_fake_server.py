"""A local stand-in for the WhatsApp Business Cloud API, for the tests.

A real HTTP server on 127.0.0.1 (a free port) in a thread. It checks every
request the way the real API would refuse it (path, bearer token, JSON
shape, recipient as international digits) and answers like the API:
``{"messages": [{"id": "wamid..."}]}`` or an HTTP error with
``{"error": {"message", "type", "code"}}``.

Tests script the answers in advance (``answer_with``): ``None`` for
success, an ``error_answer(...)``, ``Stall(seconds)`` (the API takes the
message, then answers too late) or ``RESET`` (the connection is dropped
after the request was read, and the message is not taken). Unscripted
requests succeed, after ``latency`` seconds, unless ``inject_faults``
turned a share of them into server errors, stalls and resets at random.

It serves media too, as the Cloud API does: ``GET /<version>/<media id>``
(bearer token) describes a file added with ``add_media`` and names its
address, which is then read with the same token; ``media_down`` makes both
answer a server error. Every media request is kept in ``media_requests``.

What the API took is counted per message (``accepted``, keyed by the
``biz_opaque_callback_data`` the gateway sends) and can be reported back as
the API's status webhook would (``status_webhook``); every request is kept
in ``received``, and anything malformed is recorded in ``problems`` and
answered with a 400.
"""

import json
import random
import re
import socket
import struct
import threading
import time
from collections import Counter
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

API_VERSION = "v21.0"
RECIPIENT = re.compile(r"^[1-9][0-9]{7,14}$")


def error_answer(status, code, message, error_type="OAuthException"):
    """A scripted API error: HTTP ``status`` with the API's error body."""
    return (
        status,
        {
            "error": {
                "message": message,
                "type": error_type,
                "code": code,
                "fbtrace_id": "TESTTRACE",
            }
        },
    )


@dataclass(frozen=True)
class Stall:
    """Take the message, then answer only after ``seconds``."""

    seconds: float


RESET = "reset"


def pause(seconds):
    """Wait ``seconds``. Not ``time.sleep``: under the moved clock of
    tools/moved_clock.sh (libfaketime with the real monotonic clock) it
    fails with EINVAL, where a timed wait on an event does not."""
    threading.Event().wait(seconds)


SERVER_ERROR = error_answer(500, 1, "An unknown error occurred")


class FakeWhatsAppServer:
    def __init__(self, token="test-token", phone_number_id="109876543210"):
        self.token = token
        self.phone_number_id = phone_number_id
        self.received = []
        self.problems = []
        self.accepted = Counter()
        self._taken = []
        self.latency = 0.0
        self._faults = None
        self._script = []
        self.media = {}
        self.media_down = False
        self.media_requests = []
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def api_url(self):
        return f"http://127.0.0.1:{self._server.server_address[1]}/{API_VERSION}"

    def start(self):
        self._thread.start()
        return self

    def stop(self):
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5)

    def reset(self):
        with self._lock:
            self.received.clear()
            self.problems.clear()
            self.accepted.clear()
            self._taken.clear()
            self._script.clear()
            self._faults = None
            self.latency = 0.0
            self.media.clear()
            self.media_down = False
            self.media_requests.clear()

    def add_media(self, media_id, content, mime_type):
        """A file a customer sent, to be fetched by its ``media_id``."""
        with self._lock:
            self.media[media_id] = (content, mime_type)

    def answer_with(self, *answers):
        """Queue answers for the next requests (see the module)."""
        with self._lock:
            self._script.extend(answers)

    def inject_faults(self, rate, seed=0, stall=2.0):
        """Answer a share ``rate`` of the unscripted requests with a server
        error, a stall of ``stall`` seconds or a reset, in equal parts."""
        self._faults = (rate, random.Random(seed), stall)

    @property
    def accepted_total(self):
        with self._lock:
            return sum(self.accepted.values())

    def status_webhook(self, status="sent"):
        """The webhook payload the API would send for every message it
        took: its ``status``, with the message id and callback data."""
        with self._lock:
            statuses = [
                {
                    "id": wamid,
                    "status": status,
                    "timestamp": str(int(moment)),
                    "recipient_id": to,
                    "biz_opaque_callback_data": reference,
                }
                for reference, wamid, to, moment in self._taken
            ]
        value = {
            "messaging_product": "whatsapp",
            "metadata": {"phone_number_id": self.phone_number_id},
            "statuses": statuses,
        }
        return {
            "object": "whatsapp_business_account",
            "entry": [
                {"id": "WABA", "changes": [{"field": "messages", "value": value}]}
            ],
        }

    # Request handling ----------------------------------------------------

    def _check(self, path, headers, raw):
        problems = []
        if path != f"/{API_VERSION}/{self.phone_number_id}/messages":
            problems.append(f"wrong path {path}")
        if headers.get("Authorization") != f"Bearer {self.token}":
            problems.append("missing or wrong bearer token")
        if "application/json" not in (headers.get("Content-Type") or ""):
            problems.append("not JSON")
        try:
            payload = json.loads(raw or b"{}")
        except ValueError:
            return None, [*problems, "body is not valid JSON"]
        if payload.get("messaging_product") != "whatsapp":
            problems.append("messaging_product is not whatsapp")
        if not RECIPIENT.match(str(payload.get("to", ""))):
            problems.append(f"recipient {payload.get('to')!r} is not E.164 digits")
        reference = payload.get("biz_opaque_callback_data")
        if reference is not None and (
            not isinstance(reference, str) or len(reference) > 512
        ):
            problems.append("biz_opaque_callback_data is not a short string")
        kind = payload.get("type")
        if kind == "text":
            body = (payload.get("text") or {}).get("body")
            if not isinstance(body, str) or not body.strip():
                problems.append("text.body missing")
        elif kind == "template":
            template = payload.get("template") or {}
            if not isinstance(template.get("name"), str) or not template["name"]:
                problems.append("template.name missing")
            if not (template.get("language") or {}).get("code"):
                problems.append("template.language.code missing")
            for component in template.get("components", []):
                if component.get("type") != "body":
                    problems.append("unexpected component")
                for parameter in component.get("parameters", []):
                    text = parameter.get("text")
                    if parameter.get("type") != "text" or not isinstance(text, str):
                        problems.append("bad parameter")
                    elif "\n" in text or "\t" in text or not text.strip():
                        problems.append("parameter with new line, tab or empty")
        else:
            problems.append(f"unknown type {kind!r}")
        return payload, problems

    def _answer(self, path, headers, raw):
        """(what to do, HTTP status, body): "answer", "stall" or "reset"."""
        payload, problems = self._check(path, headers, raw)
        with self._lock:
            self.received.append({"path": path, "payload": payload})
            if problems:
                self.problems.extend(problems)
                return ("answer", 0, *error_answer(400, 100, "; ".join(problems)))
            if self._script:
                answer = self._script.pop(0)
            elif self._faults and self._faults[1].random() < self._faults[0]:
                answer = self._faults[1].choice(
                    [SERVER_ERROR, Stall(self._faults[2]), RESET]
                )
            else:
                answer = None
            if answer == RESET:
                return ("reset", 0, 0, None)
            if answer is not None and not isinstance(answer, Stall):
                return ("answer", self.latency, *answer)
            self.accepted[payload.get("biz_opaque_callback_data")] += 1
            number = len(self.received)
            self._taken.append(
                (
                    payload.get("biz_opaque_callback_data"),
                    f"wamid.TEST{number:04d}",
                    payload["to"],
                    time.time(),
                )
            )
            body = {
                "messaging_product": "whatsapp",
                "contacts": [{"input": payload["to"], "wa_id": payload["to"]}],
                "messages": [{"id": f"wamid.TEST{number:04d}"}],
            }
            delay = answer.seconds if isinstance(answer, Stall) else self.latency
            return ("answer", delay, 200, body)

    def _media_answer(self, path, headers):
        """(HTTP status, content type, bytes) of a media request."""
        with self._lock:
            self.media_requests.append(path)
            if headers.get("Authorization") != f"Bearer {self.token}":
                self.problems.append(f"media {path}: missing or wrong bearer token")
                return 401, "application/json", b'{"error": {"code": 190}}'
            if self.media_down:
                return 500, "application/json", json.dumps(SERVER_ERROR[1]).encode()
            prefix, _sep, media_id = path.rpartition("/")
            if media_id not in self.media:
                return 404, "application/json", b'{"error": {"code": 100}}'
            content, mime_type = self.media[media_id]
            if prefix == f"/{API_VERSION}":
                base = self.api_url.removesuffix(f"/{API_VERSION}")
                info = {
                    "url": f"{base}/media-files/{media_id}",
                    "mime_type": mime_type,
                    "file_size": len(content),
                    "id": media_id,
                    "messaging_product": "whatsapp",
                }
                return 200, "application/json", json.dumps(info).encode()
            if prefix == "/media-files":
                return 200, mime_type, content
            self.problems.append(f"wrong media path {path}")
            return 404, "application/json", b"{}"

    def _handler_class(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                status, content_type, data = fake._media_answer(self.path, self.headers)
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                action, delay, status, body = fake._answer(
                    self.path, self.headers, self.rfile.read(length)
                )
                if action == "reset":
                    # Drop the connection at once (RST), without an answer.
                    self.connection.setsockopt(
                        socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0)
                    )
                    self.close_connection = True
                    self.connection.close()
                    return
                if delay:
                    pause(delay)
                data = json.dumps(body).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except OSError:  # the client gave up waiting (stall)
                    self.close_connection = True

            def log_message(self, *args):  # quiet tests
                return

            def handle_one_request(self):
                try:
                    return super().handle_one_request()
                except OSError:  # the connection was reset on purpose
                    self.close_connection = True
                    return None

        return Handler
