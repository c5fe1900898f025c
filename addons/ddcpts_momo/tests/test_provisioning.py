import json

from odoo.exceptions import UserError
from odoo.tests import tagged

from odoo.addons.ddcpts_momo.tests.common import MomoHttpCommon


@tagged('post_install', '-at_install')
class TestSandboxProvisioning(MomoHttpCommon):
    """The sandbox API user and key are created from Odoo, once; running it again keeps what works."""

    def _run_wizard(self, key='my-sandbox-subscription-key'):
        wizard = self.env['ddcpts.momo.sandbox.setup'].with_context(default_provider_id=self.provider.id).create({
            'subscription_key': key, 'callback_host': 'erp.example.com',
        })
        return wizard.action_create()

    def test_user_and_key_are_created_then_kept(self):
        self.provider.momo_api_user = False
        self._run_wizard()
        user = self.provider.momo_api_user
        [created] = self.sent_requests('/v1_0/apiuser')[:1]
        self.assertEqual(created['headers']['X-Reference-Id'], user)
        self.assertEqual(created['json'], {'providerCallbackHost': 'erp.example.com'})
        self.assertEqual(self.provider.momo_callback_host, 'erp.example.com')
        api_key = self.provider._ddcpts_secret('momo_api_key')
        self.assertEqual(self.sandbox('GET', 'state')['momo']['users'][user]['keys'], 1)
        self.assertEqual(self.provider._ddcpts_secret('momo_collection_key'), 'my-sandbox-subscription-key')
        self.assertNotIn(api_key, json.dumps(self.env['ddcpts.provider.call'].search([]).mapped('response_body')))

        self._run_wizard()  # twice: same user, same key, nothing created
        self.assertEqual(self.provider.momo_api_user, user)
        self.assertEqual(self.provider._ddcpts_secret('momo_api_key'), api_key)
        self.assertEqual(len([r for r in self.sent_requests('/v1_0/apiuser') if r['method'] == 'POST']), 2,
                         "one user and one key, over both runs")
        self.assertTrue(self.provider._momo_fetch_token('collection')[0])

    def test_a_user_mtn_forgot_is_created_again(self):
        self._run_wizard()
        first = self.provider.momo_api_user
        self.sandbox_reset()
        self._run_wizard()
        self.assertNotEqual(self.provider.momo_api_user, first)

    def test_only_in_the_sandbox(self):
        self.provider.write({'momo_api_url_type': 'market', 'momo_target_environment': 'mtnghana'})
        with self.assertRaisesRegex(UserError, "only created in the sandbox"):
            self._run_wizard()

    def test_health_check_reports_the_connection(self):
        self.assertEqual(self.provider._ddcpts_run_health_check()[0], True)
        self.sandbox_rule(path='/collection/token/', status=401, body={'error': 'login_failed'})
        self.provider._ddcpts_invalidate_token(scope='collection')
        success, message = self.provider._ddcpts_run_health_check()
        self.assertFalse(success)
        self.assertIn("refused the API user and key", message)
        self.authenticate('admin', 'admin')
        report = self.url_open('/ddcpts/health').json()
        [momo] = [entry for entry in report['providers'] if entry['provider'] == 'momo']
        self.assertEqual(momo['state'], 'failing')
