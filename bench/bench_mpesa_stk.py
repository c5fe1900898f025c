"""M-Pesa STK callbacks per second and SQL queries per callback, delivered by the simulator.

The simulator holds N successful STK callbacks (Daraja's format) for N pending transactions, then
sends them all to the multi-worker Odoo server with its 8 delivery threads and answers once each was
answered: the rate is what the server sustains. Two baselines are delivered the same way: Odoo's bare JSON route
(``/web/webclient/version_info``) and the foundation's no-op callback route (token check, raw row
committed, empty processor). Figures: callbacks/s, queries per callback, and the ratios, printed next
to the targets (STK at least 0.5x the bare route's rate, at most 20 queries per callback).

``DDCPTS_BENCH_STK_CALLBACKS`` (default 2000) callbacks per route.
"""
import os

import common as bench
from mpesa_fixtures import bench_provider

CALLBACKS = int(os.environ.get('DDCPTS_BENCH_STK_CALLBACKS', 2000))
TARGET_RATE_RATIO = 0.5  # STK callbacks per second, relative to the bare JSON route
TARGET_QUERIES = 20  # SQL queries per STK callback


def fixtures(env):
    """A provider called back on the bench server, N pending STK transactions, the foundation's fixture."""
    kes = env.ref('base.KES')
    provider = bench_provider(env)
    partner = env['res.partner'].create({'name': "Bench payer", 'mobile': '0708374149'})
    transactions = env['payment.transaction'].create([{
        'provider_id': provider.id,
        'payment_method_id': env.ref('payment.payment_method_mpesa').id,
        'reference': f'BENCH-STK-{index}',
        'amount': 100 + index % 50,
        'currency_id': kes.id,
        'partner_id': partner.id,
        'mpesa_checkout_request_id': f'ws_CO_bench_{index:06d}',
        'mpesa_account_reference': f'BENCH{index}',
    } for index in range(CALLBACKS)])
    transactions._set_pending()
    test_provider = env['test.ddcpts.provider'].create({
        'name': "Bench provider", 'base_url': bench.sandbox_url(), 'ddcpts_public_url': bench.server_url()})
    return {
        'stk': provider._mpesa_callback_url('stk'),
        'noop': test_provider._ddcpts_callback_url('/ddcpts/test', 'noop'),
        'bare': bench.server_url() + '/web/webclient/version_info',
        'amounts': transactions.mapped('amount'),
    }


def stk_body(index, amount):
    return {'Body': {'stkCallback': {
        'MerchantRequestID': f'{index}-bench-1', 'CheckoutRequestID': f'ws_CO_bench_{index:06d}', 'ResultCode': 0,
        'ResultDesc': "The service request is processed successfully.",
        'CallbackMetadata': {'Item': [
            {'Name': 'Amount', 'Value': amount}, {'Name': 'MpesaReceiptNumber', 'Value': f'BEN{index:07d}'},
            {'Name': 'Balance'}, {'Name': 'TransactionDate', 'Value': 20240706224852},
            {'Name': 'PhoneNumber', 'Value': 254708374149},
        ]},
    }}}


def main():
    with bench.odoo_env() as env:
        urls = fixtures(env)
        env.cr.commit()
        measure(env, urls)


def measure(env, urls):
    bare_body = {'jsonrpc': '2.0', 'method': 'call', 'params': {}, 'id': 1}
    rows = [
        {'route': 'bare Odoo JSON route', **bench.deliver_callbacks(
            urls['bare'], [bare_body] * CALLBACKS, '/web/webclient/version_info')},
        {'route': 'foundation no-op callback', **bench.deliver_callbacks(urls['noop'], [
            {'event_id': f'bench-{index}', 'amount': 1} for index in range(CALLBACKS)], '/ddcpts/test/')},
        {'route': 'M-Pesa STK callback', **bench.deliver_callbacks(urls['stk'], [
            stk_body(index, amount) for index, amount in enumerate(urls['amounts'])], '/ddcpts/daraja/')},
    ]
    workers = os.environ.get('DDCPTS_BENCH_WORKERS', '2')
    bench.print_table(f'{CALLBACKS} callbacks per route from the simulator (8 delivery threads, {workers} Odoo '
                      f'workers)', rows)
    bare, noop, stk = rows
    print(f"\nSTK callback vs foundation no-op callback: {stk['per_second'] / noop['per_second']:.2f}x its rate, "
          f"{stk['queries_per_callback'] / noop['queries_per_callback']:.2f}x its queries")
    print(f"STK callback vs bare Odoo JSON route: {stk['per_second'] / bare['per_second']:.2f}x its rate "
          f"(target >= {TARGET_RATE_RATIO}x)")
    print(f"SQL queries per STK callback: {stk['queries_per_callback']:.1f} (target <= {TARGET_QUERIES})")
    env.invalidate_all()
    done = env['payment.transaction'].search_count([('reference', '=like', 'BENCH-STK-%'), ('state', '=', 'done')])
    print(f"transactions done: {done} of {CALLBACKS}")


if __name__ == '__main__':
    main()
