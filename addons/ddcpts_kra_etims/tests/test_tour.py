from unittest.mock import patch

from odoo.tests import tagged

from odoo.addons.base.models import ir_actions_report
from odoo.addons.ddcpts_kra_etims.tests.common import EtimsHttpCase


@tagged('post_install', '-at_install')
class TestEtimsInvoiceTour(EtimsHttpCase):

    def test_post_print_and_see_the_kra_block(self):
        invoice = self.create_invoice([(self.juice, 2, 116.0, self.tax_16), (self.sugar, 1, 180.0, self.tax_8)])
        # the printed invoice is opened as HTML (the web client's fallback without wkhtmltopdf), here even
        # where wkhtmltopdf is installed: a PDF download could not be looked into
        with patch.object(ir_actions_report, 'wkhtmltopdf_state', 'install'):
            self.start_tour(f'/odoo/action-account.action_move_out_invoice_type/{invoice.id}',
                            'ddcpts_etims_post_and_print', login=self.env.user.login)
        self.assertEqual((invoice.etims_state, invoice.etims_invoice_number), ('signed', 1))
        self.assertEqual(len(self.sent_sales()), 1)
