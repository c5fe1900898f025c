"""KRA eTIMS: invoices signed per minute, and the time to drain a queue after an outage.

1. Signed per minute: ``DDCPTS_BENCH_ETIMS_INVOICES`` (default 100) invoices are posted over JSON-RPC by
   ``DDCPTS_BENCH_ETIMS_CLIENTS`` (default 4) concurrent clients, with the simulator answering after
   ``DDCPTS_BENCH_ETIMS_LATENCY_MS`` (default 200 ms). After its commit, each posting sends the
   branch's queue, unless another worker is sending it already (that one sends this invoice too):
   figures are invoices signed per minute next to the target (90 % of one round trip per invoice,
   300/min at 200 ms), the time Odoo adds to each round trip, and the posting time seen by the clients.
2. Sender alone: the same number of invoices, queued during an outage, sent by the cron's code at
   ``DDCPTS_BENCH_ETIMS_LATENCY_MS``: invoices signed per minute when posting is not what limits
   them (the eTIMS sending path itself), next to the same target.
3. Drain: eTIMS is down (HTTP 503) while ``DDCPTS_BENCH_ETIMS_QUEUE`` (default 1 000) invoices are
   posted; when it is back, the queue is sent by the cron's code (in order, one number after the other)
   with ``DDCPTS_BENCH_ETIMS_DRAIN_LATENCY_MS`` (default 0) of eTIMS latency: time to drain, invoices/s.
"""
import concurrent.futures
import os
import statistics
import time

import common as bench

LATENCY_MS = int(os.environ.get('DDCPTS_BENCH_ETIMS_LATENCY_MS', 200))
INVOICES = int(os.environ.get('DDCPTS_BENCH_ETIMS_INVOICES', 100))
CLIENTS = int(os.environ.get('DDCPTS_BENCH_ETIMS_CLIENTS', 4))
QUEUE = int(os.environ.get('DDCPTS_BENCH_ETIMS_QUEUE', 1000))
DRAIN_LATENCY_MS = int(os.environ.get('DDCPTS_BENCH_ETIMS_DRAIN_LATENCY_MS', 0))
LOGIN = PASSWORD = 'admin'
# one round trip to eTIMS per invoice, one invoice in flight per branch: the most a branch can sign
BOUND_PER_MINUTE = 60_000 / LATENCY_MS if LATENCY_MS else None
TARGET_SHARE = 0.9


def setup_branch(env):
    """A KES-invoicing branch of the main company with an initialized device; returns the record ids."""
    from odoo import Command

    company = env.ref('base.main_company')
    journal = env['account.journal'].search([('company_id', '=', company.id), ('type', '=', 'sale')], limit=1)
    env.ref('base.KES').active = True
    tax = env['account.tax'].create({'name': "Bench VAT 16%", 'amount': 16, 'type_tax_use': 'sale',
                                     'company_id': company.id, 'etims_tax_type': 'B'})
    item_class = env['ddcpts.etims.item.class'].search([('code', '=', '5020230100')]) or \
        env['ddcpts.etims.item.class'].create({'code': '5020230100', 'name': "Fruit juices"})
    product = env['product.product'].create({'name': "Bench juice", 'list_price': 116,
                                             'taxes_id': [Command.set(tax.ids)],
                                             'etims_item_class_id': item_class.id})
    partner = env['res.partner'].create({'name': "Bench customer", 'kra_pin': 'P051365947M'})
    device = env['ddcpts.etims.device'].create({
        'name': "Bench branch", 'company_id': company.id, 'tin': 'P050000001B', 'serial_number': 'BENCH-1',
        'environment': 'custom', 'custom_url': f'{bench.sandbox_url()}/etims-api/', 'timeout': 30,
    })
    journal.etims_device_id = device
    device.action_initialize()
    env.cr.commit()
    return {'journal': journal.id, 'tax': tax.id, 'product': product.id, 'partner': partner.id,
            'device': device.id}


def create_invoices(env, ids, count):
    from odoo import Command, fields

    return env['account.move'].create([{
        'move_type': 'out_invoice', 'partner_id': ids['partner'], 'journal_id': ids['journal'],
        'currency_id': env.ref('base.KES').id, 'invoice_date': fields.Date.today(),
        'invoice_line_ids': [Command.create({'product_id': ids['product'], 'quantity': 1 + index % 5,
                                             'price_unit': 116, 'tax_ids': [Command.set([ids['tax']])]})],
    } for index in range(count)])


def states(env, invoice_ids):
    env.cr.commit()  # a fresh snapshot: the documents were sent in other transactions
    env.invalidate_all()
    invoices = env['account.move'].browse(invoice_ids)
    return invoices.mapped('etims_state'), sorted(invoices.mapped('etims_invoice_number'))


