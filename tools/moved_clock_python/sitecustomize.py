"""Loaded at start by every Python process of the moved-clock run
(tools/moved_clock.sh puts this folder on PYTHONPATH).

Under libfaketime with the real monotonic clock (DONT_FAKE_MONOTONIC, so
that timed waits on locks and events keep working), ``time.sleep`` fails
with EINVAL: its absolute monotonic deadline is shifted by the fake offset.
A timed wait on an event is not affected, so ``time.sleep`` waits on one.
Without it every sleep fails: Odoo's start of Chromium (browser tours are
then skipped), the test server's health check, ...
"""

import threading
import time


def _sleep(seconds):
    if seconds < 0:
        raise ValueError("sleep length must be non-negative")
    threading.Event().wait(seconds)


time.sleep = _sleep
