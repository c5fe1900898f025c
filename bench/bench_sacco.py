"""SACCO: a statement of a member with 10 000 movements, a check-off file of 5 000 rows, and year-end
interest for 1 000 / 10 000 / 50 000 members.

Figures: seconds to compute the full statement and its first and last pages of 100 lines; seconds to
read and match (preview) and to post a 5 000-row check-off file; seconds to preview and to post
year-end interest at each size and the time per member, which must stay flat (linear growth).
Fixtures are created in-process; those of the statement and check-off are rolled back afterwards.
"""
import base64
import datetime
import os
import time

import common as bench

MOVEMENTS = int(os.environ.get('DDCPTS_BENCH_SACCO_MOVEMENTS', 10000))
CHECKOFF_ROWS = int(os.environ.get('DDCPTS_BENCH_SACCO_CHECKOFF_ROWS', 5000))
INTEREST_SIZES = [int(size) for size in os.environ.get('DDCPTS_BENCH_SACCO_MEMBERS', '1000,10000,50000').split(',')]
FAST = {'tracking_disable': True, 'mail_create_nolog': True, 'mail_create_nosubscribe': True}
LINES_PER_ENTRY = 100


def setup_sacco(env, round_=0):
    """Accounts, products and a journal of their own for each round (a year-end run commits its batches)."""
    from odoo import Command

    company = env.company
    company.sacco_registration_fee = 0
    accounts = {
        kind: env['account.account'].create({'code': code, 'name': f"Bench {kind}", 'account_type': kind_type})
        for kind, code, kind_type in (('share', f'3188{round_:02d}', 'equity'),
                                      ('deposit', f'2288{round_:02d}', 'liability_non_current'),
                                      ('cash', f'1088{round_:02d}', 'asset_cash'),
                                      ('expense', f'6188{round_:02d}', 'expense'))
    }
    products = env['ddcpts.sacco.product'].create([
        {'name': "Bench Shares", 'code': f'BSH{round_}', 'kind': 'share', 'account_id': accounts['share'].id,
         'monthly_contribution': 500},
        {'name': "Bench Deposits", 'code': f'BDP{round_}', 'kind': 'deposit', 'account_id': accounts['deposit'].id,
         'monthly_contribution': 2000},
    ])
    company.sacco_default_product_id = products[1]
    journal = env['account.journal'].create({'name': f"Bench SACCO {round_}", 'code': f'BS{round_}',
                                             'type': 'general'})
    return Command, accounts, products, journal


