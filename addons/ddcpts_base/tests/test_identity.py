from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged
from odoo.tests.common import TransactionCase

from odoo.addons.ddcpts_base.tools.identity import normalize_msisdn


@tagged('post_install', '-at_install')
class TestIdentity(TransactionCase):

    def test_kenyan_numbers_in_every_format(self):
        for typed in ('0712345678', '712345678', '+254712345678', '254712345678', '254 712 345 678',
                      '0712-345-678', '+254 (0) 712 345 678'):
            with self.subTest(typed=typed):
                self.assertEqual(normalize_msisdn(typed, 'KE'), '254712345678')
        self.assertEqual(normalize_msisdn('0110123456', 'KE'), '254110123456', "the 01xx range is mobile too")
        self.assertEqual(normalize_msisdn('+254708374149'), '254708374149')

    def test_ghanaian_numbers(self):
        for typed in ('024 412 3456', '+233244123456', '233244123456', '0551234567'):
            with self.subTest(typed=typed):
                self.assertTrue(normalize_msisdn(typed, 'GH').startswith('233'))
        self.assertEqual(normalize_msisdn('0244123456', 'GH'), '233244123456')

    def test_bad_numbers_are_refused_with_a_clear_message(self):
        cases = {
            '': "required",
            '12345': "not enough digits",
            '0202123456': "not a mobile number of KE",  # Nairobi landline
            '+15551234567': "Invalid number",
            '+442071838750': "not a Kenyan or Ghanaian mobile number",
            'call me': "Unable to parse",
        }
        for typed, message in cases.items():
            with self.subTest(typed=typed), self.assertRaisesRegex(UserError, message):
                normalize_msisdn(typed, 'KE')

    def test_partner_tax_ids_are_validated_and_compacted(self):
        partner = self.env['res.partner'].create({'name': "Mwangi", 'kra_pin': ' p051365947m '})
        self.assertEqual(partner.kra_pin, 'P051365947M')
        partner.ghana_tin = 'c0000803561'
        self.assertEqual(partner.ghana_tin, 'C0000803561')
        with self.assertRaisesRegex(ValidationError, "X051365947M is not a valid KRA PIN"):
            partner.kra_pin = 'X051365947M'
        with self.assertRaisesRegex(ValidationError, "not a valid KRA PIN"):
            self.env['res.partner'].create({'name': "Short", 'kra_pin': 'P05136594'})
        with self.assertRaisesRegex(ValidationError, "not a valid Ghana TIN"):
            partner.ghana_tin = 'C1234'
        self.assertEqual(partner.kra_pin, 'P051365947M', "a refused value changes nothing")

    def test_local_formats_of_other_countries_read_as_kenyan(self):
        self.assertEqual(normalize_msisdn('0722 111 222', 'US'), '254722111222')
        self.assertEqual(normalize_msisdn('+233244123456', 'US'), '233244123456')
