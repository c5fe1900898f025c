"""Cost of storing a provider callback, next to a bare Odoo JSON route on the same server.

Both are called sequentially from one client: the bare route is Odoo's own
``/web/webclient/version_info`` (JSON-RPC, no database work); the callback route is the fixture
provider's no-op route (token check, raw row committed in its own transaction, an empty processor
in a second transaction, the acknowledgement). Figures: milliseconds and SQL queries per call, and
the callback/bare ratio.
"""
import json
import os

import common as bench

CALLS = int(os.environ.get('DDCPTS_BENCH_CALLS', 500))
WARMUP = 20


def callback_path():
    with bench.odoo_env() as env:
        provider = env['test.ddcpts.provider'].create({'name': "Bench provider", 'base_url': bench.sandbox_url()})
        url = provider._ddcpts_callback_url('/ddcpts/test', 'noop')
    return url[url.index('/ddcpts/test'):]


def measure(name, path, call, count):
    bench.timed_calls(call, WARMUP)
    since = bench.log_offset()
    durations = bench.timed_calls(call, count)
    queries = bench.query_counts(path, since)
    return {'route': name, **bench.summary(durations), 'queries_per_call': sum(queries) / max(len(queries), 1)}


def main():
    session = bench.json_rpc_session()
    base = bench.server_url()
    bare_path = '/web/webclient/version_info'
    noop_path = callback_path()

    def bare(index):
        body = {'jsonrpc': '2.0', 'method': 'call', 'params': {}, 'id': index}
        response = session.post(base + bare_path, data=json.dumps(body))
        response.raise_for_status()

    def callback(index):
        response = session.post(base + noop_path, data=json.dumps({'event_id': f'bench-{index}', 'amount': 1}))
        response.raise_for_status()

    rows = [
        measure('bare JSON route', bare_path, bare, CALLS),
        measure('callback (stored)', '/ddcpts/test', callback, CALLS),
    ]
    bench.print_table(f'Callback storage vs bare Odoo JSON route ({CALLS} sequential calls each)', rows)
    print(f"\nratio callback/bare: {rows[1]['median_ms'] / rows[0]['median_ms']:.2f}x median time, "
          f"{rows[1]['queries_per_call'] / max(rows[0]['queries_per_call'], 1):.2f}x queries")


if __name__ == '__main__':
    main()
