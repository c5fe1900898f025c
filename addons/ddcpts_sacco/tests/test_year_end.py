from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import SaccoCase


@tagged('post_install', '-at_install')
class TestYearEnd(SaccoCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Account = cls.env['account.account']
        cls.gl_interest = Account.create({'code': '619900', 'name': "Interest on Deposits", 'account_type': 'expense'})
        cls.gl_dividends = Account.create({'code': '399900', 'name': "Dividends", 'account_type': 'equity'})
        cls.gl_wht = Account.create({'code': '219900', 'name': "Withholding Tax", 'account_type': 'liability_current'})
        Rate = cls.env['ddcpts.sacco.tax.rate']
        Rate.create([{'kind': 'interest', 'date_from': '2020-01-01', 'rate': 10},
                     {'kind': 'interest', 'date_from': '2025-01-01', 'rate': 15},
                     {'kind': 'dividend', 'date_from': '2020-01-01', 'rate': 5}])
        cls.achieng, cls.baraka, cls.chebet = (cls.active_member() for _n in range(3))
        cls.receive(cls.achieng, 12000, product=cls.deposits, date='2024-12-15')
        cls.receive(cls.baraka, 36500, product=cls.deposits, date='2025-07-02')
        cls.receive(cls.chebet, 5000, product=cls.deposits, date='2025-03-01')._reverse_moves(
            [{'date': '2025-03-01'}], cancel=True)  # bounced the same day
        cls.receive(cls.achieng, 10000, product=cls.shares, date='2025-01-01')
        cls.receive(cls.baraka, 10000, product=cls.shares, date='2025-11-15')
        cls.receive(cls.baraka, 999, product=cls.deposits, date='2026-01-03')  # after the year

    def new_run(self, **values):
        return self.env['ddcpts.sacco.interest.run'].create({
            'name': "Interest 2025", 'kind': 'interest', 'product_ids': self.deposits.ids,
            'date_from': '2025-01-01', 'date_to': '2025-12-31', 'rate': 10, 'credit_product_id': self.savings.id,
            'expense_account_id': self.gl_interest.id, 'tax_account_id': self.gl_wht.id, **values})

    def lines(self, run):
        return {line.member_id: (line.basis, line.gross, line.tax, line.net) for line in run.line_ids}

    def test_interest_on_average_daily_balance_with_withholding_tax(self):
        run = self.new_run()
        run.action_compute()
        self.assertEqual((run.state, run.tax_rate), ('computed', 15), "the rate in force at the end of the year")
        self.assertEqual(self.lines(run), {
            self.achieng: (12000, 1200, 180, 1020),
            self.baraka: (18300, 1830, 274.5, 1555.5),  # 183 of 365 days
        }, "a reversed deposit earns nothing")
        self.assertEqual((run.gross_total, run.tax_total, run.net_total, run.member_count), (3030, 454.5, 2575.5, 2))

        with self.assertRaisesRegex(UserError, "Approve .* before posting"):
            run.action_post()
        run.action_approve()
        run.action_post()
        self.assertEqual(run.state, 'posted')
        savings = {account.member_id: account.balance
                   for account in (self.achieng | self.baraka).account_ids if account.product_id == self.savings}
        self.assertEqual(savings, {self.achieng: 1020, self.baraka: 1555.5})
        move = run.line_ids.move_id
        self.assertEqual(len(move), 1)
        self.assertEqual(move.date.isoformat(), '2025-12-31')
        by_account = {line.account_id: line.balance for line in move.line_ids if not line.partner_id}
        self.assertEqual(by_account, {self.gl_interest: 3030, self.gl_wht: -454.5})
        self.assertEqual(self.savings._sacco_reconciliation()[self.savings], (2575.5, 2575.5))
        with self.assertRaisesRegex(UserError, "is posted"):
            run.action_reset()

    def test_average_month_end_balance(self):
        run = self.new_run(method='monthly')
        run.action_compute()
        self.assertEqual(self.lines(run)[self.baraka][0], 18250, "6 of 12 month-ends")
        self.assertEqual(self.lines(run)[self.achieng][0], 12000)

    def test_dividends_on_share_days_with_a_minimum_holding_period(self):
        run = self.new_run(name="Dividends 2025", kind='dividend', product_ids=self.shares.ids, rate=12,
                           expense_account_id=self.gl_dividends.id, minimum_holding_days=90)
        run.action_compute()
        self.assertEqual(run.tax_rate, 5)
        self.assertEqual(self.lines(run), {self.achieng: (10000, 1200, 60, 1140)},
                         "shares bought six weeks before the year end earn nothing")

    def test_bad_runs_are_refused(self):
        with self.assertRaisesRegex(UserError, "starts after it ends"), self.cr.savepoint():
            self.new_run(date_from='2026-01-01')
        with self.assertRaisesRegex(UserError, "between 0 and 100"), self.cr.savepoint():
            self.new_run(rate=250)
        run = self.new_run(kind='dividend')
        with self.assertRaisesRegex(UserError, "are paid on share products only"):
            run.action_compute()
        run = self.new_run(rate=0)
        run.action_compute()
        with self.assertRaisesRegex(UserError, "pays nobody"):
            run.action_approve()
