from decimal import Decimal

from odoo.exceptions import UserError
from odoo.tests import new_test_user, tagged

from odoo.addons.ddcpts_sacco.tools import pro_rata

from .common import SaccoPayoutCase


@tagged('post_install', '-at_install')
class TestYearEnd(SaccoPayoutCase):

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

    def test_dividends_from_a_declared_pool_add_up_to_the_pool(self):
        run = self.new_run(name="Dividends 2025", kind='dividend', product_ids=self.shares.ids, rate=0,
                           amount_basis='pool', pool_amount=1000, expense_account_id=self.gl_dividends.id)
        run.action_compute()
        # share-days: Achieng 10 000 × 365, Baraka 10 000 × 47 (from 15 November): 885.922… and 114.077…;
        # rounded down they make 999.99 and the missing cent goes to the larger remainder (Baraka's .77)
        self.assertEqual(self.lines(run), {
            self.achieng: (10000, 885.92, 44.3, 841.62),
            self.baraka: (1287.67, 114.08, 5.7, 108.38),
        })
        self.assertEqual((run.gross_total, run.tax_total, run.net_total), (1000, 50, 950))
        run.action_approve()
        run.action_post()
        by_account = {line.account_id: line.balance for line in run.line_ids.move_id.line_ids if not line.partner_id}
        self.assertEqual(by_account, {self.gl_dividends: 1000, self.gl_wht: -50}, "the pool exactly, to the cent")
        with self.assertRaisesRegex(UserError, "Enter the pool declared"), self.cr.savepoint():
            self.new_run(amount_basis='pool', pool_amount=0)

    def test_pro_rata_split_always_adds_up(self):
        self.assertEqual(pro_rata.split(100, [1, 1, 1]), [Decimal('33.34'), Decimal('33.33'), Decimal('33.33')])
        self.assertEqual(pro_rata.split(10, [2, 1, 1, 0]), [Decimal('5.00'), Decimal('2.50'), Decimal('2.50'),
                                                            Decimal('0.00')])
        self.assertEqual(pro_rata.split(1235, [1, 2], digits=0), [Decimal(412), Decimal(823)])
        weights = [(index * 7919) % 1013 + 0.37 for index in range(1, 500)]
        for pool in (0.01, 99.99, 123456.78, 5e7):
            parts = pro_rata.split(pool, weights)
            self.assertEqual(sum(parts), Decimal(str(pool)).quantize(Decimal('0.01')))
            exact = [Decimal(str(pool)) * Decimal(str(weight)) / Decimal(str(sum(weights))) for weight in weights]
            self.assertLess(max(abs(part - value) for part, value in zip(parts, exact)), Decimal('0.01'))
        with self.assertRaises(ValueError):
            pro_rata.split(10, [0, 0])

    def test_paid_out_as_each_member_chose_through_approved_payouts(self):
        self.baraka.year_end_payment = 'payout'
        run = self.new_run(payment_mode='member')
        run.action_compute()
        self.assertEqual({line.member_id: line.payout for line in run.line_ids},
                         {self.achieng: False, self.baraka: True})
        with self.assertRaisesRegex(UserError, "journal the payouts are paid from"):
            run.action_approve()
        run.payout_journal_id = self.bank_journal
        run.action_approve()
        manager = new_test_user(self.env, 'sacco_year_end', groups='ddcpts_sacco.group_sacco_manager,'
                                'ddcpts_base.group_ddcpts_payout_approver', company_id=self.company.id,
                                company_ids=self.company.ids, ddcpts_payout_limit=100000)
        run.with_user(manager).action_post()
        achieng_line, baraka_line = run.line_ids.sorted(lambda line: line.member_id != self.achieng)
        self.assertFalse(achieng_line.payout_id)
        payout = baraka_line.payout_id
        self.assertRecordValues(payout, [{
            'state': 'to_approve', 'amount': 1555.5, 'partner_id': self.baraka.partner_id.id,
            'recipient_phone': self.baraka.phone, 'journal_id': self.bank_journal.id, 'purpose': "Interest 2025"}])
        self.assertEqual(payout.origin, baraka_line)
        self.assertEqual(payout.maker_ids, manager)
        with self.assertRaisesRegex(UserError, "another person must approve it"):
            payout.with_user(manager).action_approve()  # whoever posted the run cannot approve its payouts
        savings = {account.member_id: account.balance for account in (self.achieng | self.baraka).account_ids
                   if account.product_id == self.savings}
        self.assertEqual(savings, {self.achieng: 1020, self.baraka: 0}, "Baraka's is not credited")
        receivable = self.baraka.partner_id.property_account_receivable_id
        owed = run.line_ids.move_id.line_ids.filtered(lambda line: line.account_id == receivable)
        self.assertRecordValues(owed, [{'partner_id': self.baraka.partner_id.id, 'balance': -1555.5,
                                        'reconciled': False}])

        self.pay(payout)
        self.assertTrue(owed.reconciled, "the payout's payment settles what the SACCO owed Baraka")
        paid = payout.payment_id.move_id.line_ids.filtered(lambda line: line.account_id == receivable)
        self.assertEqual(paid.balance, 1555.5)
        self.assertEqual(self.savings._sacco_reconciliation()[self.savings], (1020, 1020))

    def test_whole_run_paid_out(self):
        run = self.new_run(payment_mode='payout', credit_product_id=False, payout_journal_id=self.bank_journal.id)
        run.action_compute()
        run.action_approve()
        run.action_post()
        self.assertEqual(sorted(run.line_ids.payout_id.mapped('amount')), [1020, 1555.5])
        self.assertEqual(set(run.line_ids.payout_id.mapped('state')), {'to_approve'})
        self.pay(run.line_ids.payout_id)
        self.assertTrue(all(run.line_ids.move_id.line_ids.filtered('partner_id').mapped('reconciled')))

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
