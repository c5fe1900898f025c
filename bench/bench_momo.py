"""MTN MoMo: the polling cron over 1 000 and 10 000 pending Requests to Pay, and callbacks per second.

Polling: N requests are created in the simulator (POST requesttopay, as Odoo sends them) and as N
pending transactions due now; the cron is then run in-process until none is due. Figures per size:
seconds, transactions per second, SQL queries per transaction (all cursors of the process, call
log included) — it must stay flat from 1 000 to 10 000 (linear growth of the total).

Callbacks: ``DDCPTS_BENCH_MOMO_CALLBACKS`` (default 1000) Request-to-Pay callbacks delivered by the
simulator to the multi-worker server (each one triggers a status query to the simulator), next to
Odoo's bare JSON route, as in bench_mpesa_stk.py.
"""
import os
import time
import uuid

import common as bench
import requests

SIZES = [int(size) for size in os.environ.get('DDCPTS_BENCH_MOMO_SIZES', '1000,10000').split(',')]
CALLBACKS = int(os.environ.get('DDCPTS_BENCH_MOMO_CALLBACKS', 1000))
TARGET_QUERIES_PER_TX = 25  # target: a status query costs a bounded number of queries, whatever the queue size
TARGET_RATE_RATIO = 0.5  # callbacks per second, relative to the bare JSON route


def bench_provider(env):
    eur = env.ref('base.EUR')
    eur.active = True
    journal = env['account.journal'].search([('code', '=', 'BMOMO')]) or env['account.journal'].create({
        'name': "MoMo (bench)", 'code': 'BMOMO', 'type': 'bank',
        'currency_id': eur.id if env.company.currency_id != eur else False,
    })
    provider = env.ref('ddcpts_momo.payment_provider_momo')
    provider.write({
        'state': 'test', 'momo_target_environment': 'sandbox', 'momo_api_url_type': 'custom',
        'momo_api_url': bench.sandbox_url(), 'momo_api_user': str(uuid.uuid4()), 'momo_api_key': 'bench',
        'momo_collection_key': 'bench', 'momo_disbursement_key': 'bench', 'journal_id': journal.id,
        'ddcpts_public_url': bench.server_url(), 'momo_callback_host': 'callbacks.invalid',
    })
    return provider


def create_requests(env, provider, size, prefix):
    """``size`` Requests to Pay known to the simulator and as many pending transactions due now."""
    session = requests.Session()
    token = requests.post(f'{bench.sandbox_url()}/collection/token/', auth=('bench', 'bench'), timeout=30,
                          headers={'Ocp-Apim-Subscription-Key': 'bench'}).json()['access_token']
    session.headers.update({'Authorization': f'Bearer {token}', 'Ocp-Apim-Subscription-Key': 'bench',
                            'X-Target-Environment': 'sandbox'})
    references = [str(uuid.uuid4()) for _index in range(size)]
    for index, reference in enumerate(references):
        session.post(f'{bench.sandbox_url()}/collection/v1_0/requesttopay', headers={'X-Reference-Id': reference},
                     json={'amount': '10.00', 'currency': 'EUR', 'externalId': f'{prefix}-{index}',
                           'payer': {'partyIdType': 'MSISDN', 'partyId': '46733123460'}},
                     timeout=30).raise_for_status()
    partner = env['res.partner'].create({'name': "Bench payer"})
    past = env.cr.now()
    transactions = env['payment.transaction'].create([{
        'provider_id': provider.id, 'payment_method_id': env.ref('ddcpts_momo.payment_method_mtn_momo').id,
        'reference': f'{prefix}-{index}', 'amount': 10, 'currency_id': env.ref('base.EUR').id,
        'partner_id': partner.id, 'momo_reference_id': reference, 'provider_reference': reference,
        'momo_next_poll_at': past,
    } for index, reference in enumerate(references)])
    transactions._set_pending()
    return transactions


