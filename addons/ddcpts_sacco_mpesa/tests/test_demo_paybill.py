from odoo import fields
from odoo.tests import tagged
from odoo.tests.common import TransactionCase

RECEIPTS = {'SDM0SACCO1': ('member_wanjiku', 'SHR', 5000), 'SDM0SACCO2': ('member_wanjiku', 'DEP', 2000),
            'SDM0SACCO3': ('member_wanjiku', 'SAV', 750), 'SDM0SACCO4': ('member_otieno', 'SHR', 2500),
            'SDM0SACCO5': ('member_otieno', 'DEP', 2000)}


@tagged('post_install', '-at_install')
class TestDemoPaybill(TransactionCase):
    """The demo SACCO's contributions came in on the M-Pesa paybill, through the C2B confirmation pipeline."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.provider = cls.env.ref('ddcpts_mpesa.payment_provider_mpesa')
        cls.kes = cls.env.ref('base.KES')

    def in_company_currency(self, kes):
        company = self.provider.company_id
        return self.kes._convert(kes, company.currency_id, company, fields.Date.context_today(self.provider))

    def account(self, member, code):
        return member.account_ids.filtered(lambda account: account.product_id.code == code)

    def test_demo_members_paid_by_paybill(self):
        Tx = self.env['payment.transaction']
        for receipt, (member_xmlid, code, amount) in RECEIPTS.items():
            member = self.env.ref(f'ddcpts_sacco.{member_xmlid}')
            tx = Tx.search([('mpesa_receipt', '=', receipt)])
            self.assertRecordValues(tx, [{
                'state': 'done', 'amount': amount, 'provider_id': self.provider.id, 'mpesa_source': 'c2b',
                'mpesa_bill_ref': f'{member.number}-{code}', 'partner_id': member.partner_id.id,
                'ddcpts_needs_review': False, 'is_post_processed': True}])
            self.assertEqual(tx.ddcpts_origin, self.account(member, code))
            [callback] = self.env['ddcpts.callback'].search([('reference', '=', receipt)])
            self.assertRecordValues(callback, [{
                'state': 'processed', 'processor': 'payment.transaction._mpesa_process_c2b_confirmation',
                'provider_res_id': self.provider.id}])
        wanjiku = self.env.ref('ddcpts_sacco.member_wanjiku')
        self.assertEqual(self.account(wanjiku, 'SHR').balance, self.in_company_currency(5000))
        self.assertEqual(self.account(wanjiku, 'SAV').balance, self.in_company_currency(750))
        products = self.env.ref('ddcpts_sacco.product_shares') | self.env.ref('ddcpts_sacco.product_deposits')
        for product, (ledger, members) in products._sacco_reconciliation().items():
            self.assertAlmostEqual(ledger, members, places=2, msg=product.name)

    def test_a_paybill_payment_is_booked_once(self):
        otieno = self.env.ref('ddcpts_sacco.member_otieno')
        savings = self.account(otieno, 'SAV')
        before = savings.balance
        payment = [(otieno.id, 'SAV', 300, 'SDM0SACCO9')]
        tx = self.provider._sacco_mpesa_demo_paybill(self.provider.id, payment)
        self.assertEqual(tx.ddcpts_origin, savings)
        self.assertEqual(self.provider._sacco_mpesa_demo_paybill(self.provider.id, payment), tx)
        callbacks = self.env['ddcpts.callback'].search([('reference', '=', 'SDM0SACCO9')], order='id')
        self.assertEqual(callbacks.mapped('state'), ['processed', 'duplicate'])
        savings.invalidate_recordset(['balance'])
        self.assertAlmostEqual(savings.balance, before + self.in_company_currency(300), places=2)
