from odoo.tests import tagged
from odoo.tests.common import HttpCase

from .common import SaccoPeopleMixin, SaccoPortalPaymentMixin


@tagged('post_install', '-at_install')
class TestPortalDepositSecurity(SaccoPortalPaymentMixin, SaccoPeopleMixin, HttpCase):
    """A member pays into their own open accounts only (the payment itself: tests/test_sacco_mpesa.py)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.sacco_people()
        cls.own = cls.amina.account_ids.filtered(lambda account: account.product_id == cls.deposits)
        cls.brians = cls.brian.account_ids.filtered(lambda account: account.product_id == cls.deposits)

    def access_token(self, amount, currency):
        return self.payment_access_token(self.portal_amina.partner_id, amount, currency)

    def start_payment(self, account, amount=500, token=None):
        return self.start_portal_payment(f'/my/sacco/deposit/{account.id}/transaction', self.portal_amina.partner_id,
                                         account.currency_id, amount=amount, token=token)

    def test_portal_page_of_own_accounts_only(self):
        self.authenticate('amina_portal', 'amina_portal')
        page = self.url_open('/my/sacco')
        self.assertIn(f'href="/my/sacco/deposit/{self.own.id}"', page.text)
        page = self.url_open(f'/my/sacco/deposit/{self.own.id}')
        self.assertEqual(page.status_code, 200)
        self.assertIn(f"Pay into {self.own.name}", page.text)
        self.assertNotIn('o_sacco_deposit_payment', page.text, "the amount comes first")
        page = self.url_open(f'/my/sacco/deposit/{self.own.id}?amount=750.5')
        self.assertIn('o_sacco_deposit_payment', page.text)
        self.assertIn('value="750.5"', page.text)
        for account in (self.brians, self.kofi_account()):
            page = self.url_open(f'/my/sacco/deposit/{account.id}?amount=500')
            self.assertTrue(page.url.endswith('/my/sacco'), "someone else's account: back to one's own")
            self.assertNotIn(account.name, page.text)

    def kofi_account(self):
        return self.kofi._sacco_account(self.env['ddcpts.sacco.product'].search(
            [('company_id', '=', self.other_company.id)], limit=1) or self.env['ddcpts.sacco.product'].create({
                'name': "Susu Savings", 'code': 'SUS', 'kind': 'savings', 'company_id': self.other_company.id,
                'account_id': self.env['account.account'].with_company(self.other_company).create({
                    'code': '229977', 'name': "Susu Savings", 'account_type': 'liability_current'}).id}))

    def test_transaction_into_someone_elses_account_is_refused(self):
        self.authenticate('amina_portal', 'amina_portal')
        Tx = self.env['payment.transaction']
        before = Tx.search_count([])
        refused = "You can only pay into your own open SACCO accounts."
        for account in (self.brians, self.kofi_account()):
            self.assertEqual(self.start_payment(account), refused)
        self.assertEqual(self.start_payment(self.own, token='forged'), "The access token is invalid.")
        self.assertEqual(self.start_payment(self.own, amount=5000, token=self.access_token(500, self.own.currency_id)),
                         "The access token is invalid.", "a token for 500 does not pay 5 000")
        self.amina.write({'state': 'exited'})
        self.assertEqual(self.start_payment(self.own), refused)
        self.assertEqual(Tx.search_count([]), before, "no transaction was created")
