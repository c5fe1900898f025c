import logging

from odoo.tests import tagged

from odoo.addons.ddcpts_ussd.const import PIN_MASK

from .common import UssdCase

PIN = '4821'


class _Collect(logging.Handler):

    def __init__(self):
        super().__init__(logging.DEBUG)
        self.lines = []

    def emit(self, record):
        self.lines.append(record.getMessage())


@tagged('post_install', '-at_install')
class TestPin(UssdCase):

    def test_set_pin_then_open_the_protected_branch(self):
        screens = self.dial(['4', PIN, PIN])
        self.assertEqual(screens[1:], ["CON Enter a new PIN of 4 digits\n0. Back",
                                       "CON Enter the new PIN again\n0. Back",
                                       "END Your PIN is saved. Keep it secret."])
        pin = self.env['ddcpts.ussd.pin']._ddcpts_for(self.caller, self.company)
        self.assertTrue(pin.pin_hash.startswith('$pbkdf2-sha512$'), "stored hashed")
        screens = self.dial(['1', PIN], session='ATUid_s2')
        self.assertEqual(screens[1], "CON Enter your PIN\n0. Back")
        self.assertEqual(screens[2], f"END Akinyi Otieno\nRef: C-7\nBalance due: {self.company.currency_id.name} 0.00")

    def test_new_pin_rules_and_mismatch(self):
        self.assertEqual(self.at('4*12'), "CON The PIN must be 4 digits.\nEnter a new PIN of 4 digits\n0. Back")
        self.assertEqual(self.at('4*12*7777'), "CON Choose a less obvious PIN.\nEnter a new PIN of 4 digits\n0. Back")
        self.assertEqual(self.at(f'4*12*7777*{PIN}'), "CON Enter the new PIN again\n0. Back")
        self.assertEqual(self.at(f'4*12*7777*{PIN}*1234'), "CON The PINs differ.\nEnter the new PIN again\n0. Back")
        self.assertEqual(self.at(f'4*12*7777*{PIN}*1234*{PIN}'), "END Your PIN is saved. Keep it secret.")

    def test_change_pin_asks_the_current_one(self):
        self.set_pin()
        self.assertEqual(self.at('4'), "CON Enter your current PIN\n0. Back")
        self.assertEqual(self.at(f'4*{PIN}'), "CON Enter a new PIN of 4 digits\n0. Back")
        self.assertEqual(self.at(f'4*{PIN}*5930'), "CON Enter the new PIN again\n0. Back")
        self.assertEqual(self.at(f'4*{PIN}*5930*5930'), "END Your PIN is saved. Keep it secret.")
        pin = self.env['ddcpts.ussd.pin']._ddcpts_for(self.caller, self.company)
        self.assertTrue(pin._ddcpts_matches('5930', pin.pin_hash))

    def test_lockout_after_wrong_tries_and_unlock_by_staff(self):
        pin = self.set_pin()
        self.assertEqual(self.at('1*1111'), "CON Wrong PIN.\nEnter your PIN\n0. Back")
        self.assertEqual(self.at('1*1111*2222'), "CON Wrong PIN.\nEnter your PIN\n0. Back")
        locked = self.at('1*1111*2222*3333')
        self.assertEqual(locked, "END Your PIN is locked after too many wrong tries. Ask Umoja Traders to unlock it.")
        self.assertTrue(pin.locked)
        self.assertEqual(self.dial(['1', PIN], session='ATUid_s2')[1], locked.replace('END ', 'END '),
                         "even the right PIN is refused while locked")
        pin.with_user(self.env.ref('base.user_admin')).action_unlock()
        self.assertFalse(pin.locked)
        self.assertIn("Balance due", self.dial(['1', PIN], session='ATUid_s3')[2])

    def test_a_right_pin_resets_the_count(self):
        pin = self.set_pin()
        self.dial(['1', '1111', PIN])
        self.assertEqual((pin.failed_attempts, pin.locked), (0, False))

    def test_pin_never_stored_nor_logged(self):
        collect = _Collect()
        logging.getLogger().addHandler(collect)
        try:
            self.dial(['4', PIN, PIN])
            self.dial(['1', PIN], session='ATUid_s2')
            self.dial(['1', '9753', PIN], session='ATUid_s3')
            self.mtn('1', session='MTN-9')
            self.mtn(f'1*{PIN}', session='MTN-9')
        finally:
            logging.getLogger().removeHandler(collect)
        callbacks = self.env['ddcpts.callback'].search([('provider_model', '=', 'ddcpts.ussd.service'),
                                                        ('provider_res_id', '=', self.service.id)])
        self.assertEqual(len(callbacks), 13, "every step of every dialogue")
        for secret in (PIN, '9753'):
            self.assertFalse([body for body in callbacks.mapped('body') if secret in body], "no PIN in a stored body")
            self.assertFalse([line for line in collect.lines if secret in line], "no PIN in a log line")
        self.assertIn(f'text=1%2A{PIN_MASK}', self.callbacks_of('ATUid_s2').sorted('id')[-1].body)
        sessions = self.env['ddcpts.ussd.session'].search([('service_id', '=', self.service.id)])
        mask = PIN_MASK
        self.assertEqual(sorted(sessions.mapped('inputs')), sorted(
            [f'4*{mask}*{mask}', f'1*{mask}', f'1*{mask}*{mask}', f'1*{mask}']))
