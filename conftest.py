"""pytest hooks and fixtures of the suite under gema_sop/tests.

It sits at the repository root, outside the addon, because pytest imports
conftest files before pytest-odoo can give the addon its ``odoo.addons``
name.

End-to-end fixtures: a real Odoo server process, and Odoo's command line.

The Odoo test cases (``test_*`` modules imported by ``__init__``) run inside
pytest-odoo's registry on the test database. The end-to-end modules
(``test_e2e_*``, not imported by ``__init__``, so Odoo's own runner ignores
them) talk to a separate server process over XML-RPC with erppeek, as a
script or a server action would. ``tools/test.sh`` names their databases.
"""

import os
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager

import pytest
import websocket

import odoo


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """A skipped test proves nothing: report it as a failure.

    Odoo skips browser tests when Chromium or websocket-client is missing,
    and pytest-odoo skips HttpCase without --odoo-http; either would turn a
    broken environment into a green run.
    """
    report = yield
    if report.skipped and not hasattr(report, "wasxfail"):
        report.outcome = "failed"
        report.longrepr = (
            f"skipped, and a skipped test proves nothing: {report.longrepr}"
        )
    return report


def _database(variable):
    name = os.environ.get(variable)
    if not name:
        pytest.fail(f"{variable} is not set: run the suite with `make test`")
    return name


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _odoo_script():
    """Odoo's launcher script in its source tree: ``odoo-bin`` of a git
    checkout, ``setup/odoo`` of a source archive. A multi-worker server
    starts its websocket process as ``<python> <argv[0]> gevent``, so the
    server must run from a script (``python -m odoo`` cannot be re-run that
    way)."""
    root = os.path.dirname(os.path.dirname(odoo.__file__))
    for candidate in ("odoo-bin", os.path.join("setup", "odoo")):
        path = os.path.join(root, candidate)
        if os.path.isfile(path):
            return path
    pytest.fail(f"no odoo-bin nor setup/odoo in {root}")


def _odoo_command(*args):
    command, *rest = args
    return [
        sys.executable,
        _odoo_script(),
        command,
        "-c",
        odoo.tools.config.rcfile,
        *rest,
    ]


@pytest.fixture(scope="session", autouse=True)
def _static_paths_read_once():
    """Read the addons' static paths (every manifest) once, in the main
    thread, before any test's HTTP server thread does. Python 3.11.7 can
    fail compiling a manifest in that thread ("SystemError: AST constructor
    recursion depth mismatch"), which answered a tour's request with an
    error page on a moved-clock run."""
    import odoo.http  # noqa: PLC0415 - after pytest-odoo has set Odoo up

    return odoo.http.root.statics


@pytest.fixture(scope="session")
def odoo_command():
    """Build Odoo's command line with the configuration pytest-odoo was given:
    ``odoo_command("shell", "-d", db)``."""
    return _odoo_command


@pytest.fixture(scope="session")
def demo_db():
    return _database("GEMA_TEST_DEMO_DB")


@pytest.fixture(scope="session")
def uninstall_db():
    return _database("GEMA_TEST_UNINSTALL_DB")


@pytest.fixture(scope="session")
def concurrency_db():
    """A copy of the test database where tests may commit (two workers)."""
    return _database("GEMA_TEST_CONCURRENCY_DB")


def _wait_for_health(url, process, log, deadline):
    while True:
        try:
            with urllib.request.urlopen(f"{url}/web/health", timeout=2):
                return
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"the Odoo server did not start:\n{log.read_text()}")
            time.sleep(0.5)


@contextmanager
def _odoo_server(db, log, workers=2):
    """A real Odoo server on ``db``, on free ports, logging to ``log``;
    yields its URL and stops it afterwards.

    It runs as production does, with ``workers`` HTTP worker processes and
    the websocket (gevent) process beside them: a websocket process that
    cannot start fails the fixture, hence the suite.
    """
    port, gevent_port = _free_port(), _free_port()
    with open(log, "wb") as out:
        process = subprocess.Popen(
            _odoo_command(
                "server",
                "-d",
                db,
                f"--db-filter=^{db}$",
                f"--http-port={port}",
                f"--gevent-port={gevent_port}",
                "--http-interface=127.0.0.1",
                "--max-cron-threads=0",
                f"--workers={workers}",
                # Tests wait on each other's transactions on purpose.
                "--limit-time-real=600",
                "--limit-time-cpu=600",
            ),
            stdout=out,
            stderr=subprocess.STDOUT,
            env=dict(os.environ, TZ="UTC"),
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        _wait_for_health(url, process, log, deadline)
        if workers:
            _check_websocket(f"127.0.0.1:{gevent_port}", process, log, deadline)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)


def _check_websocket(host, process, log, deadline):
    """Open a real websocket on the server's gevent process (live
    notifications, the activity systray and live chat go through it)."""
    while True:
        try:
            socket_ = websocket.create_connection(
                f"ws://{host}/websocket", timeout=5, origin=f"http://{host}"
            )
        except (OSError, websocket.WebSocketException):
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(
                    f"the Odoo websocket process did not start:\n{log.read_text()}"
                )
            time.sleep(0.5)
        else:
            socket_.close()
            return


@pytest.fixture(scope="session")
def demo_server(demo_db, tmp_path_factory):
    """An Odoo server on the demo database; yields its URL."""
    with _odoo_server(demo_db, tmp_path_factory.mktemp("server") / "odoo.log") as url:
        yield url


@pytest.fixture
def concurrency_server(concurrency_db, tmp_path):
    """An Odoo server on the concurrency copy database; yields its URL."""
    with _odoo_server(concurrency_db, tmp_path / "odoo.log") as url:
        yield url


@pytest.fixture
def concurrency_server_4(concurrency_db, tmp_path):
    """The same server with 4 HTTP workers, so that more simultaneous
    requests meet in the database."""
    with _odoo_server(concurrency_db, tmp_path / "odoo.log", workers=4) as url:
        yield url
