"""The suite's two concurrency idioms, written once (see docs/architecture.md, "Queues and locks").

Every queue runs with many prefork workers and cron threads at once, and every callback may arrive
twice at the same moment. Two rules keep that safe:

- a worker **claims** the rows it is about to act on (``FOR UPDATE SKIP LOCKED``) before calling any
  provider, so two workers never act on the same row: :func:`claim_batch` and :func:`process_queue`;
- code that changes a row another worker may be changing **locks** it first and reads it again:
  :func:`lock_rows`; a callback passes ``nowait=True`` so it never waits behind a long transaction
  (it acknowledges and its stored copy is processed again later).
"""
import threading

from psycopg2 import errors as pg_errors

from odoo.tools import SQL

from odoo.addons.ddcpts_base.tools.orm import prefetch_field_names


def lock_rows(records, *, nowait=False, skip_locked=False):
    """Lock the rows of ``records`` (``SELECT … FOR UPDATE``) and drop their cached values.

    :param bool nowait: return an empty recordset at once when any row is locked by another
        transaction, instead of waiting for it
    :param bool skip_locked: return only the rows that could be locked, skipping the others, and
        the rows another transaction changed since this one started (Odoo's transactions are
        REPEATABLE READ: what this one read of them is stale, another worker has acted on them)
    :return: the locked records (all of them, unless ``nowait`` or ``skip_locked`` said otherwise)
    """
    if not records:
        return records
    records.flush_recordset()
    mode = SQL(" NOWAIT") if nowait else SQL(" SKIP LOCKED") if skip_locked else SQL()
    query = SQL("SELECT id FROM %s WHERE id IN %s ORDER BY id FOR UPDATE%s",
                SQL.identifier(records._table), tuple(records.ids), mode)
    cr = records.env.cr
    try:
        if nowait or skip_locked:
            with cr.savepoint(flush=False):
                cr.execute(query, log_exceptions=False)
                ids = [row[0] for row in cr.fetchall()]
        else:
            # a row changed by another transaction since this one began raises SerializationFailure,
            # which callers retry: an outcome of concurrency, not a query to log as an error
            cr.execute(query, log_exceptions=False)
            ids = [row[0] for row in cr.fetchall()]
    except pg_errors.LockNotAvailable:
        return records.browse()
    except pg_errors.SerializationFailure:
        if not skip_locked or len(records) == 1:
            if skip_locked:
                return records.browse()
            raise
        ids = [record_id for record in records for record_id in lock_rows(record, skip_locked=True).ids]
    locked = records.browse(ids)
    locked.invalidate_recordset()
    return locked


def search_lock(model, domain, *, order='id', skip_locked=False):
    """The records matching ``domain``, locked (``FOR UPDATE``: waiting for another holder) and read
    by one query; ``search`` then :func:`lock_rows` cost three. For a callback about a few rows.

    :param bool skip_locked: leave out the rows another transaction holds instead of waiting; a row
        another transaction changed since this one began raises ``SerializationFailure``, which
        aborts the transaction (no savepoint): for a transaction retried as a whole, such as the
        processing of a callback (``controllers/callback.py``)
    """
    query = model._search(domain, order=order)
    select = query.select
    mode = SQL(" SKIP LOCKED") if skip_locked else SQL()
    query.select = lambda *terms: SQL("%s FOR UPDATE OF %s%s", select(*terms), SQL.identifier(model._table), mode)
    return model._fetch_query(query, model._determine_fields_to_fetch(prefetch_field_names(model)))


def lock_and_read(records, *, skip_locked=False):
    """:func:`lock_rows` and read the rows again, in one query instead of three or four (savepoint,
    lock, release, read), for the transaction of one callback: see ``search_lock(skip_locked=)``.

    :return: the locked records, read as locked (without the ones another transaction holds when
        ``skip_locked``)
    """
    if not records:
        return records
    records.invalidate_recordset()  # pending writes are flushed; what was read before is stale
    locked = search_lock(records.sudo().with_context(active_test=False), [('id', 'in', records.ids)],
                         skip_locked=skip_locked)
    return records.browse(locked.ids)


def claim_batch(model, domain, *, limit, order='id'):
    """Lock and return up to ``limit`` records matching ``domain`` that no other worker holds.

    Rows locked by another transaction are skipped (``SKIP LOCKED``), so concurrent workers share a
    queue without ever acting twice on one row; a worker that finds a row changed by another since
    its transaction began claims nothing (the other worker and the next run finish the queue). The
    records' cache is dropped: what the caller reads is the row as locked.
    """
    query = model._search(domain, order=order, limit=limit)
    sql = SQL("%s FOR UPDATE OF %s SKIP LOCKED", query.select(), SQL.identifier(model._table))
    model.env.flush_query(sql)
    cr = model.env.cr
    try:
        with cr.savepoint(flush=False):
            cr.execute(sql, log_exceptions=False)
            ids = [row[0] for row in cr.fetchall()]
    except pg_errors.SerializationFailure:
        # another worker committed a change to a matching row while this transaction was running
        # (REPEATABLE READ): it is working this queue, leave the rest to it and to the next run
        return model.browse()
    claimed = model.browse(ids)
    claimed.invalidate_recordset()
    return claimed


def in_test_mode():
    """Whether the current thread runs a test: tests must not commit (their transaction is rolled back)."""
    return getattr(threading.current_thread(), 'testing', False)


def process_queue(model, domain, process, *, limit, order='id', chunk=1, cron_xmlid=None):
    """Claim rows of ``domain`` by chunks and hand each chunk to ``process``, committing after each.

    The commit after every chunk makes each provider call final before the next one starts and
    releases the locks; a row ``process`` leaves matching ``domain`` (to be retried later) is not
    claimed again in the same run. When ``limit`` rows were processed and more are waiting, the
    cron is told (``ir.cron._notify_progress``, which reschedules it at once), or triggered when
    the queue is run from elsewhere (a button, a test).

    :param process: callable receiving the claimed recordset
    :param str cron_xmlid: the queue's cron, triggered when work remains outside a cron run
    :return: the number of records processed
    """
    commit = not in_test_mode()
    done_ids = []
    while len(done_ids) < limit:
        pending_domain = domain + [('id', 'not in', done_ids)] if done_ids else domain
        records = claim_batch(model, pending_domain, limit=min(chunk, limit - len(done_ids)), order=order)
        if not records:
            break
        process(records)
        done_ids += records.ids
        if commit:
            model.env.cr.commit()
    full = len(done_ids) == limit
    remaining = model.search_count(domain + [('id', 'not in', done_ids)]) if full else 0
    if model.env.context.get('ir_cron_progress_id'):
        model.env['ir.cron']._notify_progress(done=len(done_ids), remaining=remaining)
    elif remaining and cron_xmlid:
        model.env.ref(cron_xmlid)._trigger()
    return len(done_ids)
