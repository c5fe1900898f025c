from odoo.tests import new_test_user, tagged

from odoo.addons.ddcpts_base.tests.common import DdcptsHttpCase
from odoo.addons.test_ddcpts_base.tests.common import CallbackClientMixin, create_provider


@tagged('post_install', '-at_install')
class TestCallbackLogTour(CallbackClientMixin, DdcptsHttpCase):

    def test_settings_to_callback_log_tour(self):
        provider = create_provider(self.env, accepts_events=False)
        self.post_json(self.callback_path(provider), {'event_id': 'ddcpts-tour-event'})
        callback = self.env['ddcpts.callback'].search([('body', 'like', 'ddcpts-tour-event')])
        self.assertEqual(callback.state, 'failed')
        self.assertEqual(callback.body_display, '{\n  "event_id": "ddcpts-tour-event"\n}', "indented for reading")
        provider.accepts_events = True
        # an administrator of the provider's company
        administrator = new_test_user(self.env, 'callback_admin', company_id=provider.company_id.id,
                                      groups='base.group_user,base.group_system,ddcpts_base.group_ddcpts_manager')
        self.start_tour('/odoo/settings', 'ddcpts_settings_to_callback_log', login=administrator.login)
        callback.invalidate_recordset()
        self.assertEqual(callback.state, 'processed')
        self.assertTrue(self.env['test.ddcpts.event'].search([('event_id', '=', 'ddcpts-tour-event')]))
