"""Waking a cron from a hot path (a callback per payment) without a PostgreSQL NOTIFY per call.

``ir.cron._trigger()`` for "now" reads the cron, inserts a trigger row and, after the commit, wakes
the cron workers with a NOTIFY sent through a new connection to the ``postgres`` database (Odoo
never keeps one in its pool): the dearest part of a paid callback. :func:`trigger_batched` lets a
worker do that at most once per :data:`BATCH`.
"""
import threading
from datetime import timedelta

from odoo import fields

BATCH = timedelta(seconds=5)  # a worker triggers one cron at most once per BATCH
CATCH_UP = 2 * BATCH  # when its catch-up run is due, after the "now" one

_lock = threading.Lock()
# (database, cron id) -> the catch-up trigger this process committed last for that cron
_catch_up_at = {}


def trigger_batched(cron):
    """Have ``cron`` run soon after the current transaction commits, the wake-up shared with the other
    calls of this worker for a few seconds.

    The first call triggers ``cron`` for now (woken at once) and for a catch-up run :data:`CATCH_UP`
    later. Until :data:`BATCH` before that catch-up time, later calls of the worker add nothing: what
    they commit is picked up by that catch-up run at the latest, whose time is still at least
    :data:`BATCH` ahead when they skip. The trigger is remembered only once committed, so a rolled-back
    transaction leaves no memory behind (and test cursors, which run no post-commit hooks, trigger
    on every call as ``_trigger()`` does).

    Latency: immediate for the first change of a batch; under steady traffic the others are picked up
    by the next batch's wake-up (within :data:`BATCH`); the last ones of a burst by the catch-up
    trigger, which the cron workers see at their next poll (Odoo polls every minute).
    """
    cron.ensure_one()
    key = (cron.env.cr.dbname, cron.id)
    now = fields.Datetime.now()
    if now < _catch_up_at.get(key, now) - BATCH:
        return
    catch_up = now + CATCH_UP
    cron._trigger([now, catch_up])

    def remember():
        with _lock:
            _catch_up_at[key] = max(_catch_up_at.get(key, catch_up), catch_up)
    cron.env.cr.postcommit.add(remember)
