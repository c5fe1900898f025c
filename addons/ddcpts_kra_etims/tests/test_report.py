import json

from odoo.tests import tagged

from odoo.addons.ddcpts_kra_etims.tests.common import COMPANY_PIN, CUSTOMER_PIN, EtimsCase


@tagged('post_install', '-at_install')
class TestPrintedInvoice(EtimsCase):

    def test_printed_invoice_shows_both_pins_and_kenya_time(self):
        self.sandbox_rule(path='/etims-api/saveTrnsSalesOsdc', result=json.loads(
            '{"resultCd":"000","resultMsg":"It is succeeded","resultDt":"20200226194328","data":{"curRcptNo":"1",'
            '"totRcptNo":"1","intrlData":"EAHSAV6ECUUXSY6PCCJYAUP6MI","rcptSign":"QUII27MATATSHFRB",'
            '"sdcDateTime":"20210502115145"}}'))
        invoice = self.create_invoice([(self.juice, 1, 116.0, self.tax_16)], post=True)
        self.assertEqual(invoice.etims_state, 'signed')
        self.assertTrue(invoice.etims_qr_code, "the QR code is on the invoice form too")
        # printed by someone in New York: the SCU time stays KRA's (11:51:45 in Nairobi, 04:51:45 in New York)
        self.env.user.tz = 'America/New_York'
        html = self.env['ir.actions.report'].with_context(tz='America/New_York')._render_qweb_html(
            'account.report_invoice', invoice.ids)[0].decode()
        self.assertIn(COMPANY_PIN, html, "the seller's KRA PIN")
        self.assertIn(CUSTOMER_PIN, html, "the buyer's KRA PIN")
        self.assertIn('11:51:45', html)
        self.assertNotIn('04:51:45', html)

    def test_demo_device_is_initialized_against_the_simulator(self):
        device = self.env.ref('ddcpts_kra_etims.demo_etims_device_ke').sudo()
        self.assertEqual(device.company_id, self.env.ref('base.demo_company_ke'))
        self.assertEqual(device.state, 'ready')
        self.assertTrue(device.sdc_id)