def measure_polling(size):
    from odoo import sql_db

    with bench.odoo_env() as env:
        transactions = create_requests(env, bench_provider(env), size, f'BENCH-MOMO-{size}')
        env.cr.commit()
        ids = transactions.ids
    queries_before = sql_db.sql_counter
    started = time.monotonic()
    runs = 0
    while True:
        with bench.odoo_env() as env:
            env['payment.transaction']._cron_momo_poll_pending()
            runs += 1
            due = env['payment.transaction'].search_count([('id', 'in', ids), ('state', '=', 'pending')])
        if not due:
            break
    seconds = time.monotonic() - started
    queries = sql_db.sql_counter - queries_before
    with bench.odoo_env() as env:
        done = env['payment.transaction'].search_count([('id', 'in', ids), ('state', '=', 'done')])
    return {'pending': size, 'cron runs': runs, 'done': done, 'seconds': seconds, 'tx_per_second': size / seconds,
            'queries_per_tx': queries / size, 'target_queries_per_tx': TARGET_QUERIES_PER_TX,
            'load_1min': os.getloadavg()[0]}


def measure_callbacks():
    bare_body = {'jsonrpc': '2.0', 'method': 'call', 'params': {}, 'id': 1}
    bare = bench.deliver_callbacks(bench.server_url() + '/web/webclient/version_info', [bare_body] * CALLBACKS,
                                   '/web/webclient/version_info')  # resets the simulator: first
    with bench.odoo_env() as env:
        transactions = create_requests(env, bench_provider(env), CALLBACKS, 'BENCH-MOMO-CB')
        provider = transactions.provider_id
        urls = [provider._ddcpts_callback_url('/ddcpts/momo', f'collection/{tx.momo_reference_id}')
                for tx in transactions]
        transactions.momo_next_poll_at = False  # only the callbacks settle them
        env.cr.commit()
    momo = deliver_each(urls)
    rows = [{'route': 'bare Odoo JSON route', **bare}, {'route': 'MoMo Request-to-Pay callback', **momo}]
    bench.print_table(f'{CALLBACKS} callbacks per route from the simulator (8 delivery threads, '
                      f'{os.environ.get("DDCPTS_BENCH_WORKERS", "2")} Odoo workers)', rows)
    print(f"\nMoMo callback vs bare Odoo JSON route: {momo['per_second'] / bare['per_second']:.2f}x its rate "
          f"(target >= {TARGET_RATE_RATIO}x, as for M-Pesa STK callbacks), "
          f"{momo['queries_per_callback'] / max(bare['queries_per_callback'], 1):.2f}x its queries "
          "(each callback also makes one status query to the simulator)")
    with bench.odoo_env() as env:
        done = env['payment.transaction'].search_count([('reference', '=like', 'BENCH-MOMO-CB-%'),
                                                        ('state', '=', 'done')])
    print(f"transactions done by their callback: {done} of {CALLBACKS}")


def deliver_each(urls):
    """The callbacks of distinct URLs (one per request) through the simulator's echo callback."""
    bodies = [{'status': 'SUCCESSFUL'}] * len(urls)
    return bench.deliver_callbacks(urls, bodies, '/ddcpts/momo/', reset=False)


def main():
    rows = [measure_polling(size) for size in SIZES]
    bench.print_table("MoMo polling cron over pending Requests to Pay (simulator answers SUCCESSFUL, "
                      f"{bench.load_average()})", rows)
    if len(rows) > 1:
        small, large = rows[0], rows[-1]
        print(f"time per transaction at {large['pending']} vs {small['pending']}: "
              f"{(large['seconds'] / large['pending']) / (small['seconds'] / small['pending']):.2f}x (target: ~1x, "
              "linear growth; compare only at a similar load_1min: seconds follow the machine's load, "
              "queries_per_tx does not)")
    measure_callbacks()


if __name__ == '__main__':
    main()
