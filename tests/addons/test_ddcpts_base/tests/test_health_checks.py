from odoo.tests import tagged

from odoo.addons.ddcpts_base.tests.common import DdcptsCase
from odoo.addons.test_ddcpts_base.tests.common import create_provider


@tagged('post_install', '-at_install')
class TestHealthChecks(DdcptsCase):

    def _status(self, provider):
        return self.env['ddcpts.health.status'].search([('res_model', '=', provider._name),
                                                         ('res_id', '=', provider.id)])

    def test_cron_checks_every_provider_and_records_the_outcome(self):
        working = create_provider(self.env, name="Working")
        broken = create_provider(self.env, name="Broken", base_url='http://127.0.0.1:9')
        self.env['ddcpts.health.status']._cron_run_health_checks()
        self.assertRecordValues(self._status(working), [{'state': 'ok', 'name': "Working", 'provider': 'test'}])
        self.assertTrue(self._status(working).last_check_at)
        self.assertEqual(self._status(broken).state, 'failing')
        self.assertIn('could not be reached', self._status(broken).last_error)

    def test_check_button_reports_the_outcome(self):
        provider = create_provider(self.env)
        self.assertEqual(provider.action_ddcpts_check_health()['params']['type'], 'success')
        self.sandbox_rule(path='/echo/oauth/token', status=401, body={'error': 'invalid_client'}, times=-1)
        provider._ddcpts_invalidate_token()
        action = provider.action_ddcpts_check_health()
        self.assertEqual(action['params']['type'], 'danger')
        self.assertIn('401', action['params']['message'])
