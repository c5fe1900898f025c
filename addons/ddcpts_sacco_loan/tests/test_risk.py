import io

import openpyxl
from freezegun import freeze_time
from psycopg2 import IntegrityError

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged
from odoo.tools import mute_logger

from .common import LoanCase

# (principal, days in arrears) of the portfolio classified by the tests
PORTFOLIO = [(100000, 0), (50000, 1), (30000, 30), (40000, 90), (20000, 181), (10000, 361)]


@tagged('post_install', '-at_install')
class TestRisk(LoanCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Account = cls.env['account.account'].with_company(cls.company)
        cls.gl_provision = Account.create({'code': '669901', 'name': "Test Provision Expense",
                                           'account_type': 'expense'})
        cls.gl_allowance = Account.create({'code': '139909', 'name': "Test Loan Loss Allowance",
                                           'account_type': 'asset_non_current'})

    def make_loan(self, principal, days):
        """An active loan owing ``principal`` whose oldest unpaid installment is ``days`` late (as the daily
        job leaves it)."""
        loan = self.env['ddcpts.sacco.loan'].create({
            'member_id': self.borrower.id, 'product_id': self.product.id, 'amount_requested': principal,
            'installments': 1, 'line_ids': [Command.create({
                'number': 1, 'date_from': '2026-01-01', 'due_date': '2026-02-01', 'principal': principal})],
        })
        loan.write({'state': 'active', 'principal': principal, 'days_in_arrears': days})
        return loan

    def make_run(self, date):
        return self.env['ddcpts.sacco.provision.run'].create({
            'date': date, 'journal_id': self.loan_journal.id, 'expense_account_id': self.gl_provision.id,
            'allowance_account_id': self.gl_allowance.id})

    def test_classification_at_the_band_edges(self):
        bands = self.env['ddcpts.sacco.loan.risk.band']._risk_bands(self.company)
        self.assertEqual([(band.code, band.days_from, band.days_to, band.provision_percent) for band in bands], [
            ('performing', 0, 0, 1.0), ('watch', 1, 30, 5.0), ('substandard', 31, 180, 25.0),
            ('doubtful', 181, 360, 50.0), ('loss', 361, 0, 100.0)])
        for days, code in ((0, 'performing'), (1, 'watch'), (30, 'watch'), (31, 'substandard'), (180, 'substandard'),
                           (181, 'doubtful'), (360, 'doubtful'), (361, 'loss'), (5000, 'loss')):
            self.assertEqual(bands._risk_band_for(days).code, code, days)
        run = self.make_run('2026-03-31')
        loans = [self.make_loan(1000, days) for days in (0, 1, 30, 31, 180, 181, 360, 361)]
        run.action_classify()
        classes = {line.loan_id: line.band_id.code for line in run.line_ids}
        self.assertEqual([classes[loan] for loan in loans], ['performing', 'watch', 'watch', 'substandard',
                                                             'substandard', 'doubtful', 'doubtful', 'loss'])

    def test_bands_are_configurable(self):
        bands = self.env['ddcpts.sacco.loan.risk.band']._risk_bands(self.company)
        performing, watch, substandard = bands[0], bands[1], bands[2]
        substandard.write({'days_from': 61, 'provision_percent': 30})
        self.assertEqual((watch.days_to, watch.days_label, substandard.days_label), (60, '1-60', '61-180'))
        run = self.make_run('2026-04-30')
        loan = self.make_loan(2000, 45)
        other = self.make_loan(2000, 61)
        run.action_classify()
        self.assertEqual(run.line_ids.filtered(lambda line: line.loan_id == loan).band_id, watch)
        self.assertEqual(run.line_ids.filtered(lambda line: line.loan_id == other).provision_amount, 600)
        performing.days_from = 5
        with self.assertRaisesRegex(UserError, "must start at 0 days"):
            run.action_classify()

    def test_provisioning_entry_par_and_ageing(self):
        loans = [self.make_loan(principal, days) for principal, days in PORTFOLIO]
        run = self.make_run('2026-03-31')
        run.action_post()
        self.assertRecordValues(run, [{
            'state': 'posted', 'loan_count': 6, 'portfolio_total': 250000, 'provision_required': 35000,
            'allowance_before': 0, 'adjustment': 35000, 'par1': 40.0, 'par30': 28.0, 'par90': 12.0}])
        self.assertEqual(sorted(run.line_ids.mapped('provision_amount')), [1000, 1500, 2500, 10000, 10000, 10000])
        self.assertEqual(run.move_id.state, 'posted')
        self.assertEqual(sorted((line.account_id, line.debit, line.credit) for line in run.move_id.line_ids), sorted([
            (self.gl_provision, 35000, 0), (self.gl_allowance, 0, 35000)]))
        self.assertEqual({line.loan_id: line.aging for line in run.line_ids}, dict(zip(loans, [
            'current', '1_30', '1_30', '61_90', '181_360', 'over_360'])))

        # posting again books nothing more; a second run for the month is refused
        move = run.move_id
        run.action_post()
        self.assertEqual(run.move_id, move)
        with self.assertRaises(IntegrityError), mute_logger('odoo.sql_db'), self.env.cr.savepoint():
            self.make_run('2026-03-15')

        # next month: the loss loan was closed, the doubtful one caught up: the allowance is written back
        loans[5].state = 'closed'
        loans[4].days_in_arrears = 0
        april = self.make_run('2026-04-30')
        april.action_post()
        self.assertRecordValues(april, [{'provision_required': 15200, 'allowance_before': 35000,
                                         'adjustment': -19800, 'loan_count': 5}])
        self.assertEqual(sorted((line.account_id, line.debit, line.credit) for line in april.move_id.line_ids), sorted([
            (self.gl_provision, 0, 19800), (self.gl_allowance, 19800, 0)]))
        may = self.make_run('2026-05-31')
        may.action_post()
        self.assertEqual((may.adjustment, may.move_id), (0, self.env['account.move']), "nothing changed: no entry")

    def test_report_html_and_xlsx(self):
        for principal, days in PORTFOLIO:
            self.make_loan(principal, days)
        run = self.make_run('2026-03-31')
        run.action_post()
        html, _format = self.env['ir.actions.report']._render_qweb_html(
            'ddcpts_sacco_loan.action_report_provision', run.ids)
        html = html.decode()
        self.assertIn("Risk Classification of Loans and Provisioning", html)
        for text in ("Performing", "Substandard", "361+", "250,000.00", "35,000.00", "PAR 1", "40.00 %", "28.00 %",
                     "12.00 %", "Over 360 days", run.move_id.name):
            self.assertIn(text, html)

        action = run.action_export_xlsx()
        attachment = self.env['ir.attachment'].browse(int(action['url'].split('/')[3].split('?')[0]))
        book = openpyxl.load_workbook(io.BytesIO(attachment.raw))
        rows = list(book['Classification'].iter_rows(values_only=True))
        self.assertEqual(rows[3], ("Class", "Days in arrears", "Loans", "Outstanding principal", "Provision %",
                                   "Required provision"))
        self.assertEqual(rows[4:10], [
            ("Performing", "0-0", 1, 100000, 1, 1000), ("Watch", "1-30", 2, 80000, 5, 4000),
            ("Substandard", "31-180", 1, 40000, 25, 10000), ("Doubtful", "181-360", 1, 20000, 50, 10000),
            ("Loss", "361+", 1, 10000, 100, 10000), ("Total", None, 6, 250000, None, 35000)])
        self.assertIn(("PAR 30", 28, None, None, None, None), rows)
        self.assertEqual(len(list(book['Loans'].iter_rows())), 7)

    def test_month_end_cron_provides_once(self):
        for principal, days in PORTFOLIO:
            self.make_loan(principal, days)
        cron = self.env['ddcpts.sacco.provision.run']._cron_risk_month_end
        self.make_run('2026-02-28').action_post()
        with freeze_time('2026-03-30'):
            self.assertFalse(cron(), "not the last day of the month")
        with freeze_time('2026-03-31'):
            [march] = cron().filtered(lambda run: run.company_id == self.company)
            self.assertFalse(cron().filtered(lambda run: run.company_id == self.company), "the month is done")
        self.assertRecordValues(march, [{'date': march.date.fromisoformat('2026-03-31'), 'state': 'posted',
                                         'allowance_before': 35000, 'adjustment': 0}])

    def test_access_by_role_and_company(self):
        self.make_loan(5000, 10)
        run = self.make_run('2026-03-31')
        run.with_user(self.manager).action_post()
        self.assertEqual(run.state, 'posted')
        auditor = new_test_user(self.env, 'risk_auditor', groups='ddcpts_sacco.group_sacco_auditor',
                                company_id=self.company.id, company_ids=[self.company.id])
        self.assertEqual(run.with_user(auditor).provision_required, 250)
        self.assertEqual(len(run.line_ids.with_user(auditor).read(['band_id'])), 1)
        with self.assertRaises(AccessError):
            self.make_run('2026-04-30').with_user(auditor).action_post()
        with self.assertRaises(AccessError):
            self.env['ddcpts.sacco.loan.risk.band'].with_user(self.officer).create(
                {'name': "Special", 'code': 'special', 'days_from': 500, 'provision_percent': 100})
        other_company = self.sacco_company("Other SACCO")
        outsider = new_test_user(self.env, 'risk_outsider', groups='ddcpts_sacco.group_sacco_manager',
                                 company_id=other_company.id, company_ids=[other_company.id])
        env = self.env(user=outsider, context=dict(self.env.context, allowed_company_ids=other_company.ids))
        self.assertFalse(env['ddcpts.sacco.provision.run'].search([('id', '=', run.id)]),
                         "another company's runs are not visible")
        self.assertFalse(env['ddcpts.sacco.provision.line'].search([('run_id', '=', run.id)]))
        self.assertFalse(env['ddcpts.sacco.loan.risk.band'].search([('company_id', '=', self.company.id)]))
