from odoo.tests import new_test_user, tagged
from odoo.tests.common import TransactionCase

from odoo.addons.ddcpts_base.tests.common import DdcptsHttpCase, committed_env


@tagged('post_install', '-at_install')
class TestHealthEndpoint(DdcptsHttpCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.endpoint = cls.env['ddcpts.webhook.endpoint'].create({
            'name': "Monitored", 'url': 'https://monitored.example.com/hook',
            'event_ids': [(4, cls.env.ref('ddcpts_base.webhook_event_ping').id)],
        })
        cls.env['ddcpts.health.status']._ddcpts_record_result(cls.endpoint, success=False, error="connection refused")
        new_test_user(cls.env, 'plain_user', groups='base.group_user')
        new_test_user(cls.env, 'health_manager', groups='base.group_user,ddcpts_base.group_ddcpts_manager')

    def _get(self, **kwargs):
        return self.url_open('/ddcpts/health', **kwargs)

    def test_anonymous_and_forged_requests_are_refused(self):
        self.assertEqual(self._get().status_code, 401)
        self.assertEqual(self.url_open('/ddcpts/health?token=forged').status_code, 403)
        self.assertEqual(self._get(headers={'Authorization': 'Bearer forged'}).status_code, 403)
        self.authenticate('plain_user', 'plain_user')
        self.assertEqual(self._get().status_code, 403)

    def test_token_and_admin_session_get_the_report(self):
        action = self.env['res.config.settings'].create({}).action_ddcpts_generate_health_token()
        token = action['params']['message']
        response = self._get(headers={'Authorization': f'Bearer {token}'})
        self.assertEqual(response.status_code, 200)
        report = response.json()
        self.assertEqual(report['status'], 'degraded')
        monitored = [entry for entry in report['providers'] if entry['name'] == "Monitored"]
        self.assertEqual(monitored[0]['state'], 'failing')
        self.assertEqual(monitored[0]['last_error'], "connection refused")
        self.assertIn('webhooks_failed', report['queues'])
        self.assertEqual(self.url_open(f'/ddcpts/health?token={token}').status_code, 200)

        self.authenticate('health_manager', 'health_manager')
        self.assertEqual(self._get().json()['status'], 'degraded')
        self.env['ddcpts.health.status'].search([]).unlink()
        self.assertEqual(self._get().json()['status'], 'ok')


@tagged('post_install', '-at_install')
class TestHealthStatusConcurrency(TransactionCase):
    """Real transactions: a status row locked by another worker is skipped, quietly."""

    def test_locked_status_is_skipped_without_an_error_log(self):
        with committed_env(self.registry) as env:
            endpoint = env['ddcpts.webhook.endpoint'].create({'name': "Locked", 'url': 'https://locked.example.com/'})
            env['ddcpts.health.status']._ddcpts_record_result(endpoint, success=True)
            endpoint_id = endpoint.id
        self.addCleanup(self._delete, endpoint_id)
        endpoint = self.env['ddcpts.webhook.endpoint'].browse(endpoint_id)
        with self.registry.cursor() as other_worker:
            other_worker.execute("SELECT id FROM ddcpts_health_status WHERE res_model = %s AND res_id = %s FOR UPDATE",
                                 ['ddcpts.webhook.endpoint', endpoint_id])
            with self.assertNoLogs('odoo.sql_db', level='ERROR'):
                self.env['ddcpts.health.status']._ddcpts_record_result(endpoint, success=False, error="refused")
        with committed_env(self.registry) as env:
            status = env['ddcpts.health.status'].search([('res_model', '=', 'ddcpts.webhook.endpoint'),
                                                         ('res_id', '=', endpoint_id)])
            self.assertEqual(status.state, 'ok', "the conflicting update was skipped")

    def _delete(self, endpoint_id):
        with committed_env(self.registry) as env:
            env['ddcpts.health.status'].search([('res_model', '=', 'ddcpts.webhook.endpoint'),
                                                ('res_id', '=', endpoint_id)]).unlink()
            env['ddcpts.webhook.endpoint'].browse(endpoint_id).unlink()
