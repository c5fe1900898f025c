"""SACCO loans: the daily job (arrears days, penalties, interest accrual) over 1 000 / 10 000 / 100 000
active loans (`DDCPTS_BENCH_LOAN_SIZES`).

Figures: seconds, milliseconds and SQL queries per loan at each size, for the first run of a day and
for a second run the same day (which must find nothing to do). Targets: the time per loan stays flat
from one size to the next (linear growth) and the job costs a fixed number of queries per chunk of
2 000 loans (about 50, most of them the accrual entry), i.e. at most 0.05 query per loan.

Loans and schedules are inserted by SQL: 12 monthly installments from the schedule engine,
disbursement days spread over 90 days; four loans in five have paid every installment due, the fifth
is in arrears. The job commits chunk by chunk as in production, so each size has a product and loan
numbers of its own in the throwaway database.
"""
import datetime
import os
import time
from decimal import Decimal

import common as bench

SIZES = [int(size) for size in os.environ.get('DDCPTS_BENCH_LOAN_SIZES', '1000,10000,100000').split(',')]
JOB_DATE = datetime.date(2026, 6, 15)
TARGET_QUERIES_PER_LOAN = 0.05


def setup(env, round_):
    """A product with its accounts and one borrower, as a SACCO's chart would give."""
    company = env.company
    accounts = {name: env['account.account'].create({'code': f'{code}{round_}', 'name': f"Bench {name}",
                                                     'account_type': kind})
                for name, code, kind in (('portfolio', '13880', 'asset_current'),
                                         ('receivable', '13881', 'asset_current'),
                                         ('interest', '44881', 'income'), ('fees', '44882', 'income'),
                                         ('penalties', '44883', 'income'))}
    journal = env['account.journal'].create({'name': f"Bench Loans {round_}", 'code': f'BLN{round_}',
                                             'type': 'general'})
    product = env['ddcpts.sacco.loan.product'].create({
        'name': "Bench Loan", 'code': f'BLN{round_}', 'journal_id': journal.id, 'penalty_value': 5,
        'receivable_account_id': accounts['portfolio'].id, 'interest_receivable_account_id': accounts['receivable'].id,
        'interest_income_account_id': accounts['interest'].id, 'fee_income_account_id': accounts['fees'].id,
        'penalty_income_account_id': accounts['penalties'].id})
    company.sacco_registration_fee = 0
    member = env['ddcpts.sacco.member'].create({'name': "Bench Borrower", 'national_id': f'BENCH-LOAN-{round_}',
                                                'phone': f'0700 900 00{round_}'})
    return product, member


def insert_loans(env, product, member, size):
    """``size`` active loans of 100 000 at 12 % over 12 months, disbursed on one of 90 days."""
    from odoo.addons.ddcpts_sacco.tools import loan_schedule as ls

    rows = ls.build_schedule(ls.LoanTerms(Decimal(100000), Decimal(12), 12, datetime.date(2026, 1, 1)))
    template = ", ".join(f"({row.number}, {row.principal}, {row.interest})" for row in rows)
    env.cr.execute(f"""
        INSERT INTO ddcpts_sacco_loan (name, member_id, partner_id, product_id, company_id, state, amount_requested,
                                       installments, annual_rate, interest_method, frequency, principal,
                                       net_disbursed, disbursed_on, disbursement_method, payout_channel,
                                       principal_outstanding, interest_outstanding, total_outstanding)
        SELECT %(prefix)s || n, %(member)s, %(partner)s, %(product)s, %(company)s, 'active', 100000, 12, 12,
               'declining_emi', 'monthly', 100000, 98000, DATE '2026-01-01' + (n %% 90), 'cash', 'manual',
               100000, {sum(row.interest for row in rows)}, {sum(row.total for row in rows)}
          FROM generate_series(1, %(size)s) n
        RETURNING id
    """, {'prefix': f'B{product.code}-', 'member': member.id, 'partner': member.partner_id.id, 'product': product.id,
          'company': product.company_id.id, 'size': size})
    ids = [row[0] for row in env.cr.fetchall()]
    env.cr.execute(f"""
        INSERT INTO ddcpts_sacco_loan_installment (loan_id, company_id, number, date_from, due_date, principal,
                                                   interest, principal_paid, interest_paid, total_due, total_paid,
                                                   outstanding, state)
        SELECT loan.id, loan.company_id, t.number, loan.disbursed_on + make_interval(months => t.number - 1),
               due.day, t.principal, t.interest,
               CASE WHEN paid THEN t.principal ELSE 0 END, CASE WHEN paid THEN t.interest ELSE 0 END,
               t.principal + t.interest, CASE WHEN paid THEN t.principal + t.interest ELSE 0 END,
               CASE WHEN paid THEN 0 ELSE t.principal + t.interest END, CASE WHEN paid THEN 'paid' ELSE 'pending' END
          FROM ddcpts_sacco_loan loan, (VALUES {template}) AS t(number, principal, interest),
               LATERAL (SELECT (loan.disbursed_on + make_interval(months => t.number))::date AS day) due,
               LATERAL (SELECT loan.id %% 5 <> 0 AND due.day <= %s AS paid) state
         WHERE loan.id = ANY(%s)
    """, [JOB_DATE, ids])
    return ids


def run_job(env, size):
    env.invalidate_all()
    count_before = env.cr.sql_log_count
    started = time.perf_counter()
    done = env['ddcpts.sacco.loan']._cron_loan_daily(JOB_DATE, limit=size)
    env.flush_all()
    seconds = time.perf_counter() - started
    queries = env.cr.sql_log_count - count_before
    return done, seconds, queries


def main():
    first_runs, second_runs = [], []
    for round_, size in enumerate(SIZES, start=1):
        with bench.odoo_env() as env:
            product, member = setup(env, round_)
            insert_loans(env, product, member, size)
            env.cr.execute("ANALYZE ddcpts_sacco_loan; ANALYZE ddcpts_sacco_loan_installment")
            done, seconds, queries = run_job(env, size)
            env.cr.execute("SELECT COUNT(*) FILTER (WHERE days_in_arrears > 0), COALESCE(SUM(penalty_outstanding), 0)"
                           " FROM ddcpts_sacco_loan WHERE product_id = %s", [product.id])
            overdue, penalties = env.cr.fetchone()
            first_runs.append({'loans': size, 'processed': done, 'in_arrears': overdue,
                               'penalties': float(penalties), 'seconds': round(seconds, 2),
                               'ms_per_loan': round(seconds * 1000 / size, 3),
                               'queries': queries, 'queries_per_loan': round(queries / size, 4),
                               'target_q_per_loan': TARGET_QUERIES_PER_LOAN})
            done, seconds, queries = run_job(env, size)
            second_runs.append({'loans': size, 'processed': done, 'seconds': round(seconds, 3), 'queries': queries})
    base = first_runs[0]['ms_per_loan']
    for row in first_runs:
        row['vs_smallest'] = f"{row['ms_per_loan'] / base:.2f}x" if base else '-'
    bench.print_table("SACCO loan daily job, first run of the day (ms per loan must stay flat; "
                      f"target ≤ {TARGET_QUERIES_PER_LOAN} queries per loan)", first_runs)
    bench.print_table("SACCO loan daily job, second run the same day (nothing to do)", second_runs)


if __name__ == '__main__':
    main()
