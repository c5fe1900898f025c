from odoo.tests import new_test_user, tagged

from odoo.addons.ddcpts_base.tests.common import DdcptsHttpCase
from odoo.addons.ddcpts_sms.tests.common import AT_SEND_PATH, SmsCallbackMixin, SmsGatewayMixin


@tagged('post_install', '-at_install')
class TestSmsTour(SmsCallbackMixin, SmsGatewayMixin, DdcptsHttpCase):

    def test_send_an_sms_from_the_chatter_and_see_it_delivered(self):
        partner = self.env['res.partner'].create({'name': "Achieng Odhiambo", 'mobile': '+254711000003'})
        # a clerk of the company whose gateway sends
        clerk = new_test_user(self.env, 'sms_clerk', groups='base.group_user,base.group_partner_manager',
                              company_id=self.company.id)
        self.configure_at_dashboard(self.gateway)
        self.env.flush_all()
        url = f'/odoo/res.partner/{partner.id}'
        self.start_tour(url, 'ddcpts_sms_chatter_send', login=clerk.login)
        self.assertEqual(len(self.sandbox_requests(AT_SEND_PATH)), 1)
        self.sandbox_deliver_callbacks(1)
        # the test database never commits, so the web client gets no live bus update: open the page again
        self.start_tour(url, 'ddcpts_sms_chatter_delivered', login=clerk.login)
        message = self.env['ddcpts.sms.message'].search([('number', '=', '+254711000003')])
        self.assertRecordValues(message, [{'gateway_id': self.gateway.id, 'state': 'delivered'}])
