from odoo.tests import tagged

from odoo.addons.ddcpts_ussd.models.ddcpts_ussd_service import UssdContext
from odoo.addons.ddcpts_ussd.tools import menu as ussd

from .common import PIN, SaccoUssdCase

ROOT = ("Welcome to Umoja SACCO\n1. Balances\n2. Mini statement\n3. Deposit\n4. Loans\n5. Guarantee requests\n"
        "6. My PIN")


@tagged('post_install', '-at_install')
class TestSaccoMenu(SaccoUssdCase):

    def test_balances_behind_the_pin_africastalking(self):
        self.set_pin(PIN)
        self.account(self.deposits)._sacco_post(4200, self.gl_cash)
        self.account(self.shares)._sacco_post(1500.5, self.gl_cash)
        screens = self.dial(['1', PIN])
        self.assertEqual(screens[0], f"CON {ROOT}")
        self.assertEqual(screens[1], "CON Enter your PIN\n0. Back")
        self.assertEqual(screens[2], "END Your balances\nShares: KES 1,500.50\nDeposits: KES 4,200.00\n"
                                     "Savings: KES 0.00")
        self.assertEqual(self.session_of('ATUid_s1').inputs, '1*xxxx', "the PIN is masked in the session")

    def test_wrong_pin_is_asked_again_mtn(self):
        self.set_pin(PIN)
        self.assertEqual(self.mtn('')['ussdString'], ROOT)
        self.assertEqual(self.mtn('1*1111')['ussdString'], "Wrong PIN.\nEnter your PIN\n0. Back")
        last = self.mtn(f'1*1111*{PIN}')
        self.assertEqual((last['ussdString'].splitlines()[0], last['continueSession']), ("Your balances", False))

    def test_mini_statement_shows_the_last_five_movements_newest_first(self):
        self.set_pin(PIN)
        deposits, savings = self.account(self.deposits), self.account(self.savings)
        for day, account, amount in ((1, deposits, 100), (2, deposits, 200), (3, savings, 300), (4, deposits, 400),
                                     (5, savings, -50), (6, deposits, 600), (7, savings, 700)):
            account._sacco_post(amount, self.gl_cash, date=f'2026-03-{day:02d}')
        screens = self.dial(['2', PIN])
        self.assertEqual(screens[2], "END Last movements (KES)\n07/03/26 SAV +700.00\n06/03/26 DEP +600.00\n"
                                     "05/03/26 SAV -50.00\n04/03/26 DEP +400.00\n03/03/26 SAV +300.00")
        other = self.env['ddcpts.sacco.member'].create({
            'name': "Otieno Ouma", 'national_id': '29000002', 'phone': '0799 000 002', 'kra_pin': 'A009876543B',
            'birthdate': '1985-01-01'})
        other.action_activate()
        self.env['ddcpts.ussd.pin']._ddcpts_store_hash(other.partner_id, self.company,
                                                        self.env['ddcpts.ussd.pin']._ddcpts_hash(PIN))
        screens = self.dial(['2', PIN], session='ATUid_s2', phone='+254799000002')
        self.assertEqual(screens[2], "END No movement on your accounts yet.")

    def test_callers_who_are_not_members(self):
        self.assertEqual(self.dial(['1'], session='ATUid_s2', phone='+254799000111')[1],
                         "END This number is not the number of a member of Umoja SACCO.")
        applicant = self.env['ddcpts.sacco.member'].create({
            'name': "Applicant", 'national_id': '29000003', 'phone': '0799 000 003'})
        self.assertEqual(applicant.state, 'applicant')
        self.assertEqual(self.dial(['3'], session='ATUid_s3', phone='+254799000003')[1],
                         "END This number is not the number of a member of Umoja SACCO.")

    def test_first_pin_then_change_it(self):
        self.assertEqual(self.dial(['1'])[1], "END Set your PIN first: choose My PIN in the main menu.")
        screens = self.dial(['6', PIN, PIN], session='ATUid_s2')
        new_pin, again, saved = ("CON Enter a new PIN of 4 digits\n0. Back", "CON Enter the new PIN again\n0. Back",
                                 "END Your PIN is saved. Keep it secret.")
        self.assertEqual(screens[1:], [new_pin, again, saved])
        screens = self.dial(['6', PIN, '5930', '5930'], session='ATUid_s3')
        self.assertEqual(screens[1:], ["CON Enter your current PIN\n0. Back", new_pin, again, saved])
        pin = self.env['ddcpts.ussd.pin']._ddcpts_for(self.caller, self.company)
        self.assertTrue(pin._ddcpts_matches('5930', pin.pin_hash))
        self.assertIn("Your balances", self.dial(['1', '5930'], session='ATUid_s4')[2])

    def test_deposit_without_a_push_provider_gives_the_paybill_reference(self):
        self.set_pin(PIN)
        reference = self.account(self.savings).name
        screens = self.dial(['3', PIN, '3'])
        number = self.member.number
        self.assertEqual(screens[2], f"CON Deposit to\n1. Shares {number}-SHR\n2. Deposits {number}-DEP\n"
                                     f"3. Savings {number}-SAV\n0. Back")
        self.assertEqual(screens[3], f"END Pay to our paybill with account number {reference}.")
        self.assertFalse(self.env['payment.transaction'].search([('partner_id', '=', self.caller.id)]))

    def test_every_screen_fits_for_members_and_others(self):
        self.set_pin(PIN)
        self.shares.name = "Share capital of the members of the society (non-withdrawable) — ñ"
        self.account(self.deposits)._sacco_post(123456789.12, self.gl_cash)
        for day in range(1, 9):
            self.account(self.savings)._sacco_post(-1000 * day, self.gl_cash, date=f'2026-01-{day:02d}')
        for phone in ('+254700100299', '+254799000111'):
            session = self.env['ddcpts.ussd.session'].create({
                'service_id': self.service.id, 'company_id': self.company.id, 'session_ref': f'walk-{phone}',
                'phone': phone,
                'partner_id': self.env['ddcpts.ussd.session']._ddcpts_find_partner(phone, self.company).id})
            ctx = UssdContext(self.service, session)
            steps = list(ussd.walk(self.service._ddcpts_ussd_root(ctx), ctx))
            self.assertGreater(len(steps), 4)
            for inputs, step in steps:
                self.assertLessEqual(len(step.text), ussd.MAX_SCREEN_CHARS, (phone, inputs, step.text))
                self.assertRegex(step.text, r'^[ -~\n]+$')
        self.assertIn("Share capital of the", self.dial(['1', PIN])[2])
