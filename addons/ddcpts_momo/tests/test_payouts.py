from odoo.exceptions import ValidationError
from odoo.tests import new_test_user, tagged

from odoo.addons.ddcpts_momo import const
from odoo.addons.ddcpts_momo.tests.common import NOT_FOUND, ONGOING, PAYER, REJECTED, MomoHttpCommon


@tagged('post_install', '-at_install')
class TestDisbursementPayouts(MomoHttpCommon):
    """MoMo disbursement as the ddcpts.payout adapter: the idempotency key is the X-Reference-Id."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.approver = new_test_user(cls.env, 'momo_approver', ddcpts_payout_limit=250000,
                                     groups='base.group_user,ddcpts_base.group_ddcpts_payout_approver')
        cls.vendor = cls.env['res.partner'].create({'name': "Kofi Asante", 'mobile': PAYER})

    def _approved_payout(self, amount=50, phone=None):
        payout = self.env['ddcpts.payout'].create({
            'partner_id': self.vendor.id, 'amount': amount, 'channel': 'momo', 'journal_id': self.journal.id,
            'purpose': "Supplier payment", **({'recipient_phone': phone} if phone else {}),
        })
        payout.action_submit()
        payout.with_user(self.approver).action_approve()
        return payout

    def _send(self, payout):
        self.env['ddcpts.payout']._cron_send_approved()
        self.env.invalidate_all()
        return payout

    def test_payout_is_sent_and_done_on_its_status(self):
        payout = self._send(self._approved_payout(50))
        self.assertEqual((payout.momo_provider_id, payout.state), (self.provider, 'sent'))
        [request] = self.sent_requests(const.TRANSFER_PATH)
        self.assertEqual(request['headers']['X-Reference-Id'], payout.idempotency_key)
        self.assertEqual(request['headers']['Ocp-Apim-Subscription-Key'], 'test-disbursement-key')
        self.assertEqual({key: request['json'][key] for key in ('amount', 'currency', 'externalId', 'payee')},
                         {'amount': '50.00', 'currency': 'EUR', 'externalId': payout.name,
                          'payee': {'partyIdType': 'MSISDN', 'partyId': PAYER}})
        payout._ddcpts_check_provider_status()
        self.assertEqual(payout.state, 'done')
        self.assertTrue(payout.momo_financial_transaction_id)
        self.assertEqual(payout.provider_reference, payout.momo_financial_transaction_id)
        self.assertTrue(payout.payment_id)

    def test_failed_transfers_fail_with_the_reason(self):
        poor, rejected = self._approved_payout(phone=NOT_FOUND), self._approved_payout(phone=REJECTED)
        self.env['ddcpts.payout']._cron_send_approved()
        for payout, message in ((poor, "balance was not enough"), (rejected, "declined")):
            payout._ddcpts_check_provider_status()
            self.assertEqual(payout.state, 'failed')
            self.assertIn(message, payout.provider_message)

    def test_ongoing_transfer_stays_sent(self):
        payout = self._send(self._approved_payout(phone=ONGOING))
        payout._ddcpts_check_provider_status()
        self.assertEqual(payout.state, 'sent')

    def test_transfer_callback_is_a_hint(self):
        payout = self._send(self._approved_payout())
        response = self.send_callback(payout.idempotency_key, {'status': 'FAILED', 'reason': 'NOT_ENOUGH_FUNDS'},
                                      product='disbursement')
        self.assertEqual(response.status_code, 200)
        self.env.invalidate_all()
        self.assertEqual(payout.state, 'done', "settled from the transfer status, not from the callback's claim")

    def test_a_repeat_is_never_paid_twice(self):
        payout = self._send(self._approved_payout())
        self.env.cr.execute("UPDATE ddcpts_payout SET state = 'approved' WHERE id = %s", [payout.id])
        self.env.invalidate_all()
        self._send(payout)  # e.g. a crash lost the first answer
        self.assertEqual([r['status'] for r in self.sent_requests(const.TRANSFER_PATH)], [202, 409])
        self.assertEqual(payout.state, 'sent')
        self.assertEqual(len(self.sandbox('GET', 'state')['momo']['payments']), 1)

    def test_forbidden_server_address_is_explained(self):
        self.sandbox_rule(method='POST', path=const.TRANSFER_PATH, status=403,
                          body={'code': 'NOT_ALLOWED', 'message': 'Authorization failed.'})
        payout = self._send(self._approved_payout())
        self.assertEqual(payout.state, 'approved')
        self.assertIn("allowlist this server's public IP address", payout.last_error)

    def test_payout_in_another_currency_is_refused(self):
        ghs = self.env.ref('base.GHS')
        ghs.active = True
        journal = self.env['account.journal'].create({'name': "GHS", 'code': 'TGHS', 'type': 'bank',
                                                      'currency_id': ghs.id})
        with self.assertRaisesRegex(ValidationError, "takes EUR only"):
            self.env['ddcpts.payout'].create({'partner_id': self.vendor.id, 'amount': 10, 'channel': 'momo',
                                              'journal_id': journal.id})

    def test_balance_is_shown_on_the_provider(self):
        self.provider.action_momo_check_balance()
        self.assertEqual(self.provider.momo_balance, 100000.0)
        self.assertTrue(self.provider.momo_balance_checked_at)
