"""Take the README's screenshots from a running demo server.

Usage (tools/screenshots.sh does all of it):
    python tools/screenshots.py http://127.0.0.1:PORT DB OUTPUT_DIR

Headless Chromium driven over the DevTools protocol (websocket-client, the
package Odoo's browser tests use): logs in as each demo user, opens each
page of SHOTS and saves a PNG. A page that does not load fails the run.
"""

import base64
import json
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import erppeek
import websocket

# (file, login, path, what must be on the page when it is ready); paths may
# name demo records as {xmlid}, the demo job's and ticket's token links as
# {job_url} and {ticket_url}.
SHOTS = [
    (
        "bookings-calendar",
        "advisor",
        "/odoo/action-gema_sop.gema_booking_action?view_type=calendar",
        # The day view (the calendar's default) with its technician filters.
        ".o_calendar_view .fc-timeGridDay-view",
    ),
    (
        "booking-form",
        "advisor",
        "/odoo/action-gema_sop.gema_booking_action/{gema_booking_confirmed_demo}",
        ".o_form_view",
    ),
    (
        "booking-pivot",
        "manager",
        "/odoo/action-gema_sop.gema_booking_action?view_type=pivot",
        ".o_pivot_view",
    ),
    (
        "service-jobs-kanban",
        "advisor",
        "/odoo/action-gema_sop.gema_service_job_action",
        ".o_kanban_view",
    ),
    (
        "technician-my-jobs",
        "technician",
        "/odoo/action-gema_sop.gema_service_job_action_technician",
        ".o_kanban_view",
    ),
    (
        "technician-phone-view",
        "technician",
        "/odoo/action-gema_sop.gema_service_job_action_technician",
        ".o_gema_technician_kanban .o_kanban_record",
    ),
    (
        "sla-lines",
        "supervisor",
        "/odoo/action-gema_sop.gema_sla_status_action",
        ".o_list_view",
    ),
    (
        "violations-graph",
        "manager",
        "/odoo/action-gema_sop.gema_violation_action?view_type=graph",
        ".o_graph_view",
    ),
    (
        "sop-documents",
        "sopadmin",
        "/odoo/action-gema_sop.gema_sop_document_action",
        ".o_list_view",
    ),
    (
        "followups-today",
        "advisor",
        "/odoo/action-gema_sop.gema_followup_action",
        ".o_list_view",
    ),
    (
        "followup-form",
        "advisor",
        "/odoo/action-gema_sop.gema_followup_action/{gema_followup_testimonial_demo}",
        ".o_form_view",
    ),
    (
        "chat-desk-kanban",
        "cs",
        "/odoo/action-gema_sop.gema_conversation_action",
        ".o_kanban_view",
    ),
    (
        "chat-form",
        "cs",
        "/odoo/action-gema_sop.gema_conversation_action/{gema_conversation_escalated_demo}",
        ".o_form_view",
    ),
    (
        "chat-analysis",
        "manager",
        "/odoo/action-gema_sop.gema_conversation_report_action",
        ".o_pivot_view",
    ),
    (
        "dashboard",
        "manager",
        "/odoo/action-gema_sop.spreadsheet_dashboard_customer_care_action",
        ".o_spreadsheet_dashboard_action .o-figure canvas.o-scorecard",
    ),
    (
        "ticket-form",
        "cs",
        "/odoo/action-gema_sop.gema_ticket_action/{gema_ticket_shipping_demo}",
        ".o_form_view",
    ),
    (
        "public-booking-page",
        "public",
        "/booking?company_id={res_company_medan_demo}"
        "&service_type_id={gema_service_type_periodic_demo}",
        ".o_gema_free_days",
    ),
    ("job-status-page", "public", "{job_url}", "main"),
    ("ticket-page", "public", "{ticket_url}", "main"),
]
# Shots taken at a phone's size besides the public pages (all of them are).
PHONE_SHOTS = {"technician-phone-view"}


def _references(base, db):
    """Ids of the demo records the paths name, and a token link to a demo
    job's status page (as the customer gets it), through XML-RPC."""
    # XML ids are the administrator's to read; the records of the demo
    # branch are the SOP administrator's, who works there.
    admin = erppeek.Client(base, db, "admin", "admin")
    client = erppeek.Client(base, db, "sopadmin", "sopadmin")
    refs = {
        row["name"]: row["res_id"]
        for row in admin.read(
            "ir.model.data",
            [
                ("module", "=", "gema_sop"),
                (
                    "model",
                    "in",
                    [
                        "gema.booking",
                        "gema.service.job",
                        "gema.followup",
                        "gema.conversation",
                        "gema.ticket",
                        "gema.service.type",
                        "res.company",
                    ],
                ),
            ],
            ["name", "res_id"],
        )
    }
    for key, model, xmlid in (
        ("job_url", "gema.service.job", "gema_service_job_waiting_demo"),
        ("ticket_url", "gema.ticket", "gema_ticket_shipping_demo"),
    ):
        [record] = client.read(model, [refs[xmlid]], ["access_token", "access_url"])
        token = record["access_token"] or "screenshot-demo-token"
        client.write(model, [refs[xmlid]], {"access_token": token})
        refs[key] = f"{record['access_url']}?access_token={token}"
    return refs


