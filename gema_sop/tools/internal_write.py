"""Writes the addon's own code makes, told apart from a caller's writes.

A button moves a record's state and stamps fields the user may not type
(a technician's ticket is shipped by logistics, who may not write the
shipping date). That permission cannot travel in the environment's
context: Odoo passes a client's context through to the model, so any
XML-RPC caller could send the same key. It lives in a context variable of
the running request instead, which only Python code of this process sets,
for the records it names and for the duration of its ``with`` block.
"""

import contextvars
from contextlib import contextmanager

_WRITING = contextvars.ContextVar("gema_internal_write", default=frozenset())


@contextmanager
def internal_write(records):
    """Inside the block, writes of ``records`` are the addon's own."""
    token = _WRITING.set(
        _WRITING.get() | {(records._name, record_id) for record_id in records._ids}
    )
    try:
        yield records
    finally:
        _WRITING.reset(token)


def is_internal_write(records):
    """Whether ``records`` are being written by the addon's own code."""
    writing = _WRITING.get()
    return all((records._name, record_id) in writing for record_id in records._ids)
