"""Shared setup of the SACCO tests: a company with share, deposit and savings products and a cash desk."""
import json

from odoo.tests import new_test_user
from odoo.tests.common import TransactionCase
from odoo.tools.misc import hmac


class SaccoSetupMixin:
    """Products and settings for one company (the test's company unless another is given)."""

    @classmethod
    def sacco_company(cls, name, country='base.ke', currency='base.KES'):
        """A company of its own (no demo data in the way), made the current one of the test environment."""
        currency = cls.env.ref(currency)
        currency.active = True
        company = cls.env['res.company'].create({
            'name': name, 'country_id': cls.env.ref(country).id, 'currency_id': currency.id,
            'external_report_layout_id': cls.env.ref('web.external_layout_standard').id})
        cls.env.user.company_ids |= company
        # what a chart of accounts would give: receivables/payables of contacts, outstanding payment accounts
        Account = cls.env['account.account'].with_company(company)
        receivable = Account.create({'code': '119800', 'name': "Members Receivable", 'account_type': 'asset_receivable',
                                     'reconcile': True})
        payable = Account.create({'code': '219800', 'name': "Payables", 'account_type': 'liability_payable',
                                  'reconcile': True})
        outstanding = Account.create({'code': '109800', 'name': "Outstanding Payments", 'account_type': 'asset_current',
                                      'reconcile': True})
        cls.env['ir.default'].set('res.partner', 'property_account_receivable_id', receivable.id, company_id=company.id)
        cls.env['ir.default'].set('res.partner', 'property_account_payable_id', payable.id, company_id=company.id)
        company.transfer_account_id = outstanding
        return company

    @classmethod
    def sacco_setup(cls, company, codes=('SHR', 'DEP', 'SAV')):
        cls.env = env = cls.env(context=dict(cls.env.context, allowed_company_ids=[company.id]))
        Account = env['account.account'].with_company(company)
        cls.gl_shares = Account.create({'code': '319900', 'name': "Test Share Capital", 'account_type': 'equity'})
        cls.gl_deposits = Account.create({'code': '229900', 'name': "Test Member Deposits",
                                          'account_type': 'liability_non_current'})
        cls.gl_savings = Account.create({'code': '229901', 'name': "Test Member Savings",
                                         'account_type': 'liability_current'})
        cls.gl_fees = Account.create({'code': '449900', 'name': "Test Registration Fees", 'account_type': 'income'})
        cls.gl_cash = Account.create({'code': '109900', 'name': "Test Cash Desk", 'account_type': 'asset_cash'})
        Journal = env['account.journal'].with_company(company)
        cls.cash_journal = Journal.create({'name': "SACCO Cash", 'code': 'TSCSH', 'type': 'cash',
                                           'default_account_id': cls.gl_cash.id})
        cls.misc_journal = Journal.create({'name': "SACCO Transfers", 'code': 'TSMSC', 'type': 'general'})
        Product = env['ddcpts.sacco.product'].with_company(company)
        cls.shares = Product.create({'name': "Shares", 'code': codes[0].lower(), 'kind': 'share',
                                     'account_id': cls.gl_shares.id, 'minimum_balance': 5000})
        cls.deposits = Product.create({'name': "Deposits", 'code': codes[1], 'kind': 'deposit',
                                       'account_id': cls.gl_deposits.id, 'monthly_contribution': 2000})
        cls.savings = Product.create({'name': "Savings", 'code': codes[2], 'kind': 'savings',
                                      'account_id': cls.gl_savings.id})
        company.write({
            'sacco_journal_id': cls.misc_journal.id,
            'sacco_registration_fee': 1000,
            'sacco_fee_account_id': cls.gl_fees.id,
            'sacco_default_product_id': cls.deposits.id,
        })


    def assert_receivable_settled(self, record):
        """The member's receivable debited or credited by the payment of ``record`` (a transaction or a payout)
        is reconciled: the money reached (or left) the member account."""
        payment = record.payment_id
        receivable = payment.move_id.line_ids.filtered(lambda line: line.account_id == payment.destination_account_id)
        self.assertTrue(receivable.reconciled, f"{record.display_name}: the member's receivable is cleared")


class SaccoPortalPaymentMixin:
    """Post what Odoo's payment form posts to a portal transaction route (an HttpCase, logged in)."""

    def payment_access_token(self, partner, amount, currency):
        """What the payment form holds: payment.utils.generate_access_token, outside a request."""
        return hmac(self.env(su=True), 'generate_access_token', f'{partner.id}|{amount}|{currency.id}')

    def start_portal_payment(self, route, partner, currency, amount=500, token=None):
        """Return the error message the member would see."""
        token = token or self.payment_access_token(partner, amount, currency)
        response = self.url_open(route, data=json.dumps({
            'jsonrpc': '2.0', 'method': 'call', 'id': 1, 'params': {
                'amount': amount, 'access_token': token, 'provider_id': 1, 'payment_method_id': 1, 'token_id': None,
                'flow': 'direct', 'tokenization_requested': False, 'landing_route': '/my/sacco',
                'is_validation': False}}), headers={'Content-Type': 'application/json'})
        self.assertEqual(response.status_code, 200)
        return response.json()['error']['data']['message']


