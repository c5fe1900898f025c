"""Helpers of the benchmark scripts run by `make bench` (scripts/bench.sh).

The runner gives every script a fresh database with all addons installed, a simulator and an Odoo
server running with prefork workers, through environment variables:

- DDCPTS_BENCH_URL        the Odoo server (e.g. http://127.0.0.1:8169)
- DDCPTS_BENCH_DB         its database
- DDCPTS_BENCH_ODOO_ARGS  Odoo command-line options to open the same database in-process (fixtures)
- DDCPTS_BENCH_LOG        the server's log file, whose request lines carry the per-request query counts
- DDCPTS_SANDBOX_URL      the provider simulator

Scripts print figures; they never assert on times.
"""
import contextlib
import functools
import os
import re
import shlex
import statistics
import time

import requests

# werkzeug access lines end with: "<METHOD> <path> HTTP/1.1" <status> - <queries> <query time> <other time>
REQUEST_LINE = re.compile(r'"(?P<method>[A-Z]+) (?P<path>\S+) HTTP/[\d.]+" (?P<status>\d+) - (?P<queries>\d+) ')


def server_url():
    return os.environ['DDCPTS_BENCH_URL'].rstrip('/')


def sandbox_url():
    return os.environ['DDCPTS_SANDBOX_URL'].rstrip('/')


def sandbox(method, path, *, timeout=600, **kwargs):
    """Call the simulator (``path`` from its root: ``/_sandbox/reset``, a plugin route…); return its JSON."""
    response = requests.request(method, f'{sandbox_url()}{path}', timeout=timeout, **kwargs)
    response.raise_for_status()
    return response.json()


@functools.cache
def _registry():
    """Odoo's configuration can be parsed only once per process: the registry is opened once."""
    import odoo
    from odoo.tools import config

    config.parse_config(shlex.split(os.environ['DDCPTS_BENCH_ODOO_ARGS']))
    return odoo.modules.registry.Registry(os.environ['DDCPTS_BENCH_DB'])


@contextlib.contextmanager
def odoo_env():
    """An Odoo environment (superuser) on the benchmark database, committed on exit."""
    from odoo import SUPERUSER_ID, api

    with _registry().cursor() as cr:
        yield api.Environment(cr, SUPERUSER_ID, {})


def log_offset():
    """Current size of the server log: pass it to ``query_counts`` to read only later requests."""
    return os.path.getsize(os.environ['DDCPTS_BENCH_LOG'])


def query_counts(path_prefix, since):
    """SQL query count of every request to ``path_prefix`` logged after offset ``since``."""
    with open(os.environ['DDCPTS_BENCH_LOG'], encoding='utf-8', errors='replace') as log:
        log.seek(since)
        return [int(match['queries']) for match in map(REQUEST_LINE.search, log)
                if match and match['path'].startswith(path_prefix)]


def timed_calls(call, count):
    """Run ``call(index)`` ``count`` times; return the duration of each call in milliseconds."""
    durations = []
    for index in range(count):
        started = time.perf_counter()
        call(index)
        durations.append((time.perf_counter() - started) * 1000)
    return durations


def summary(durations):
    ordered = sorted(durations)
    return {
        'calls': len(ordered),
        'median_ms': statistics.median(ordered),
        'p95_ms': ordered[int(len(ordered) * 0.95) - 1],
        'mean_ms': statistics.fmean(ordered),
    }


def print_table(title, rows):
    """Print a list of dicts as an aligned table under a title."""
    print(f'\n## {title}\n')
    if not rows:
        print('(no rows)')
        return
    columns = list(rows[0])
    cells = [[_format(row[column]) for column in columns] for row in rows]
    widths = [max(len(column), *(len(line[index]) for line in cells)) for index, column in enumerate(columns)]
    print('  '.join(column.ljust(width) for column, width in zip(columns, widths)))
    print('  '.join('-' * width for width in widths))
    for line in cells:
        print('  '.join(cell.ljust(width) for cell, width in zip(line, widths)))


def _format(value):
    return f'{value:.2f}' if isinstance(value, float) else str(value)


def json_rpc_session():
    session = requests.Session()
    session.headers['Content-Type'] = 'application/json'
    return session


def deliver_callbacks(url, bodies, path_prefix, *, reset=True):
    """Have the simulator hold every body, then send them all at once; return the route's figures.

    :param url: the callback URL, or a list of one URL per body
    :param reset: reset the simulator into hold mode first; with False, what it knows is kept (payments
        a callback's processor queries) and the caller has reset it with ``{'hold_callbacks': True}``
    """
    if reset:
        sandbox('POST', '/_sandbox/reset', json={'hold_callbacks': True})
    urls = url if isinstance(url, list) else [url] * len(bodies)
    token = requests.post(f'{sandbox_url()}/echo/oauth/token', timeout=30,
                          headers={'Authorization': 'Basic YmVuY2g6YmVuY2g='}).json()['access_token']
    session = requests.Session()
    session.headers['Authorization'] = f'Bearer {token}'
    for body, body_url in zip(bodies, urls):
        session.post(f'{sandbox_url()}/echo/api/callback', json={'callback_url': body_url, 'payload': body},
                     timeout=30).raise_for_status()
    since = log_offset()
    started = time.monotonic()
    records = sandbox('POST', '/_sandbox/callbacks/deliver', json={'timeout': 3600}, timeout=3700)['callbacks']
    seconds = time.monotonic() - started
    time.sleep(1)  # the server writes its access log line after answering
    queries = query_counts(path_prefix, since)
    return {
        'callbacks': len(records),
        'failed': sum(record['state'] != 'delivered' for record in records),
        'seconds': seconds,
        'per_second': len(records) / seconds,
        'queries_per_callback': sum(queries) / max(len(queries), 1),
    }
