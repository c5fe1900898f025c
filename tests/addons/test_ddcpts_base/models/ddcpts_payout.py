from odoo import _, fields, models
from odoo.exceptions import UserError

from odoo.addons.ddcpts_base.exceptions import CallbackInputError
from odoo.addons.ddcpts_base.tools import schema
from odoo.addons.test_ddcpts_base.models.test_ddcpts_provider import CALLBACK_PREFIX

PAYOUT_RESULT = schema.Object({
    'key': schema.String(max_length=64),
    'result': schema.String(choices=('success', 'failure')),
    'receipt': schema.String(max_length=32, pattern=r'[A-Z0-9]+'),
})


class DdcptsPayout(models.Model):
    """A payout adapter for the fake provider: accepted at once, result delivered by callback later."""
    _inherit = 'ddcpts.payout'

    channel = fields.Selection(selection_add=[('test', "Test provider")], ondelete={'test': 'cascade'})
    test_provider_id = fields.Many2one('test.ddcpts.provider')

    def _ddcpts_send_to_provider(self):
        if self.channel != 'test':
            return super()._ddcpts_send_to_provider()
        provider = self.test_provider_id
        response = provider._call_api('POST', 'callback', json={
            'callback_url': provider._ddcpts_callback_url(CALLBACK_PREFIX, 'payout'),
            'payload': {
                'key': self.idempotency_key,
                'result': 'success' if self.amount < 1000 else 'failure',
                'receipt': f'R{self.id:08d}',
            },
        })
        if not response.ok:
            raise UserError(_("The test provider answered HTTP %s.", response.status_code))
        self._ddcpts_set_sent(message=_("Accepted by the test provider."))

    def _process_test_payout_result(self, callback):
        payload = callback._ddcpts_payload(PAYOUT_RESULT)
        payout = self.search([('idempotency_key', '=', payload['key'])])
        if not payout:
            raise CallbackInputError(_("Unknown payout."), status=404)
        callback._ddcpts_link(payout, reference=payload['receipt'])
        if payload['result'] == 'success':
            payout._ddcpts_set_done(provider_reference=payload['receipt'])
        else:
            payout._ddcpts_set_failed(_("The test provider refused the payout."))
        return {'payout': payout.name}
