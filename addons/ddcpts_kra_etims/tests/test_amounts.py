from decimal import Decimal

from odoo.exceptions import UserError
from odoo.tests import tagged

from odoo.addons.ddcpts_kra_etims.tests.common import EtimsCase
from odoo.addons.ddcpts_kra_etims.tools.amounts import EtimsLine, compute_amounts


@tagged('post_install', '-at_install')
class TestEtimsAmounts(EtimsCase):
    """The one amount computation: its totals equal the invoice's, whatever the taxes, discounts and currency."""

    def assertTotalsMatchInvoice(self, invoice, totals, amount_total=None):
        self.assertEqual(float(totals['totAmt']), amount_total if amount_total is not None else invoice.amount_total)
        self.assertEqual(float(totals['totTaxAmt']), invoice.amount_tax)

    def test_specification_sample_is_tax_inclusive(self):
        """KRA's sample: 2 × 3500 at 18 % included -> taxblAmt = totAmt = 7000, taxAmt = 7000 × 18/118."""
        items, totals = compute_amounts([EtimsLine(2, 0, 'B', 18, Decimal('5932.20'), Decimal('1067.80'))])
        self.assertEqual(items, [{'prc': Decimal('3500.00'), 'splyAmt': Decimal('7000.00'), 'dcRt': Decimal(0),
                                  'dcAmt': Decimal('0.00'), 'taxblAmt': Decimal('7000.00'),
                                  'taxAmt': Decimal('1067.80'), 'totAmt': Decimal('7000.00')}])
        self.assertEqual((totals['taxblAmtB'], totals['taxAmtB'], totals['taxRtB']),
                         (Decimal('7000.00'), Decimal('1067.80'), Decimal('18.00')))
        _items, net_totals = compute_amounts([EtimsLine(2, 0, 'B', 18, Decimal('5932.20'), Decimal('1067.80'))],
                                             tax_inclusive=False)
        self.assertEqual((net_totals['totTaxblAmt'], net_totals['totTaxAmt'], net_totals['totAmt']),
                         (Decimal('5932.20'), Decimal('1067.80'), Decimal('7000.00')))

    def test_mixed_tax_types(self):
        invoice = self.create_invoice([
            (self.juice, 3, 100.0, self.tax_16),
            (self.sugar, 2.5, 180.0, self.tax_8),
            (self.maize, 1, 200.0, self.tax_exempt),
            (self.support, 1, 999.99, self.tax_0),
        ], post=False)
        _lines, items, totals = self.env['ddcpts.etims.payload']._etims_amounts(invoice)
        self.assertTotalsMatchInvoice(invoice, totals)
        self.assertEqual([item['taxAmt'] for item in items],
                         [Decimal('48.00'), Decimal('36.00'), Decimal('0.00'), Decimal('0.00')])
        self.assertEqual(totals['taxblAmtB'], Decimal('348.00'), "tax-inclusive taxable amount of the B line")
        self.assertEqual(totals['taxblAmtE'], Decimal('486.00'))
        self.assertEqual(totals['taxblAmtA'], Decimal('200.00'))
        self.assertEqual(totals['taxblAmtC'], Decimal('999.99'))
        self.assertEqual((totals['taxRtA'], totals['taxRtB'], totals['taxRtC'], totals['taxRtE']),
                         (Decimal(0), Decimal('16.00'), Decimal('0.00'), Decimal('8.00')))
        self.assertEqual(totals['totTaxblAmt'], totals['totAmt'])
        self.device.tax_inclusive_amounts = False
        _lines, items, net = self.env['ddcpts.etims.payload']._etims_amounts(invoice)
        self.assertTotalsMatchInvoice(invoice, net)
        self.assertEqual(float(net['totTaxblAmt']), invoice.amount_untaxed)
        self.assertEqual(items[0]['taxblAmt'] + items[0]['taxAmt'], items[0]['totAmt'])

    def test_tax_included_prices_with_rounding(self):
        """Prices with VAT included, where rounding per line and per invoice differ."""
        invoice = self.create_invoice([
            (self.juice, 3, 21.53, self.tax_16_included),
            (self.juice, 7, 21.53, self.tax_16_included),
            (self.sugar, 1, 99.99, self.tax_8),
        ])
        _lines, items, totals = self.env['ddcpts.etims.payload']._etims_amounts(invoice)
        self.assertTotalsMatchInvoice(invoice, totals)
        self.assertEqual(items[0]['totAmt'], Decimal('64.59'), "3 × 21.53 with VAT included")
        self.assertEqual(items[0]['prc'], Decimal('21.53'))
        booked = invoice.line_ids.filtered(lambda line: line.tax_line_id == self.tax_16_included)
        self.assertEqual(sum(item['taxAmt'] for item in items[:2]), Decimal(str(sum(booked.mapped('credit')))))

    def test_discounts(self):
        invoice = self.create_invoice([
            (self.juice, 4, 250.0, self.tax_16, 10.0),
            (self.support, 3, 333.33, self.tax_16_included, 12.5),
            (self.maize, 1, 200.0, self.tax_exempt, 100.0),
        ])
        _lines, items, totals = self.env['ddcpts.etims.payload']._etims_amounts(invoice)
        self.assertTotalsMatchInvoice(invoice, totals)
        juice = items[0]
        self.assertEqual((juice['splyAmt'], juice['dcRt'], juice['dcAmt'], juice['taxblAmt']),
                         (Decimal('1160.00'), Decimal('10.0'), Decimal('116.00'), Decimal('1044.00')))
        for item in items:
            self.assertEqual(item['splyAmt'] - item['dcAmt'], item['taxblAmt'])
        self.assertEqual(items[2]['totAmt'], Decimal(0), "a 100 % discount leaves nothing to pay")

    def test_foreign_currency_is_converted_to_kes(self):
        usd = self.setup_other_currency('USD', rates=[('2000-01-01', 1 / 129.5)])
        invoice = self.create_invoice([(self.juice, 3, 10.01, self.tax_16), (self.sugar, 1, 7.77, self.tax_8)],
                                      currency_id=usd.id)
        _lines, _items, totals = self.env['ddcpts.etims.payload']._etims_amounts(invoice)
        self.assertEqual(float(totals['totAmt']), abs(invoice.amount_total_signed), "the KES total booked")
        self.assertEqual(float(totals['totTaxAmt']), abs(invoice.amount_tax_signed))
        self.assertAlmostEqual(float(totals['totAmt']), invoice.amount_total * 129.5, delta=0.02)

    def test_lines_without_exactly_one_kra_tax_are_named(self):
        untyped = self.tax_16.copy({'name': "Levy", 'etims_tax_type': False})
        invoice = self.create_invoice([
            (self.juice, 1, 100.0, self.tax_16),
            (self.sugar, 1, 100.0, self.env['account.tax']),
            (self.support, 1, 100.0, self.tax_16 | self.tax_8),
            (self.maize, 1, 100.0, untyped),
        ])
        with self.assertRaises(UserError) as raised:
            self.env['ddcpts.etims.payload']._etims_amounts(invoice)
        message = str(raised.exception)
        self.assertIn("Line “Sugar” needs exactly one tax with a KRA tax type (it has 0)", message)
        self.assertIn("Line “Support hour” needs exactly one tax with a KRA tax type (it has 2)", message)
        self.assertIn("Line “Maize flour” needs exactly one tax with a KRA tax type (it has 0)", message)
        self.assertNotIn("Mango juice", message)

    def test_kenyan_tax_type_defaults(self):
        self.assertEqual(
            (self.tax_16 | self.tax_8 | self.tax_0 | self.tax_exempt | self.purchase_tax_16).mapped('etims_tax_type'),
            ['B', 'E', 'C', 'A', 'B'])
        non_vat = self.env['account.tax'].create({
            'name': "Non-VAT supplies", 'amount': 0, 'type_tax_use': 'sale', 'country_id': self.env.ref('base.ke').id,
        })
        self.assertEqual(non_vat.etims_tax_type, 'D')
        non_vat.etims_tax_type = 'A'  # chosen by hand
        non_vat.write({'name': "Supplies 0%", 'invoice_label': "0%"})
        self.assertEqual(non_vat.etims_tax_type, 'A', "a rename keeps the KRA tax type chosen by hand")
        non_vat.amount = 16
        self.assertEqual(non_vat.etims_tax_type, 'B', "a new rate gives the rate's default")
        withholding = self.env['account.chart.template'].with_company(self.company).ref('SWT2')
        self.assertFalse(withholding.etims_tax_type, "withholding is not VAT for eTIMS")
