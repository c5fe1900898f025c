"""C2B matching: N paybill confirmations against N open invoices, for N = 1 000 and 10 000.

Each confirmation names an invoice in its BillRefNumber, typed loosely (``inv 2026 00042``); it is
posted to the confirmation route by 4 client threads and matched through the expression indexes on
invoice numbers. If matching scales, the time per confirmation stays flat when N grows tenfold
(linear total time). Figures: seconds, confirmations/s, ms and queries per confirmation, matches.
The booking of the payments themselves is left to the post-processing cron and not measured.

``DDCPTS_BENCH_C2B_SIZES`` (default "1000,10000").
"""
import os
import time
from concurrent.futures import ThreadPoolExecutor

import common as bench
import requests
from mpesa_fixtures import bench_provider

SIZES = [int(size) for size in os.environ.get('DDCPTS_BENCH_C2B_SIZES', '1000,10000').split(',')]
THREADS = 4
INVOICE_BATCH = 500
WARMUP = 50


def setup_provider(env):
    provider = bench_provider(env)
    url = provider._mpesa_callback_url('c2b-confirmation')  # generates the URL token on first use
    env.cr.commit()
    return url


def open_invoices(env, size, run):
    """``size`` posted KES invoices of ``size // 10`` customers; returns their numbers and amounts."""
    names = []
    started = time.monotonic()
    kes = env.ref('base.KES')
    for batch_start in range(0, size, INVOICE_BATCH):
        partners = env['res.partner'].create([{'name': f"C2B bench customer {run}-{batch_start}-{index}"}
                                              for index in range(INVOICE_BATCH // 10)])
        invoices = env['account.move'].create([{
            'move_type': 'out_invoice',
            'partner_id': partners[index % len(partners)].id,
            'currency_id': kes.id,
            'invoice_line_ids': [(0, 0, {'name': "Bench goods", 'quantity': 1, 'price_unit': 100 + index % 900,
                                         'tax_ids': [(5, 0, 0)]})],
        } for index in range(min(INVOICE_BATCH, size - batch_start))])
        invoices.action_post()
        names += [(invoice.name, invoice.amount_total) for invoice in invoices]
        env.cr.commit()
        env.invalidate_all()
    print(f"{size} open invoices created in {time.monotonic() - started:.0f} s")
    return names


def confirm_all(url, invoices, run):
    session = requests.Session()

    def confirm(item):
        index, (name, amount) = item
        response = session.post(url, timeout=120, json={
            "TransactionType": "Pay Bill", "TransID": f"C{run}{index:08d}", "TransTime": "20240706224852",
            "TransAmount": f"{amount:.2f}", "BusinessShortCode": "174379",
            "BillRefNumber": name.replace('/', ' ').lower(), "InvoiceNumber": "", "OrgAccountBalance": "0.00",
            "ThirdPartyTransID": "", "MSISDN": "2547 ***** 149", "FirstName": "BENCH", "MiddleName": "",
            "LastName": "",
        })
        response.raise_for_status()

    since = bench.log_offset()
    started = time.monotonic()
    with ThreadPoolExecutor(THREADS) as pool:
        list(pool.map(confirm, enumerate(invoices)))
    elapsed = time.monotonic() - started
    time.sleep(1)
    queries = bench.query_counts('/ddcpts/daraja/', since)
    return elapsed, sum(queries) / max(len(queries), 1)


def main():
    with bench.odoo_env() as env:
        measure(env)


def measure(env):
    url = setup_provider(env)
    confirm_all(url, [(f'WARMUP {index}', 10.0) for index in range(WARMUP)], 0)  # workers load their caches
    rows = []
    for run, size in enumerate(SIZES, start=1):
        invoices = open_invoices(env, size, run)
        # earlier runs' invoices stay open: their payments are booked by the post-processing cron, not here
        open_count = env['account.move'].search_count([('move_type', '=', 'out_invoice'), ('state', '=', 'posted'),
                                                       ('payment_state', '=', 'not_paid')])
        env.cr.commit()
        elapsed, queries = confirm_all(url, invoices, run)
        env.invalidate_all()
        matched = env['payment.transaction'].search_count([
            ('mpesa_receipt', '=like', f'C{run}%'), ('invoice_ids', '!=', False)])
        env.cr.commit()
        rows.append({'confirmations': size, 'open_invoices': open_count, 'seconds': elapsed,
                     'per_second': size / elapsed, 'ms_per_confirmation': elapsed * 1000 / size,
                     'queries_per_confirmation': queries, 'matched': matched})
    bench.print_table(f'C2B confirmations matched against open invoices ({THREADS} client threads)', rows)
    if len(rows) > 1:
        first, last = rows[0], rows[-1]
        print(f"\n{last['confirmations'] / first['confirmations']:.0f}x the confirmations took "
              f"{last['seconds'] / first['seconds']:.1f}x the time (linear growth: the same factor); per "
              f"confirmation {first['ms_per_confirmation']:.1f} ms -> {last['ms_per_confirmation']:.1f} ms")


if __name__ == '__main__':
    main()
