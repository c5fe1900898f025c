import itertools

from odoo.tests import tagged

from odoo.addons.ddcpts_ussd.models.ddcpts_ussd_service import UssdContext
from odoo.addons.ddcpts_ussd.tools import menu as ussd

from .common import UssdCase


@tagged('post_install', '-at_install')
class TestMenuEngine(UssdCase):

    def context(self, phone='+254700100299'):
        session = self.env['ddcpts.ussd.session'].create(
            self.env['ddcpts.ussd.session']._ddcpts_session_values(self.service, _Request(phone)))
        return UssdContext(self.service, session)

    def test_every_screen_of_every_menu_fits(self):
        self.set_pin()
        menus = self.env['ddcpts.ussd.service']._ddcpts_ussd_root_menus()
        for code in menus:
            self.service.root_menu = code
            for phone in ('+254700100299', '+254799000111'):
                ctx = self.context(phone)
                steps = list(ussd.walk(self.service._ddcpts_ussd_root(ctx), ctx))
                self.assertGreater(len(steps), 3, f"menu {code} was walked")
                for inputs, step in steps:
                    self.assertLessEqual(len(step.text), ussd.MAX_SCREEN_CHARS, (code, inputs, step.text))
                    self.assertRegex(step.text, r'^[ -~\n]+$')

    def test_pagination_numbering_and_back(self):
        menu = ussd.Menu("Pick a branch", [ussd.Option(f"Branch number {index}", ussd.Message(f"Branch {index}"))
                                           for index in range(1, 31)])
        ctx = self.context()
        first = ussd.navigate(menu, ctx, []).text
        self.assertTrue(first.startswith("Pick a branch\n1. Branch number 1\n"))
        self.assertTrue(first.endswith("\n98. More"))
        second = ussd.navigate(menu, ctx, ['98']).text
        last_on_first = int(first.splitlines()[-2].split('.')[0])
        self.assertTrue(second.startswith(f"Pick a branch\n{last_on_first + 1}. Branch number {last_on_first + 1}\n"))
        self.assertIn("98. More 0. Back", second)
        self.assertEqual(ussd.navigate(menu, ctx, ['98', '0']).text, first)
        self.assertEqual(ussd.navigate(menu, ctx, ['98', '30']).text, "Branch 30", "numbers hold across pages")
        self.assertEqual(ussd.navigate(menu, ctx, ['98'] * 6).text.split('\n')[0], "Invalid choice.")

    def test_screens_are_checked_when_the_menu_is_built(self):
        with self.assertRaises(ussd.ScreenError):
            ussd.Message("x" * 183)
        with self.assertRaises(ussd.ScreenError):
            ussd.Prompt("Montant à payer", ussd.amount(), lambda ctx, value: None)
        with self.assertRaises(ussd.ScreenError):
            ussd.Menu("t" * 170, [ussd.Option("a long option label", ussd.Message("x"))])

    def test_validators(self):
        amount = ussd.amount(minimum=10, maximum=5000)
        self.assertEqual(str(amount('250')), '250')
        for bad in ('5', '6000', '1.5', 'ten', ''):
            with self.assertRaises(ussd.InvalidInput):
                amount(bad)
        phone = ussd.phone()
        self.assertEqual(phone('0712345678'), '254712345678')
        with self.assertRaises(ussd.InvalidInput):
            phone('0201234567')
        self.assertEqual(ussd.digits(4, 6)('0042'), '0042')

    def test_dynamic_text_is_made_plain(self):
        self.assertEqual(ussd.plain("Wanjikũ Café\x07"), "Wanjiku Cafe")


_SESSION_NUMBERS = itertools.count()


class _Request:
    """The fields of a gateway request a session is created from (one session each)."""

    def __init__(self, phone):
        self.session_ref = f'engine-{phone}-{next(_SESSION_NUMBERS)}'
        self.kind = 'africastalking'
        self.phone = phone
        self.network_code = '99999'
