from urllib.parse import urlparse

from odoo.tests import new_test_user, tagged

from odoo.addons.ddcpts_momo.tests.common import MomoCommon, MomoHttpCommon


def checklist(provider):
    provider.invalidate_recordset(['ddcpts_setup_checklist'])
    return {step['label']: step['done'] for step in provider.ddcpts_setup_checklist}


@tagged('post_install', '-at_install')
class TestSetupChecklist(MomoCommon):

    def step(self, provider, start):
        return next(done for label, done in checklist(provider).items() if label.startswith(start))

    def test_credentials_and_subscription_keys(self):
        self.assertTrue(self.step(self.provider, "API user and API key entered"))
        self.assertTrue(self.step(self.provider, "Collection subscription key"))
        self.provider.momo_disbursement_key = False
        self.assertFalse(self.step(self.provider, "Disbursement subscription key"))
        self.provider.momo_api_key = False
        self.assertFalse(self.step(self.provider, "API user and API key entered"))

    def test_journal_currency_follows_the_target_environment(self):
        self.assertTrue(self.step(self.provider, "Journal in the currency of the target environment (EUR)"))
        self.provider.write({'momo_target_environment': 'mtnghana', 'momo_api_url_type': 'market',
                             'momo_api_url': 'https://proxy.momoapi.mtn.com'})
        self.assertFalse(self.step(self.provider, "Journal in the currency of the target environment (GHS)"),
                         "a EUR journal cannot book Ghana's GHS payments")

    def test_callback_host_must_be_the_public_host_over_https_in_a_market(self):
        self.provider.write({'momo_target_environment': 'mtnghana', 'momo_api_url_type': 'market',
                             'momo_api_url': 'https://proxy.momoapi.mtn.com', 'momo_callback_host': 'erp.example.com',
                             'ddcpts_public_url': 'http://erp.example.com'})
        self.assertFalse(self.step(self.provider, "Callback host is this server's public host"), "http in production")
        self.provider.ddcpts_public_url = 'https://erp.example.com'
        self.assertTrue(self.step(self.provider, "Callback host is this server's public host"))
        self.provider.momo_callback_host = 'other.example.com'
        self.assertFalse(self.step(self.provider, "Callback host is this server's public host"),
                         "MTN refuses an X-Callback-Url on another host than the registered one")

    def test_callback_urls_of_both_products(self):
        urls = [url['url'] for url in self.provider.ddcpts_callback_urls]
        token = self.provider._ddcpts_get_callback_token()
        self.assertEqual([urlparse(url).path for url in urls], [
            f'/ddcpts/momo/{self.provider.id}/{token}/collection/<X-Reference-Id>',
            f'/ddcpts/momo/{self.provider.id}/{token}/disbursement/<X-Reference-Id>',
        ])


@tagged('post_install', '-at_install')
class TestProviderSetupTour(MomoHttpCommon):

    def test_a_clerk_finishes_the_setup_from_the_form(self):
        """Checklist, full-width credentials, callback URLs to copy, the callback host ticks the checklist."""
        self.provider.ddcpts_public_url = self.base_url()
        self.assertEqual(urlparse(self.base_url()).hostname, '127.0.0.1', "the host the tour types")
        administrator = new_test_user(self.env, 'momo_admin', company_id=self.provider.company_id.id,
                                      groups='base.group_user,base.group_system,ddcpts_base.group_ddcpts_manager')
        self.start_tour(f'/odoo/action-payment.action_payment_provider/{self.provider.id}',
                        'ddcpts_momo_provider_setup', login=administrator.login)
        self.assertEqual(self.provider.momo_callback_host, '127.0.0.1')
        self.assertTrue(self.provider._momo_callback_url('collection', 'x'), "requests now carry an X-Callback-Url")
