import threading
from datetime import date

from odoo.tests import tagged
from odoo.tests.common import TransactionCase

from odoo.addons.ddcpts_base.tests.common import committed_env

from .common import LoanSetupMixin

WORKERS = 3
LOANS = 30
JOB_DATE = date(2026, 3, 10)


@tagged('post_install', '-at_install')
class TestLoanDailyJobWorkers(LoanSetupMixin, TransactionCase):
    """The daily job run by several workers at the same moment, each in its own committed transaction
    (prefork workers, cron threads): every loan is brought to the date exactly once."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        with committed_env(cls.registry) as env:
            cls.env = env
            company = env['res.company'].create({'name': "Daily job workers SACCO"})
            cls.sacco_setup(company, codes=('WSH', 'WDP', 'WSV'))
            cls.loan_setup(company, code='WRK', accrual_accounting=False)
            member = env['ddcpts.sacco.member'].with_company(company).create({
                'name': "Worker Borrower", 'national_id': 'WORKERS-1', 'phone': '0700 950 001',
                'company_id': company.id})
            env.cr.execute("""
                INSERT INTO ddcpts_sacco_loan (name, member_id, partner_id, product_id, company_id, state,
                                               amount_requested, installments, annual_rate, interest_method,
                                               frequency, principal, disbursed_on, disbursement_method,
                                               payout_channel)
                SELECT 'WRK' || n, %(member)s, %(partner)s, %(product)s, %(company)s, 'active', 12000, 12, 12,
                       'declining_emi', 'monthly', 12000, DATE '2026-01-31', 'cash', 'manual'
                  FROM generate_series(1, %(loans)s) n
             RETURNING id
            """, {'member': member.id, 'partner': member.partner_id.id, 'product': cls.product.id,
                  'company': company.id, 'loans': LOANS})
            loan_ids = [row[0] for row in env.cr.fetchall()]
            env.cr.execute("""
                INSERT INTO ddcpts_sacco_loan_installment (loan_id, company_id, number, date_from, due_date,
                                                           principal, interest, total_due, outstanding, state)
                SELECT loan.id, loan.company_id, 1, DATE '2026-01-31', DATE '2026-02-28', 946.19, 120,
                       1066.19, 1066.19, 'pending'
                  FROM ddcpts_sacco_loan loan WHERE loan.id = ANY(%s)
            """, [loan_ids])
            cls.ids = {'company': company.id, 'member': member.id, 'loans': loan_ids}
        cls.env = cls.env(cr=cls.cr)
        cls.addClassCleanup(cls._delete_committed_data)

    @classmethod
    def _delete_committed_data(cls):
        with committed_env(cls.registry) as env:
            ids = cls.ids
            env.cr.execute("DELETE FROM ddcpts_sacco_loan WHERE id = ANY(%s)", [ids['loans']])
            company = env['res.company'].browse(ids['company'])
            member = env['ddcpts.sacco.member'].browse(ids['member'])
            partner = member.partner_id
            member.account_ids.unlink()
            member.unlink()
            partner.unlink()
            env['ddcpts.sacco.loan.product'].search([('company_id', '=', company.id)]).unlink()
            env['ddcpts.sacco.product'].search([('company_id', '=', company.id)]).unlink()
            env['account.journal'].search([('company_id', '=', company.id)]).unlink()
            env['account.account'].search([('company_ids', 'in', company.id)]).unlink()
            # archived, not deleted: other addons (stock…) gave the new company records of their own
            company.active = False

    def test_workers_share_the_loans_and_charge_each_once(self):
        barrier = threading.Barrier(WORKERS)
        processed, errors = [], []

        def worker():
            try:
                with committed_env(self.registry) as env:
                    barrier.wait(timeout=60)
                    processed.append(env['ddcpts.sacco.loan']._cron_loan_daily(JOB_DATE, chunk=4))
            except Exception as error:  # reported by the assertion below
                errors.append(error)

        threads = [threading.Thread(target=worker) for _index in range(WORKERS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=300)
        self.assertEqual(errors, [])
        # a worker that meets a row another one just committed stops claiming; the next run finishes
        with committed_env(self.registry) as env:
            rest = env['ddcpts.sacco.loan']._cron_loan_daily(JOB_DATE)
        self.assertGreaterEqual(sum(processed) + rest, LOANS)
        self.env.cr.execute("""
            SELECT COUNT(*), MIN(line.penalty), MAX(line.penalty), MIN(line.penalty_periods), MAX(line.penalty_periods),
                   MIN(loan.days_in_arrears), MAX(loan.days_in_arrears), COUNT(*) FILTER (WHERE loan.job_date = %s)
              FROM ddcpts_sacco_loan loan JOIN ddcpts_sacco_loan_installment line ON line.loan_id = loan.id
             WHERE loan.id = ANY(%s)
        """, [JOB_DATE, self.ids['loans']])
        # one penalty of 5 % of 1 066.19 each, ten days late, all stamped with the date
        self.assertEqual(self.env.cr.fetchone(), (LOANS, 53.31, 53.31, 1, 1, 10, 10, LOANS))
        with committed_env(self.registry) as env:
            self.assertEqual(env['ddcpts.sacco.loan']._cron_loan_daily(JOB_DATE), 0, "nothing left for the date")