class SaccoPeopleMixin(SaccoSetupMixin):
    """Two companies, an officer, an auditor and a portal member, with money on two deposit accounts."""

    @classmethod
    def sacco_people(cls):
        cls.company = cls.sacco_company("Nairobi Teachers SACCO")
        cls.other_company = cls.sacco_company("Kumasi Susu Co-op", country='base.gh', currency='base.GHS')
        cls.sacco_setup(cls.company)
        cls.company.sacco_registration_fee = 0
        cls.officer = new_test_user(cls.env, 'sacco_officer', groups='ddcpts_sacco.group_sacco_officer',
                                    email=False, company_id=cls.company.id, company_ids=[cls.company.id])
        cls.auditor = new_test_user(cls.env, 'sacco_auditor', groups='ddcpts_sacco.group_sacco_auditor',
                                    company_id=cls.company.id, company_ids=[cls.company.id])
        cls.other_officer = new_test_user(cls.env, 'other_officer', groups='ddcpts_sacco.group_sacco_officer',
                                          company_id=cls.other_company.id, company_ids=[cls.other_company.id])
        Member = cls.env['ddcpts.sacco.member']
        cls.amina = Member.create({'name': "Amina Hassan", 'national_id': '27001001', 'kra_pin': 'A012345678Z',
                                   'birthdate': '1991-06-01', 'phone': '0711 000 001'})
        cls.brian = Member.create({'name': "Brian Kiprop", 'national_id': '27001002', 'kra_pin': 'A009876543B',
                                   'birthdate': '1985-03-03', 'phone': '0711 000 002'})
        (cls.amina | cls.brian).action_activate()
        cls.kofi = Member.with_company(cls.other_company).create({
            'name': "Kofi Mensah", 'national_id': 'GHA-700000001-1', 'phone': '024 123 4567',
            'company_id': cls.other_company.id})
        cash = cls.gl_cash
        cls.amina.account_ids.filtered(lambda a: a.product_id == cls.deposits)._sacco_post(4200, cash)
        cls.brian.account_ids.filtered(lambda a: a.product_id == cls.deposits)._sacco_post(9900, cash)
        cls.portal_amina = new_test_user(cls.env, 'amina_portal', groups='base.group_portal',
                                         partner_id=cls.amina.partner_id.id, company_id=cls.company.id,
                                         company_ids=[cls.company.id])


class SaccoCase(SaccoSetupMixin, TransactionCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.sacco_company("Test SACCO")
        cls.sacco_setup(cls.company)
        cls.Member = cls.env['ddcpts.sacco.member']
        cls._national_ids = iter(range(40000000, 49999999, 7))

    @classmethod
    def member_values(cls, **values):
        national_id = str(next(cls._national_ids))
        return {
            'name': f"Member {national_id}",
            'national_id': national_id,
            'kra_pin': 'A012345678Z',
            'birthdate': '1990-01-31',
            'phone': f'07{national_id[-8:]}',
            **values,
        }

    @classmethod
    def receive(cls, member, amount, purpose='account', product=None, date=None, memo=None):
        """Post a counter receipt through the wizard, as an officer does."""
        wizard = cls.env['ddcpts.sacco.receipt'].create({
            'member_id': member.id, 'purpose': purpose, 'amount': amount, 'journal_id': cls.cash_journal.id,
            **({'product_id': product.id} if product else {}), **({'date': date} if date else {}),
            **({'memo': memo} if memo else {}),
        })
        wizard.action_post()
        return cls.env['account.move'].search([('journal_id', '=', cls.cash_journal.id)], order='id desc', limit=1)

    @classmethod
    def active_member(cls, **values):
        member = cls.Member.create(cls.member_values(**values))
        cls.receive(member, 1000, purpose='fee')
        member.action_activate()
        return member


class SaccoPayoutCase(SaccoCase):
    """A bank journal to pay from and a second person who approves payouts (maker-checker)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.bank_account = cls.env['account.account'].create({
            'code': '109901', 'name': "Test SACCO Bank", 'account_type': 'asset_cash'})
        cls.bank_journal = cls.env['account.journal'].create({
            'name': "SACCO Bank", 'code': 'TSBNK', 'type': 'bank', 'default_account_id': cls.bank_account.id})
        cls.approver = new_test_user(cls.env, 'sacco_cfo', company_id=cls.company.id, company_ids=cls.company.ids,
                                     groups='ddcpts_sacco.group_sacco_manager,ddcpts_base.group_ddcpts_payout_approver',
                                     ddcpts_payout_limit=100000, ddcpts_payout_daily_limit=1000000)

    def pay(self, payouts):
        """Approve (a second person), send and confirm manual payouts, as the payout flow of ddcpts_base does."""
        for payout in payouts:
            payout.with_user(self.approver).action_approve()
        self.env['ddcpts.payout']._cron_send_approved()
        for payout in payouts:
            payout.provider_reference = f'BANK-{payout.id}'
            payout.action_confirm_manual_payment()
        self.assertEqual(set(payouts.mapped('state')), {'done'})
