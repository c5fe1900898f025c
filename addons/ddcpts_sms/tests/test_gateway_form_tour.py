from odoo.tests import new_test_user, tagged

from odoo.addons.ddcpts_base.tests.common import DdcptsHttpCase
from odoo.addons.ddcpts_sms.tests.common import SmsGatewayMixin


@tagged('post_install', '-at_install')
class TestGatewaySetupTour(SmsGatewayMixin, DdcptsHttpCase):

    def test_a_clerk_checks_the_setup_from_the_form(self):
        """Checklist, delivery report URL to copy, Test Connection ticks the checklist."""
        self.sandbox_rule(path='/version1/user', result={'balance': 'KES 42.5000'})
        administrator = new_test_user(self.env, 'sms_admin', company_id=self.gateway.company_id.id,
                                      groups='base.group_user,base.group_system,ddcpts_base.group_ddcpts_manager')
        self.start_tour(f'/odoo/action-ddcpts_sms.action_ddcpts_sms_gateway/{self.gateway.id}',
                        'ddcpts_sms_gateway_setup', login=administrator.login)
        status = self.env['ddcpts.health.status'].search([('res_model', '=', 'ddcpts.sms.gateway'),
                                                          ('res_id', '=', self.gateway.id)])
        self.assertEqual(status.state, 'ok')
        self.assertEqual(self.gateway.balance, 'KES 42.5000')
