from odoo.tests import tagged

from odoo.addons.ddcpts_momo.tests.common import PAYER, MomoHttpCommon


@tagged('post_install', '-at_install')
class TestPortalTour(MomoHttpCommon):

    def test_customer_pays_an_invoice_from_the_portal_with_momo(self):
        """Portal invoice > Pay Now > MTN Mobile Money > approved > the status page settles it > paid.

        No callback is asked for (the callback host is not this server): the status page's own status
        queries settle the payment, as when MTN's single callback is lost.
        """
        invoice = self.create_invoice(75)
        self.start_tour(invoice.get_portal_url(), 'ddcpts_momo_portal_invoice_payment')
        tx = invoice.transaction_ids
        self.assertRecordValues(tx, [{'state': 'done', 'momo_payer_msisdn': PAYER, 'provider_id': self.provider.id}])
        self.assertIn(invoice.payment_state, ('paid', 'in_payment'))
        self.assertEqual(self.sandbox('GET', 'callbacks')['callbacks'], [])
