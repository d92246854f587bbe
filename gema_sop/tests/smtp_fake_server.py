"""A local SMTP server for the tests: a real server on 127.0.0.1 (a free
port) in a thread, speaking enough SMTP for ``smtplib`` (EHLO/HELO, MAIL,
RCPT, DATA, RSET, NOOP, QUIT). Every message it took is kept in
``received`` as ``(envelope sender, recipients, raw bytes)``; with
``refuse`` set, it answers MAIL FROM with a permanent error (a mail
server that does not take the message)."""

import socketserver
import threading


class _Handler(socketserver.StreamRequestHandler):
    def _say(self, line):
        self.wfile.write(line.encode() + b"\r\n")

    def handle(self):
        server = self.server
        sender, recipients = None, []
        self._say("220 gema-test SMTP")
        while line := self.rfile.readline():
            command = line.decode(errors="replace").strip()
            verb = command[:4].upper()
            if verb in ("EHLO", "HELO"):
                self._say("250 gema-test")
            elif verb == "MAIL":
                if server.refuse:
                    self._say("550 refused by the test server")
                    continue
                sender, recipients = command[10:].strip(), []
                self._say("250 OK")
            elif verb == "RCPT":
                recipients.append(command[8:].strip())
                self._say("250 OK")
            elif verb == "DATA":
                self._say("354 end with <CRLF>.<CRLF>")
                data = []
                while (chunk := self.rfile.readline()) not in (b".\r\n", b""):
                    data.append(chunk[1:] if chunk.startswith(b"..") else chunk)
                server.received.append((sender, recipients, b"".join(data)))
                self._say("250 OK queued")
            elif verb == "QUIT":
                self._say("221 bye")
                return
            else:  # RSET, NOOP and anything else
                self._say("250 OK")


class FakeSmtpServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), _Handler)
        self.received = []
        self.refuse = False
        self.port = self.server_address[1]
        self._thread = threading.Thread(target=self.serve_forever, daemon=True)

    def start(self):
        self._thread.start()
        return self

    def stop(self):
        self.shutdown()
        self.server_close()


def start_smtp_server(case):
    """Start a server for the test ``case`` (stopped at its end) and make it
    the database's outgoing mail server; returns the server."""
    server = FakeSmtpServer().start()
    case.addCleanup(server.stop)
    case.env["ir.mail_server"].create(
        {
            "name": "Test SMTP",
            "smtp_host": "127.0.0.1",
            "smtp_port": server.port,
            "smtp_encryption": "none",
        }
    )
    return server
