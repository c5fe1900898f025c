"""SACCO members pay on the M-Pesa paybill: the account number (M0042, M0042-DEP…) credits their account."""
from odoo import fields
from odoo.tests import tagged

from odoo.addons.ddcpts_mpesa.tests.common import MpesaHttpCommon
from odoo.addons.ddcpts_sacco.tests.common import SaccoSetupMixin


@tagged('post_install', '-at_install')
class TestSaccoPaybill(SaccoSetupMixin, MpesaHttpCommon):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.sacco_setup(cls.env.company, codes=('TSH', 'TDP', 'TSV'))
        cls.env.company.sacco_registration_fee = 0
        cls.member = cls.env['ddcpts.sacco.member'].create({
            'name': "Wafula Chebukati", 'national_id': '28000042', 'kra_pin': 'A012345678Z',
            'birthdate': '1980-08-08', 'phone': '0799 000 042'})
        cls.member.action_activate()

    def confirm(self, trans_id, amount, bill_ref, msisdn='2547 ***** 149'):
        response = self.post_callback('c2b-confirmation', self.c2b_payment(trans_id, amount, bill_ref, msisdn=msisdn))
        self.assertEqual(response.json(), {'ResultCode': 0, 'ResultDesc': 'Success'})
        return self.env['payment.transaction'].search([('mpesa_receipt', '=', trans_id)])

    def in_company_currency(self, kes):
        """Member accounts are kept in the company's currency (the test company may not be in KES)."""
        company = self.env.company
        return self.kes._convert(kes, company.currency_id, company, fields.Date.context_today(self.member))

    def account(self, product):
        return self.member.account_ids.filtered(lambda account: account.product_id == product)

    def test_member_references_credit_the_member_accounts(self):
        number = self.member.number
        for receipt, bill_ref, product, amount in (
                ('SKS1000001', f'{number}-TDP', self.deposits, '2000'),
                ('SKS1000002', f'{number.lower()} tsh', self.shares, '500'),
                ('SKS1000003', number, self.deposits, '1500'),  # the number alone: the default product
        ):
            tx = self.confirm(receipt, amount, bill_ref)
            self.assertRecordValues(tx, [{'partner_id': self.member.partner_id.id, 'ddcpts_needs_review': False}])
            self.assertEqual(tx.ddcpts_origin, self.account(product))
            self.post_process(tx)
            payment = tx.payment_id
            receivable = payment.move_id.line_ids.filtered(
                lambda line, payment=payment: line.account_id == payment.destination_account_id)
            self.assertTrue(receivable.reconciled, "the member's receivable is cleared by the allocation")
            self.post_process(tx)  # the cron may see it twice: booked once
        self.member.account_ids.invalidate_recordset(['balance'])
        self.assertEqual(self.account(self.deposits).balance, self.in_company_currency(3500))
        self.assertEqual(self.account(self.shares).balance, self.in_company_currency(500))
        for product, (ledger, members) in (self.shares | self.deposits)._sacco_reconciliation().items():
            self.assertAlmostEqual(ledger, members, places=2, msg=product.name)
            self.assertTrue(ledger)

    def test_member_number_is_never_a_plain_customer_payment(self):
        self.assertEqual(self.member.partner_id.ref, self.member.number, "the generic match would find the member")
        tx = self.confirm('SKS2000001', '700', self.member.number)
        self.assertEqual(tx.ddcpts_origin, self.account(self.deposits))
        invoice = self.create_invoice(900)
        tx = self.confirm('SKS2000002', '900', invoice.name)
        self.assertEqual(tx.invoice_ids, invoice, "invoice numbers first")
        self.assertFalse(tx.ddcpts_origin)

    def test_unknown_reference_waits_for_review_and_is_assigned_in_one_click(self):
        tx = self.confirm('SKS3000001', '1200', 'M99999-TDP')
        self.assertTrue(tx.ddcpts_needs_review)
        self.post_process(tx)
        self.assertFalse(tx.payment_id, "nothing booked while it waits")
        savings = self.account(self.savings)
        wizard = self.env['ddcpts.mpesa.review.assign'].create({
            'transaction_id': tx.id, 'partner_id': self.member.partner_id.id,
            'origin': f'ddcpts.sacco.account,{savings.id}'})
        wizard.action_assign()
        self.assertRecordValues(tx, [{'ddcpts_needs_review': False, 'partner_id': self.member.partner_id.id}])
        savings.invalidate_recordset(['balance'])
        self.assertEqual(savings.balance, self.in_company_currency(1200))
        exited = self.env['ddcpts.sacco.member'].create({
            'name': "Gone", 'national_id': '28000043', 'phone': '0799 000 043'})
        exited.action_mark_deceased()
        tx = self.confirm('SKS3000002', '100', f'{exited.number}-TDP')
        self.assertTrue(tx.ddcpts_needs_review, "money for a closed membership is reviewed, not booked")