def signed_per_minute(env, ids):
    bench.sandbox('DELETE', '/_sandbox/rules')
    bench.sandbox('POST', '/_sandbox/rules',
                  json={'path': '/etims-api/saveTrnsSalesOsdc', 'delay_ms': LATENCY_MS, 'times': -1})
    invoice_ids = create_invoices(env, ids, INVOICES).ids
    env.cr.commit()
    session = bench.json_rpc_session()
    uid = rpc(session, 'common', 'authenticate', os.environ['DDCPTS_BENCH_DB'], LOGIN, PASSWORD, {})

    def post(invoice_id):
        started = time.perf_counter()
        rpc(session, 'object', 'execute_kw', os.environ['DDCPTS_BENCH_DB'], uid, PASSWORD,
            'account.move', 'action_post', [[invoice_id]])
        return (time.perf_counter() - started) * 1000

    started = time.perf_counter()
    with concurrent.futures.ThreadPoolExecutor(CLIENTS) as pool:
        durations = list(pool.map(post, invoice_ids))
    elapsed = time.perf_counter() - started
    signed, numbers = states(env, invoice_ids)
    count = signed.count('signed')
    return {
        'invoices': INVOICES, 'clients': CLIENTS, 'etims_latency_ms': LATENCY_MS, 'elapsed_s': elapsed,
        'signed': count, 'signed_per_minute': count / elapsed * 60,
        'target_per_minute': target(),
        # time per invoice beyond KRA's latency: what Odoo adds to each round trip
        'overhead_ms_per_invoice': elapsed * 1000 / max(count, 1) - LATENCY_MS,
        'post_median_ms': statistics.median(durations), 'post_max_ms': max(durations),
        'numbers_consecutive': numbers == list(range(numbers[0], numbers[0] + len(numbers))) if numbers else False,
    }


def target():
    return f'>= {TARGET_SHARE * BOUND_PER_MINUTE:.0f} ({TARGET_SHARE:.0%} of {BOUND_PER_MINUTE:.0f})' \
        if BOUND_PER_MINUTE else '-'


def drain(env, ids, queue=QUEUE, latency_ms=DRAIN_LATENCY_MS):
    bench.sandbox('DELETE', '/_sandbox/rules')
    bench.sandbox('POST', '/_sandbox/rules',
                  json={'path': '/etims-api/saveTrnsSalesOsdc', 'status': 503, 'times': -1})
    invoices = create_invoices(env, ids, queue)
    invoice_ids = invoices.ids
    invoices.action_post()  # queued; after the commit the first one takes its number and waits for its retry
    env.cr.commit()
    env.invalidate_all()
    invoices.filtered(lambda move: move.etims_state == 'sending').write({'etims_next_attempt_at': False})
    env.cr.commit()
    bench.sandbox('DELETE', '/_sandbox/rules')  # eTIMS is back
    if latency_ms:
        bench.sandbox('POST', '/_sandbox/rules',
                      json={'path': '/etims-api/saveTrnsSalesOsdc', 'delay_ms': latency_ms, 'times': -1})
    from odoo import sql_db

    queries_before = sql_db.sql_counter
    started = time.perf_counter()
    passes = 0
    while True:
        passes += 1
        env['ddcpts.etims.device'].browse(ids['device'])._etims_process_queue()
        env.cr.commit()
        waiting = env['account.move'].search_count([('id', 'in', invoice_ids),
                                                    ('etims_state', 'in', ('to_send', 'sending'))])
        if not waiting or passes > queue:
            break
    elapsed = time.perf_counter() - started
    queries = sql_db.sql_counter - queries_before
    signed, numbers = states(env, invoice_ids)
    return {
        'queued': queue, 'etims_latency_ms': latency_ms, 'drain_s': elapsed, 'queue_passes': passes,
        'signed': signed.count('signed'), 'invoices_per_s': signed.count('signed') / elapsed,
        **({'signed_per_minute': signed.count('signed') / elapsed * 60, 'target_per_minute': target()}
           if latency_ms == LATENCY_MS else {}),
        'ms_per_invoice': elapsed * 1000 / max(signed.count('signed'), 1),
        # SQL queries of the send path per invoice: the figure that does not depend on the machine's load
        'queries_per_invoice': queries / max(signed.count('signed'), 1),
        'numbers_consecutive': numbers == list(range(numbers[0], numbers[0] + len(numbers))) if numbers else False,
    }


def rpc(session, service, method, *args):
    answer = session.post(f'{bench.server_url()}/jsonrpc', timeout=300, json={
        'jsonrpc': '2.0', 'method': 'call', 'id': 1, 'params': {'service': service, 'method': method, 'args': args},
    }).json()
    if 'error' in answer:
        raise RuntimeError(answer['error']['data']['message'])
    return answer.get('result')


def main():
    bench.sandbox('POST', '/_sandbox/reset')
    with bench.odoo_env() as env:
        ids = setup_branch(env)
        bench.print_table(f'Invoices signed per minute ({LATENCY_MS} ms eTIMS latency, {bench.load_average()})',
                          [signed_per_minute(env, ids)])
        bench.print_table(f'Sender alone: {INVOICES} queued invoices sent at {LATENCY_MS} ms ({bench.load_average()})',
                          [drain(env, ids, INVOICES, LATENCY_MS)])
        bench.print_table(f'Draining {QUEUE} invoices queued during an outage ({bench.load_average()})',
                          [drain(env, ids)])


if __name__ == '__main__':
    main()
