"""A SACCO of its own answering a USSD service with the SACCO member menu, and a member calling it."""
from odoo.addons.ddcpts_sacco.tests.common import SaccoSetupMixin
from odoo.addons.ddcpts_ussd.tests.common import CALLER, UssdCase

PIN = '4821'


class SaccoUssdCase(SaccoSetupMixin, UssdCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.sacco_company("Umoja SACCO")
        cls.sacco_setup(cls.company)
        cls.company.sacco_registration_fee = 0
        cls.service.write({'company_id': cls.company.id, 'root_menu': 'sacco'})
        cls.caller.mobile = False  # the contact of ddcpts_ussd's tests: the caller's number is now a member's
        cls.member = cls.env['ddcpts.sacco.member'].create({
            'name': "Njeri Wanjikũ", 'national_id': '29000001', 'kra_pin': 'A012345678Z',
            'birthdate': '1990-05-05', 'phone': CALLER})
        cls.member.action_activate()
        cls.caller = cls.member.partner_id

    def account(self, product):
        return self.member.account_ids.filtered(lambda account: account.product_id == product)
