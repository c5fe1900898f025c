"""USSD response time under 20 concurrent sessions, next to a bare Odoo JSON route.

20 callers (known contacts) start together (a barrier) and each plays the same 5-step Africa's Talking
dialogue against the prefork server: root menu, PIN prompt, back, invalid choice re-prompted, final screen
(every step replays the growing history through the menu engine, stores the raw request and updates the
session). The bare route is Odoo's ``/web/webclient/version_info`` called by as many concurrent clients
as many times. Telcos cut a session whose application takes more than a few seconds (Kenya: ~10-15 s),
so the figures are printed next to targets, with the load average of the machine (times depend on it; the
queries per step do not). ``DDCPTS_BENCH_USSD_ROUNDS`` (default 5) repeats the dialogue.
"""
import functools
import itertools
import json
import os
import threading
from urllib.parse import urlencode

import common as bench
import requests

SESSIONS = 20
ROUNDS = int(os.environ.get('DDCPTS_BENCH_USSD_ROUNDS', 5))
SERVICE_CODE = '*384*777#'
DIALOGUE = ('', '4', '4*0', '4*0*9', '4*0*9*2')
TARGETS_MS = {'p50_ms': 300, 'p95_ms': 1000}


def phone(index):
    return f'+2547980{index:05d}'


def setup():
    with bench.odoo_env() as env:
        service = env['ddcpts.ussd.service'].create({
            'name': "Bench USSD", 'service_code': SERVICE_CODE, 'root_menu': 'demo',
            'ddcpts_public_url': bench.server_url(),
        })
        env['res.partner'].create([{'name': f"Bench caller {index}", 'mobile': phone(index)}
                                   for index in range(SESSIONS)])
        return service._ddcpts_ussd_callback_url()


def run_concurrently(requests_of, sessions=SESSIONS):
    """Send ``requests_of(index, session)`` (an iterable of calls) from ``sessions`` threads released
    together; return the duration of every call in milliseconds."""
    barrier = threading.Barrier(sessions)
    durations = []
    lock = threading.Lock()

    def worker(index):
        session = requests.Session()
        calls = list(requests_of(index, session))
        barrier.wait()
        mine = bench.timed_calls(lambda position: calls[position](), len(calls))
        with lock:
            durations.extend(mine)

    threads = [threading.Thread(target=worker, args=(index,)) for index in range(sessions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return durations


def main():
    url = setup()
    # the server's access log masks the callback token: count the route by its prefix
    path = url[url.index('/ddcpts/ussd/'):].rsplit('/', 1)[0] + '/'
    base = bench.server_url()
    failures = []
    runs = itertools.count()

    def ussd_step(session, form):
        response = session.post(url, data=urlencode(form),
                                headers={'Content-Type': 'application/x-www-form-urlencoded'}, timeout=60)
        if response.status_code != 200 or not response.text.startswith(('CON ', 'END ')):
            failures.append(response.text[:80])

    def dialogue(index, session):
        run = next(runs)  # fresh session ids at every run
        for round_index in range(ROUNDS):
            for text in DIALOGUE:
                form = {'sessionId': f'ATUid_bench_{run}_{index}_{round_index}', 'serviceCode': SERVICE_CODE,
                        'phoneNumber': phone(index), 'networkCode': '63902', 'text': text}
                yield functools.partial(ussd_step, session, form)

    def bare_call(session, count):
        response = session.post(base + '/web/webclient/version_info', data=json.dumps(
            {'jsonrpc': '2.0', 'method': 'call', 'params': {}, 'id': count}),
            headers={'Content-Type': 'application/json'}, timeout=60)
        response.raise_for_status()

    def bare(index, session):
        return [functools.partial(bare_call, session, count) for count in range(ROUNDS * len(DIALOGUE))]

    run_concurrently(bare)  # warm-up of the workers
    rows = []
    for name, calls, prefix, sessions in (
        ('bare JSON route', bare, '/web/webclient', SESSIONS),
        ('USSD 5-step dialogue', dialogue, path, SESSIONS),
        ('bare JSON route, 1 client', bare, '/web/webclient', 1),
        ('USSD dialogue, 1 session at a time', dialogue, path, 1),
    ):
        since = bench.log_offset()
        figures = bench.summary(run_concurrently(calls, sessions))
        queries = bench.query_counts(prefix, since)
        rows.append({'route': name, 'requests': figures['calls'], 'p50_ms': figures['median_ms'],
                     'p95_ms': figures['p95_ms'], 'queries_per_request': sum(queries) / max(len(queries), 1),
                     'load_avg_1min': os.getloadavg()[0],
                     'target': ' '.join(f'{key[:3]}<={value}' for key, value in TARGETS_MS.items())
                     if name == 'USSD 5-step dialogue' else '-'})
    bench.print_table(f'USSD steps, {SESSIONS} concurrent sessions x {ROUNDS} dialogues, then one at a time '
                      '(prefork server)', rows)
    ussd = rows[1]
    verdicts = ', '.join(f"{key} {ussd[key]:.0f} ms {'meets' if ussd[key] <= target else 'MISSES'} {target} ms"
                         for key, target in TARGETS_MS.items())
    print(f"\nUSSD: {verdicts}; {ussd['p95_ms'] / max(rows[0]['p95_ms'], 0.01):.1f}x the bare route's p95; "
          f"{len(failures)} bad answers; {rows[3]['queries_per_request']:.1f} queries per step (one session at a "
          f"time, independent of the load); load average {', '.join(f'{value:.1f}' for value in os.getloadavg())} "
          f"on {os.cpu_count()} CPUs")


if __name__ == '__main__':
    main()
