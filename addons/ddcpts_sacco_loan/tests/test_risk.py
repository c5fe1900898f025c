import io

import openpyxl
from freezegun import freeze_time
from lxml import html as lxml_html
from psycopg2 import IntegrityError

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged
from odoo.tools import mute_logger
from odoo.tools.pdf import PdfFileReader

from .common import LoanCase

REPORT = 'ddcpts_sacco_loan.action_report_provision'

# (principal, days in arrears) of the portfolio classified by the tests
PORTFOLIO = [(100000, 0), (50000, 1), (30000, 30), (40000, 90), (20000, 181), (10000, 361)]
# its return, per class: name, days, loans, outstanding principal, provision %, required provision
CLASSES = [
    ("Performing", "0-0", "1", "100,000.00", "1.00", "1,000.00"),
    ("Watch", "1-30", "2", "80,000.00", "5.00", "4,000.00"),
    ("Substandard", "31-180", "1", "40,000.00", "25.00", "10,000.00"),
    ("Doubtful", "181-360", "1", "20,000.00", "50.00", "10,000.00"),
    ("Loss", "361+", "1", "10,000.00", "100.00", "10,000.00"),
]
AGING = [("Current", 1, 100000), ("1-30 days", 2, 80000), ("31-60 days", 0, 0), ("61-90 days", 1, 40000),
         ("91-180 days", 0, 0), ("181-360 days", 1, 20000), ("Over 360 days", 1, 10000)]


def cells(row):
    """The texts of a table row of the printed report, amounts without their currency symbol."""
    return tuple(" ".join(cell.text_content().replace("KSh", "").split()) for cell in row.xpath('./td'))


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

    def posted_run_of_a_manager(self):
        """The month's run of PORTFOLIO posted by a SACCO manager, who has no accounting rights."""
        for principal, days in PORTFOLIO:
            self.make_loan(principal, days)
        run = self.make_run('2026-03-31')
        run.with_user(self.manager).action_post()
        return run.with_user(self.manager)

    def test_report_rows_per_class_ageing_and_booking(self):
        run = self.posted_run_of_a_manager()
        html, _format = self.env['ir.actions.report'].with_user(self.manager)._render_qweb_html(REPORT, run.ids)
        page = lxml_html.fromstring(html.decode())
        [report] = page.xpath('//div[hasclass("o_sacco_provision_report")]')
        classes = report.xpath('.//table[hasclass("o_sacco_provision_classes")]/tbody/tr')
        self.assertEqual([cells(row) for row in classes], [*CLASSES, ("Total", "", "6", "250,000.00", "", "35,000.00")])
        codes = ('performing', 'watch', 'substandard', 'doubtful', 'loss')
        self.assertEqual([row.get('class') for row in classes[:5]], [f"o_sacco_class_{code}" for code in codes])
        booking = report.xpath('.//table[hasclass("o_sacco_provision_booking")]/tr')
        self.assertEqual([cells(row) for row in booking], [("Allowance before", "0.00"),
                                                           ("Adjustment booked", "35,000.00"),
                                                           ("Journal entry", run.sudo().move_id.name)])
        self.assertEqual([cells(row) for row in report.xpath('.//table[hasclass("o_sacco_par")]/tr')],
                         [("PAR 1", "40.00 %"), ("PAR 30", "28.00 %"), ("PAR 90", "12.00 %")])
        self.assertEqual([cells(row) for row in report.xpath('.//table[hasclass("o_sacco_aging")]/tbody/tr')],
                         [(name, str(count), f"{amount:,.2f}") for name, count, amount in AGING])

    def test_report_pdf_bytes(self):
        """The PDF itself, where wkhtmltopdf is installed; without it, a clear error rather than a broken file
        (the printed figures are checked on the HTML by test_report_rows_per_class_ageing_and_booking)."""
        run = self.posted_run_of_a_manager()
        Report = self.env['ir.actions.report'].with_user(self.manager).with_context(force_report_rendering=True)
        if Report.get_wkhtmltopdf_state() == 'install':
            with self.assertRaisesRegex(UserError, "Unable to find Wkhtmltopdf"):
                Report._render_qweb_pdf(REPORT, run.ids)
            return
        pdf, report_format = Report._render_qweb_pdf(REPORT, run.ids)
        self.assertEqual(report_format, 'pdf')
        self.assertTrue(pdf.startswith(b'%PDF-'))
        reader = PdfFileReader(io.BytesIO(pdf), strict=False)
        text = " ".join(reader.getPage(number).extractText() for number in range(reader.getNumPages()))
        text = " ".join(text.split())
        self.assertIn("Risk Classification of Loans and Provisioning", text)
        for name, days, count, principal, percent, provision in CLASSES:
            self.assertIn(f"{name} {days} {count} {principal} KSh {percent} {provision} KSh", text)
        for figures in ("Total 6 250,000.00 KSh 35,000.00 KSh", "Adjustment booked 35,000.00 KSh",
                        f"Journal entry {run.sudo().move_id.name}", "PAR 1 40.00 % PAR 30 28.00 % PAR 90 12.00 %",
                        "61-90 days 1 40,000.00 KSh", "Over 360 days 1 10,000.00 KSh"):
            self.assertIn(figures, text)

    def test_xlsx_cells(self):
        run = self.posted_run_of_a_manager()
        action = run.action_export_xlsx()
        attachment = self.env['ir.attachment'].browse(int(action['url'].split('/')[3].split('?')[0]))
        book = openpyxl.load_workbook(io.BytesIO(attachment.raw))
        self.assertEqual(book.sheetnames, ["Classification", "Ageing", "Loans"])
        sheet = book['Classification']
        self.assertEqual((sheet['A1'].value, sheet['A2'].value, sheet['B2'].value),
                         ("Test SACCO", "Risk classification of loans and provisioning", "2026-03-31"))
        def number(text):
            return float(text.replace(',', ''))
        self.assertEqual([[cell.value for cell in row] for row in sheet['A5:F10']], [
            [name, days, int(count), number(principal), number(percent), number(provision)]
            for name, days, count, principal, percent, provision in CLASSES
        ] + [["Total", None, 6, 250000, None, 35000]])
        self.assertEqual([[cell.value for cell in row] for row in sheet['A12:B16']], [
            ["Allowance before", 0], ["Adjustment booked", 35000], ["PAR 1", 40], ["PAR 30", 28], ["PAR 90", 12]])
        self.assertEqual(list(book['Ageing'].iter_rows(min_row=2, values_only=True)), AGING)
        loans = list(book['Loans'].iter_rows(min_row=2, values_only=True))
        self.assertEqual(sorted((row[3], row[4], row[5], row[6]) for row in loans), [
            (0, "Performing", 100000, 1000), (1, "Watch", 50000, 2500), (30, "Watch", 30000, 1500),
            (90, "Substandard", 40000, 10000), (181, "Doubtful", 20000, 10000), (361, "Loss", 10000, 10000)])
        self.assertEqual({row[1] for row in loans}, {self.borrower.display_name})

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
