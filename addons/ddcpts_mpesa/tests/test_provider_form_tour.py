from odoo.tests import new_test_user, tagged

from odoo.addons.ddcpts_mpesa.tests.common import MpesaHttpCommon


@tagged('post_install', '-at_install')
class TestProviderSetupTour(MpesaHttpCommon):

    def test_a_clerk_finishes_the_setup_from_the_form(self):
        """Checklist, full-width credentials, callback URLs to copy, Register URLs ticks the checklist."""
        self.provider.mpesa_c2b_registered_at = False
        administrator = new_test_user(self.env, 'mpesa_admin', company_id=self.provider.company_id.id,
                                      groups='base.group_user,base.group_system,ddcpts_base.group_ddcpts_manager')
        self.start_tour(f'/odoo/action-payment.action_payment_provider/{self.provider.id}',
                        'ddcpts_mpesa_provider_setup', login=administrator.login)
        self.assertTrue(self.provider.mpesa_c2b_registered_at)
        self.assertEqual(len(self.sandbox_requests('/mpesa/c2b/v2/registerurl')), 1)
