from odoo.tests import new_test_user, tagged

from .common import UssdCase


@tagged('post_install', '-at_install')
class TestUssdTour(UssdCase):

    def test_staff_unlock_a_pin_locked_over_ussd(self):
        pin = self.set_pin('4821')
        screens = self.dial(['1', '1111', '2222', '3333'])
        self.assertTrue(screens[-1].startswith("END Your PIN is locked"), screens[-1])
        self.assertTrue(pin.locked)
        self.assertEqual(self.session_of('ATUid_s1').inputs, '1*xxxx*xxxx*xxxx')
        # staff of the service's company (admin works in the Kenyan demo company), who may not edit contacts
        staff = new_test_user(self.env, 'ussd_staff', company_id=self.company.id,
                              groups='base.group_user,ddcpts_base.group_ddcpts_manager')
        self.start_tour('/odoo/action-ddcpts_ussd.action_ddcpts_ussd_service', 'ddcpts_ussd_unlock_pin',
                        login=staff.login)
        self.assertRecordValues(pin, [{'locked': False, 'failed_attempts': 0}])
        self.assertIn("USSD PIN unlocked", self.caller.message_ids[0].body)
        self.assertEqual(self.caller.message_ids[0].author_id, staff.partner_id)

    def test_stored_step_offers_no_reprocess(self):
        self.set_pin('4821')
        self.dial(['1', '4821'])
        step = self.callbacks_of('ATUid_s1').sorted('id')[-1]
        step.sudo().write({'state': 'failed', 'error': "worker stopped"})
        staff = new_test_user(self.env, 'ussd_monitor', company_id=self.company.id,
                              groups='base.group_user,ddcpts_base.group_ddcpts_manager')
        self.start_tour(f'/odoo/action-ddcpts_base.ddcpts_callback_action/{step.id}',
                        'ddcpts_ussd_callback_not_replayed', login=staff.login)
