"""SACCO members pay by M-Pesa: on the paybill with their account number (M0042, M0042-DEP…), or by an
STK push they start on the portal; either way the money credits their account."""
import re

from odoo import fields
from odoo.tests import new_test_user, tagged

from odoo.addons.ddcpts_mpesa.tests.common import CUSTOMER_MSISDN, MpesaHttpCommon, provider_values
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
            self.assert_receivable_settled(tx)
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


@tagged('post_install', '-at_install')
class TestSaccoPortalDeposit(SaccoSetupMixin, MpesaHttpCommon):
    """A member picks an account and an amount on the portal and pays with M-Pesa through Odoo's payment
    form: the STK push goes to the simulator, its callback confirms the transaction, the account is credited."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.sacco = cls.sacco_company("Mombasa Boda Boda SACCO")  # in KES, as M-Pesa is
        cls.sacco_setup(cls.sacco, codes=('PSH', 'PDP', 'PSV'))
        cls.sacco.sacco_registration_fee = 0
        journal = cls.env['account.journal'].with_company(cls.sacco).create({
            'name': "M-Pesa Paybill", 'code': 'TMPSC', 'type': 'bank'})
        cls.sacco_provider = cls._prepare_provider('mpesa', company=cls.sacco, update_values=provider_values(journal))
        cls.member = cls.env['ddcpts.sacco.member'].with_company(cls.sacco).create({
            'name': "Achieng Otieno", 'national_id': '28000077', 'kra_pin': 'A012345678Z', 'birthdate': '1988-02-02',
            'phone': CUSTOMER_MSISDN})
        cls.member.action_activate()
        new_test_user(cls.env, 'boda_member', groups='base.group_portal', partner_id=cls.member.partner_id.id,
                      company_id=cls.sacco.id, company_ids=cls.sacco.ids)
        cls.savings_account = cls.member._sacco_account(cls.savings)

    def setUp(self):
        super().setUp()
        self.sacco_provider._ddcpts_invalidate_token()  # the simulator forgot its tokens at reset

    def test_member_pays_into_savings_from_the_portal_with_an_stk_push(self):
        self.authenticate('boda_member', 'boda_member')
        account = self.savings_account
        page = self.url_open(f'/my/sacco/deposit/{account.id}?amount=1500')
        self.assertEqual(page.status_code, 200)
        self.assertIn(f'data-provider-id="{self.sacco_provider.id}"', page.text, "enabled providers are offered")
        form = {name: re.search(rf'data-{name}="([^"]*)"', page.text).group(1)
                for name in ('transaction-route', 'access-token', 'amount')}
        self.assertEqual((form['transaction-route'], float(form['amount'])),
                         (f'/my/sacco/deposit/{account.id}/transaction', 1500))

        # what the payment form's JavaScript posts when the member presses Pay with M-Pesa selected
        processing = self.make_jsonrpc_request(form['transaction-route'], {
            'provider_id': self.sacco_provider.id, 'payment_method_id': self.payment_method.id, 'token_id': None,
            'amount': 1500.0, 'flow': 'direct', 'tokenization_requested': False, 'landing_route': '/my/sacco',
            'is_validation': False, 'access_token': form['access-token'],
        })
        tx = self.env['payment.transaction'].search([('reference', '=', processing['reference'])])
        self.assertRecordValues(tx, [{'state': 'draft', 'amount': 1500, 'partner_id': self.member.partner_id.id,
                                      'currency_id': self.sacco.currency_id.id}])
        self.assertEqual(tx.ddcpts_origin, account)
        self.assertEqual(tx.reference, account.name, "the member account is the payment's reference")

        answer = self.make_jsonrpc_request('/payment/mpesa/stk_push', {
            'reference': tx.reference, 'access_token': processing['mpesa_access_token'], 'phone': '0708 374 149'})
        self.assertEqual(answer, {'state': 'pending'})
        [push] = self.sandbox_requests('/mpesa/stkpush/v1/processrequest')
        self.assertEqual((push['json']['AccountReference'], push['json']['Amount'], push['json']['PartyA']),
                         (account.name.replace('-', ''), 1500, CUSTOMER_MSISDN),
                         "Daraja takes letters and digits only; the SACCO's pattern reads M0042PSV too")
        self.assertEqual(account.balance, 0, "nothing is credited before M-Pesa confirms")

        self.deliver_callbacks(1)  # the member approved on the phone
        self.assertEqual(tx.state, 'done')
        self.post_process(tx)
        account.invalidate_recordset(['balance'])
        self.assertEqual(account.balance, 1500)
        self.assert_receivable_settled(tx)
        self.assertEqual(self.savings._sacco_reconciliation()[self.savings], (1500, 1500))
