"""A SACCO of its own answering a USSD service with the SACCO member menu, a member calling it, and a
loan product members may apply for by USSD."""
from dateutil.relativedelta import relativedelta

from odoo import fields

from odoo.addons.ddcpts_sacco_loan.tests.common import LoanSetupMixin
from odoo.addons.ddcpts_ussd.tests.common import CALLER, UssdCase

PIN = '4821'


class SaccoUssdMixin(LoanSetupMixin):
    """The SACCO member menu on ``cls.service`` for ``cls.company``, and the member ``cls.member`` calling."""

    @classmethod
    def sacco_ussd_setup(cls, codes=('SHR', 'DEP', 'SAV')):
        cls.sacco_setup(cls.company, codes=codes)
        cls.company.sacco_registration_fee = 0
        cls.service.write({'company_id': cls.company.id, 'root_menu': 'sacco'})
        cls.caller.mobile = False  # the contact of ddcpts_ussd's tests: the caller's number is now a member's
        cls.member = cls.env['ddcpts.sacco.member'].create({
            'name': "Njeri Wanjikũ", 'national_id': '29000001', 'kra_pin': 'A012345678Z',
            'birthdate': '1990-05-05', 'phone': CALLER})
        cls.member.action_activate()
        cls.caller = cls.member.partner_id
        cls.loan_setup(cls.company, auto_approval=True, guarantor_cover_percent=30, installments_max=24)
        cls.loan_product = cls.product

    @classmethod
    def deposit(cls, member, amount, months_ago=6):
        """Deposits paid long enough ago to count towards the loan limit."""
        date = fields.Date.context_today(member) - relativedelta(months=months_ago)
        member.account_ids.filtered(lambda account: account.product_id == cls.deposits)._sacco_post(
            amount, cls.gl_cash, date=date)

    def account(self, product):
        return self.member.account_ids.filtered(lambda account: account.product_id == product)


class SaccoUssdCase(SaccoUssdMixin, UssdCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.sacco_company("Umoja SACCO")
        cls.sacco_ussd_setup()