class Browser:
    def __init__(self):
        self.profile = tempfile.TemporaryDirectory()
        self.process = subprocess.Popen(
            [
                _chromium(),
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--hide-scrollbars",
                "--window-size=1400,900",
                "--remote-debugging-port=0",
                f"--user-data-dir={self.profile.name}",
                "about:blank",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        port_file = Path(self.profile.name) / "DevToolsActivePort"
        for _attempt in range(100):
            if port_file.exists() and port_file.read_text().strip():
                break
            time.sleep(0.1)
        port = port_file.read_text().split()[0]
        targets = json.load(urllib.request.urlopen(f"http://127.0.0.1:{port}/json"))
        page = next(t for t in targets if t["type"] == "page")
        self.ws = websocket.create_connection(page["webSocketDebuggerUrl"], timeout=60)
        self.ids = 0
        self.call("Page.enable")
        # The web client shows times in the browser's zone: the branch's.
        self.call("Emulation.setTimezoneOverride", timezoneId="Asia/Jakarta")
        self.screen(phone=False)

    def screen(self, phone):
        """A desktop screen, or a phone's (390x844, as the phone tours)."""
        width, height = (390, 844) if phone else (1400, 900)
        self.call(
            "Emulation.setDeviceMetricsOverride",
            width=width,
            height=height,
            deviceScaleFactor=1,
            mobile=phone,
        )

    def call(self, method, **params):
        self.ids += 1
        self.ws.send(json.dumps({"id": self.ids, "method": method, "params": params}))
        while True:
            message = json.loads(self.ws.recv())
            if message.get("id") == self.ids:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})

    def evaluate(self, expression):
        result = self.call(
            "Runtime.evaluate",
            expression=expression,
            awaitPromise=True,
            returnByValue=True,
        )
        return result.get("result", {}).get("value")

    def open(self, url, ready, timeout=60):
        self.call("Page.navigate", url=url)
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.evaluate(f"!!document.querySelector({json.dumps(ready)})"):
                time.sleep(1.5)  # let fonts and charts settle
                return
            time.sleep(0.3)
        raise RuntimeError(f"{url}: {ready} never appeared")

    def login(self, base, db, login):
        # Leave the previous user's web client first: its background
        # requests would otherwise give the browser a new session between
        # the login form and its post (CSRF failure).
        self.call("Page.navigate", url="about:blank")
        time.sleep(0.5)
        self.call("Network.enable")
        self.call("Network.clearBrowserCookies")
        self.open(f"{base}/web/login?db={db}", "form.oe_login_form")
        self.evaluate(
            "(() => {const f = document.querySelector('form.oe_login_form');"
            f"f.login.value = {json.dumps(login)};"
            f"f.password.value = {json.dumps(login)};"
            "f.submit();})()"
        )
        # Logged in once the login page has been left (a busy server may
        # take a while; a fixed pause made later pages open the login form).
        deadline = time.time() + 60
        while time.time() < deadline:
            time.sleep(0.5)
            if self.evaluate(
                "location.pathname !== '/web/login'"
                " && document.readyState === 'complete'"
            ):
                return
        raise RuntimeError(f"{login} could not log in")

    def save(self, path):
        data = self.call("Page.captureScreenshot", format="png")["data"]
        path.write_bytes(base64.b64decode(data))

    def close(self):
        self.ws.close()
        self.process.terminate()
        self.process.wait(10)
        # Chromium's helpers may still be writing the profile as it exits.
        shutil.rmtree(self.profile.name, ignore_errors=True)


def _chromium():
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = subprocess.run(["which", name], capture_output=True, text=True).stdout
        if found.strip():
            return found.strip()
    raise SystemExit("Chromium is needed: apt-get install chromium")


def main(base, db, output):
    output = Path(output)
    output.mkdir(parents=True, exist_ok=True)
    refs = _references(base, db)
    browser = Browser()
    try:
        current = None
        on_phone = False
        for name, login, path, ready in SHOTS:
            path = path.format(**refs)
            if login != current:
                if login == "public":
                    browser.call("Network.clearBrowserCookies")
                else:
                    browser.login(base, db, login)
                current = login
            phone = login == "public" or name in PHONE_SHOTS
            if phone != on_phone:
                browser.screen(phone)
                on_phone = phone
            browser.open(base + path, ready)
            browser.save(output / f"{name}.png")
            print(f"  {name}.png ({login}: {path})")
    finally:
        browser.close()


if __name__ == "__main__":
    main(*sys.argv[1:4])
