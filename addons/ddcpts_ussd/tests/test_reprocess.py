from datetime import timedelta
from urllib.parse import urlencode

from lxml import etree

from odoo import fields
from odoo.exceptions import UserError
from odoo.tests import tagged
from odoo.tools.safe_eval import safe_eval
from odoo.tools.view_validation import get_expression_field_names

from odoo.addons.ddcpts_ussd.const import PIN_MASK

from .common import AT_EXAMPLE_SERVICE_CODE, CALLER, UssdCase

PIN = '4821'
NOT_AGAIN = "A USSD request is answered while the caller waits; it cannot be answered again later."


@tagged('post_install', '-at_install')
class TestReprocess(UssdCase):
    """A stored USSD step holds a masked PIN and was answered to a caller who has gone: processing it
    again must neither answer nor count the mask as a wrong PIN."""

    def _pin_step(self):
        pin = self.set_pin()
        self.dial(['1', PIN])
        callback = self.callbacks_of('ATUid_s1').sorted('id')[-1]
        self.assertIn(f'text=1%2A{PIN_MASK}', callback.body)
        return pin, callback

    def _reprocess_button_shown(self, callback):
        """Whether the callback's form shows Reprocess: its ``invisible`` evaluated on the record."""
        view = self.env.ref('ddcpts_base.ddcpts_callback_view_form')
        arch = etree.fromstring(self.env['ddcpts.callback'].get_view(view.id, 'form')['arch'])
        [button] = arch.xpath("//button[@name='action_reprocess']")
        expression = button.get('invisible')
        return not safe_eval(expression, {name: callback[name] for name in get_expression_field_names(expression)})

    def test_reprocess_button_hidden_on_a_step(self):
        _pin, callback = self._pin_step()
        callback.sudo().write({'state': 'failed', 'error': "worker stopped"})
        self.assertFalse(callback.can_reprocess)
        self.assertFalse(self._reprocess_button_shown(callback), "a button that can only refuse is not shown")

    def test_reprocess_button_refuses_a_step(self):
        pin, callback = self._pin_step()
        session = self.session_of('ATUid_s1')
        before = (session.state, session.step_count, session.inputs, session.last_screen)
        callback.sudo().write({'state': 'failed', 'error': "worker stopped"})
        with self.assertRaisesRegex(UserError, NOT_AGAIN):
            callback.action_reprocess()
        self.assertEqual((pin.failed_attempts, pin.locked), (0, False), "the mask is not a wrong PIN")
        self.assertEqual((session.state, session.step_count, session.inputs, session.last_screen), before)

    def test_cron_fails_a_step_left_received(self):
        """A worker that stopped mid-step leaves the callback "received": the cron closes it as failed with
        the reason instead of replaying it (three times, which would lock the PIN)."""
        pin, callback = self._pin_step()
        callback.sudo().write({'state': 'received', 'received_at': fields.Datetime.now() - timedelta(minutes=5)})
        step_count = self.session_of('ATUid_s1').step_count
        for _run in range(3):
            self.env['ddcpts.callback']._cron_process_received()
        self.assertEqual((callback.state, callback.error), ('failed', NOT_AGAIN))
        self.assertEqual((pin.failed_attempts, pin.locked), (0, False))
        self.assertEqual(self.session_of('ATUid_s1').step_count, step_count)

    def test_end_notification_can_be_processed_again(self):
        """Africa's Talking's end-of-session notification reads no input: reprocessing it closes the session."""
        self.at('')
        response = self.post_raw(urlencode({
            'date': '2026-12-03 01:00:00', 'sessionId': 'ATUid_s1', 'serviceCode': AT_EXAMPLE_SERVICE_CODE,
            'networkCode': '63902', 'phoneNumber': CALLER, 'status': 'Incomplete', 'cost': 'KES 0.0000',
            'durationInMillis': '30000', 'hopsCount': '1', 'input': '', 'lastAppResponse': 'CON Welcome',
        }))
        self.assertEqual(response.text, 'OK')
        callback = self.callbacks_of('ATUid_s1').filtered(lambda c: 'status=Incomplete' in c.body)
        session = self.session_of('ATUid_s1')
        session.sudo().write({'state': 'active', 'outcome': False, 'ended_at': False})
        callback.sudo().write({'state': 'failed'})
        self.assertTrue(self._reprocess_button_shown(callback))
        self.assertEqual(callback.action_reprocess()['params']['type'], 'success')
        self.assertEqual((callback.state, session.state, session.outcome), ('processed', 'ended', 'incomplete'))
        self.assertFalse(self._reprocess_button_shown(callback), "processed: nothing left to do")