def bench_statement(env, Command, accounts, products, journal):
    member = env['ddcpts.sacco.member'].create({'name': "Bench Statement", 'national_id': 'BENCH-1',
                                                'phone': '0700 000 001'})
    account = member._sacco_account(products[1])
    start = datetime.date(2020, 1, 1)
    for entry in range(MOVEMENTS // LINES_PER_ENTRY):
        lines = [Command.create({'account_id': accounts['deposit'].id, 'partner_id': member.partner_id.id,
                                 'name': f"Contribution {entry}-{n}", 'balance': -(100 + n)})
                 for n in range(LINES_PER_ENTRY)]
        lines.append(Command.create({'account_id': accounts['cash'].id,
                                     'balance': sum(100 + n for n in range(LINES_PER_ENTRY))}))
        env['account.move'].create({'move_type': 'entry', 'journal_id': journal.id,
                                    'date': start + datetime.timedelta(days=entry), 'line_ids': lines}).action_post()
    env.flush_all()
    rows = []
    for label, kwargs in (("full statement", {}), ("first page of 100", {'limit': 100}),
                          ("last page of 100", {'offset': MOVEMENTS - 100, 'limit': 100})):
        env.invalidate_all()
        started = time.perf_counter()
        statement = account._sacco_statement('2019-12-31', '2030-12-31', **kwargs)
        rows.append({'measure': f"statement, {label}", 'lines': len(statement['lines']),
                     'seconds': round(time.perf_counter() - started, 3)})
    return rows


def bench_checkoff(env, products):
    employer = env['res.partner'].create({'name': "Bench Employer", 'is_company': True})
    started = time.perf_counter()
    env['ddcpts.sacco.member'].create([{
        'name': f"Bench Teacher {n}", 'national_id': f'BT{n}', 'phone': f'0711{n:06d}',
        'employer_id': employer.id, 'staff_number': f'S{n}'} for n in range(CHECKOFF_ROWS)])
    created = time.perf_counter() - started
    content = "staff_number,amount\n" + "".join(f"S{n},{2500 + n % 7}\n" for n in range(CHECKOFF_ROWS))
    batch = env['ddcpts.sacco.checkoff'].create({'employer_id': employer.id, 'filename': 'bench.csv',
                                                 'file': base64.b64encode(content.encode())})
    started = time.perf_counter()
    batch.action_preview()
    env.flush_all()
    preview = time.perf_counter() - started
    started = time.perf_counter()
    batch.action_post()
    env.flush_all()
    post = time.perf_counter() - started
    return [
        {'measure': f"create {CHECKOFF_ROWS} members (fixture)", 'lines': CHECKOFF_ROWS, 'seconds': round(created, 3)},
        {'measure': "check-off preview (read + match)", 'lines': len(batch.line_ids), 'seconds': round(preview, 3)},
        {'measure': "check-off post (allocate, entries of 250 rows)", 'lines': len(batch.move_ids.line_ids),
         'seconds': round(post, 3)},
    ]


def bench_interest(env, Command, accounts, products, journal, size, offset):
    """Members with two deposits each (one before the year, one during it), then a year-end run."""
    members = env['ddcpts.sacco.member'].with_context(**FAST).create([{
        'name': f"Bench Saver {n}", 'national_id': f'BS{n}', 'phone': f'0712{n:06d}'}
        for n in range(offset, offset + size)])
    for start in range(0, size, 1000):
        chunk = members[start:start + 1000]
        for date, amount in (('2024-12-20', 10000), ('2025-06-30', 3650)):
            lines = [Command.create({'account_id': accounts['deposit'].id, 'partner_id': member.partner_id.id,
                                     'name': "Deposit", 'balance': -amount}) for member in chunk]
            lines.append(Command.create({'account_id': accounts['cash'].id, 'balance': amount * len(chunk)}))
            env['account.move'].create({'move_type': 'entry', 'journal_id': journal.id, 'date': date,
                                        'line_ids': lines}).action_post()
    env.flush_all()
    run = env['ddcpts.sacco.interest.run'].create({
        'name': f"Bench interest {size}", 'product_ids': products[1].ids, 'date_from': '2025-01-01',
        'date_to': '2025-12-31', 'rate': 8, 'credit_product_id': products[1].id,
        'expense_account_id': accounts['expense'].id})
    started = time.perf_counter()
    run.action_compute()
    env.flush_all()
    preview = time.perf_counter() - started
    run.action_approve()
    started = time.perf_counter()
    run.action_post()
    env.flush_all()
    post = time.perf_counter() - started
    return {'members': size, 'lines': len(run.line_ids), 'preview_s': round(preview, 2), 'post_s': round(post, 2),
            'ms_per_member': round((preview + post) * 1000 / size, 3)}


def main():
    with bench.odoo_env() as env:
        Command, accounts, products, journal = setup_sacco(env)
        rows = bench_statement(env, Command, accounts, products, journal)
        rows += bench_checkoff(env, products)
        bench.print_table(f"SACCO statement ({MOVEMENTS} movements) and check-off ({CHECKOFF_ROWS} rows)", rows)
        env.cr.rollback()  # fixtures only: leave the database as it was
    # posting commits batch by batch, as in production: these fixtures stay in the throwaway database
    rows, offset = [], 0
    for round_, size in enumerate(INTEREST_SIZES, start=1):
        with bench.odoo_env() as env:
            Command, accounts, products, journal = setup_sacco(env, round_)
            rows.append(bench_interest(env, Command, accounts, products, journal, size, offset))
        offset += size
    bench.print_table("SACCO year-end interest (time per member must stay flat)", rows)


if __name__ == '__main__':
    main()
