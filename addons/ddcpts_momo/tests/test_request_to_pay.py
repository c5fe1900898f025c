import json
import uuid

from odoo.exceptions import UserError
from odoo.tests import tagged

from odoo.addons.ddcpts_momo.tests.common import (
    DELAYED,
    EXPIRED,
    FAILED,
    NOT_FOUND,
    ONGOING,
    PAYER,
    REJECTED,
    REQUEST_TO_PAY,
    STATUS_FAILED,
    STATUS_SUCCESSFUL,
    MomoHttpCommon,
)
from odoo.addons.ddcpts_momo.tools import schemas


@tagged('post_install', '-at_install')
class TestRequestToPay(MomoHttpCommon):
    """Request to Pay as MTN documents it, settled by status query, for every official test number."""

    def test_request_carries_the_documented_headers_and_body(self):
        invoice = self.create_invoice(120.5)
        tx = self.request_payment(invoice=invoice)
        self.assertEqual(tx.state, 'pending')
        [request] = self.sent_requests()
        headers = request['headers']
        self.assertEqual(headers['X-Reference-Id'], tx.momo_reference_id)
        self.assertEqual(uuid.UUID(tx.momo_reference_id).version, 4)
        self.assertEqual(tx.provider_reference, tx.momo_reference_id)
        self.assertEqual((headers['X-Target-Environment'], headers['Ocp-Apim-Subscription-Key']),
                         ('sandbox', 'test-collection-key'))
        self.assertTrue(headers['Authorization'].startswith('Bearer '))
        self.assertNotIn('X-Callback-Url', headers, "the callback host is not this server's: polling only")
        # the same shape as MTN's example request, with our values
        self.assertEqual(set(request['json']), set(json.loads(REQUEST_TO_PAY)))
        self.assertEqual({key: request['json'][key] for key in ('amount', 'currency', 'externalId', 'payer')},
                         {'amount': '120.50', 'currency': 'EUR', 'externalId': tx.reference,
                          'payer': {'partyIdType': 'MSISDN', 'partyId': PAYER}})
        self.assertIn(invoice.name, request['json']['payeeNote'])
        self.assertTrue(tx.momo_next_poll_at, "the first status query is scheduled")
        logged = self.env['ddcpts.provider.call'].search([('endpoint', '=', 'requesttopay')])
        self.assertNotIn('test-collection-key', str(logged.mapped('request_headers')))

    def test_backoffice_button_asks_the_phone_of_a_posted_invoice(self):
        invoice = self.create_invoice(80)
        self.assertTrue(invoice.momo_requestable)
        action = invoice.action_momo_request_payment()
        wizard = self.env[action['res_model']].with_context(action['context']).create({})
        self.assertEqual((wizard.phone, wizard.amount), (PAYER, 80))
        wizard.amount = 30
        wizard.action_send()
        self.assertRecordValues(invoice.transaction_ids, [{'state': 'pending', 'amount': 30,
                                                           'momo_payer_msisdn': PAYER}])
        ghs = self.env.ref('base.GHS')
        ghs.active = True
        self.assertFalse(self.create_invoice(10, currency=ghs).momo_requestable,
                         "no button for an invoice in another currency than the provider's")

    def test_every_attempt_has_its_own_reference(self):
        first, second = self.request_payment(), self.request_payment()
        self.assertNotEqual(first.momo_reference_id, second.momo_reference_id)
        self.assertEqual([r['headers']['X-Reference-Id'] for r in self.sent_requests()],
                         [first.momo_reference_id, second.momo_reference_id])

    def test_official_test_numbers_settle_by_status_query(self):
        expected = {
            FAILED: ('error', "MTN could not process the payment"),
            REJECTED: ('cancel', "declined the payment"),
            EXPIRED: ('error', "expired before the customer approved"),
            NOT_FOUND: ('error', "has no MTN Mobile Money account"),
            PAYER: ('done', ''),
            ONGOING: ('pending', ''),
        }
        transactions = {number: self.request_payment(phone=number) for number in expected}
        self.poll(*transactions.values())
        for number, (state, message) in expected.items():
            with self.subTest(number=number):
                tx = transactions[number]
                self.assertEqual(tx.state, state)
                self.assertIn(message, tx.state_message or '')
        self.assertTrue(transactions[PAYER].momo_financial_transaction_id)
        self.assertEqual(transactions[REJECTED].momo_reason, 'APPROVAL_REJECTED')
        ongoing = transactions[ONGOING]
        self.assertEqual(ongoing.momo_poll_count, 1)
        self.assertTrue(ongoing.momo_next_poll_at)

    def test_delayed_approval_is_settled_by_a_later_poll(self):
        tx = self.request_payment(phone=DELAYED)
        self.poll(tx)
        self.assertEqual((tx.state, tx.momo_status), ('pending', 'PENDING'))
        self.poll(tx)
        self.assertEqual((tx.state, tx.momo_status), ('done', 'SUCCESSFUL'))

    def test_official_status_payloads_are_read_verbatim(self):
        """MTN's own examples: numbers where strings are expected, and a failure with its reason."""
        success = schemas.REQUEST_TO_PAY_STATUS.validate(json.loads(STATUS_SUCCESSFUL))
        self.assertEqual((success['externalId'], success['financialTransactionId'], success['payer']['partyId'],
                          str(success['amount'])), ('947354', '23503452', '4656473839', '100'))
        tx = self.pending_tx('947354', 100, self.env.ref('base.UGX'))
        tx._momo_apply_status(success)
        self.assertEqual((tx.state, tx.momo_financial_transaction_id), ('done', '23503452'))

        failure = schemas.REQUEST_TO_PAY_STATUS.validate(json.loads(STATUS_FAILED))
        tx = self.pending_tx(failure['externalId'], 500000000, self.env.ref('base.UGX'))
        tx._momo_apply_status(failure)
        self.assertEqual((tx.state, tx.momo_reason), ('error', 'INTERNAL_PROCESSING_ERROR'))
        self.assertIn("MTN could not process the payment", tx.state_message)

    def pending_tx(self, reference, amount, currency):
        tx = self.env['payment.transaction'].create({
            'provider_id': self.provider.id,
            'payment_method_id': self.env.ref('ddcpts_momo.payment_method_mtn_momo').id,
            'reference': reference, 'amount': amount, 'currency_id': currency.id, 'partner_id': self.customer.id,
            'momo_reference_id': str(uuid.uuid4()),
        })
        tx._set_pending()
        return tx

    def test_status_with_numbers_from_the_simulator_is_accepted(self):
        self.sandbox_rule(method='POST', path='/collection/v1_0/requesttopay', result={'numbers': True})
        tx = self.request_payment()
        self.poll(tx)
        self.assertEqual(tx.state, 'done')

    def test_another_amount_reported_goes_to_review(self):
        self.sandbox_rule(method='POST', path='/collection/v1_0/requesttopay', result={'amount': '90.00'})
        tx = self.request_payment(amount=100)
        self.poll(tx)
        self.assertEqual(tx.state, 'error')
        self.assertTrue(tx.ddcpts_needs_review)
        self.assertIn("instead of the EUR 100.00 requested", tx.ddcpts_review_reason)

    def test_other_currency_is_refused_with_a_sentence(self):
        ghs = self.env.ref('base.GHS')
        ghs.active = True
        invoice = self.create_invoice(50, currency=ghs)
        with self.assertRaisesRegex(UserError, "takes EUR only .Sandbox., not GHS"):
            self.request_payment(invoice=invoice)
        self.assertFalse(self.sent_requests())

    def test_resending_a_request_reuses_its_reference_and_charges_once(self):
        """An answer lost on the way back: sending again gets 409 RESOURCE_ALREADY_EXIST, nothing new."""
        tx = self.request_payment()
        tx._momo_request_to_pay(PAYER)
        requests = self.sent_requests()
        self.assertEqual([r['status'] for r in requests], [202, 409])
        self.assertEqual({r['headers']['X-Reference-Id'] for r in requests}, {tx.momo_reference_id})
        self.assertEqual(len(self.sandbox('GET', 'state')['momo']['payments']), 1)
        self.assertEqual(tx.state, 'pending')
        self.poll(tx)
        self.assertEqual(tx.state, 'done')

    def test_refused_request_tells_why_and_books_nothing(self):
        self.sandbox_rule(method='POST', path='/collection/v1_0/requesttopay', status=500,
                          body={'code': 'NOT_ALLOWED_TARGET_ENVIRONMENT', 'message': 'Access to target environment '
                                                                                     'is forbidden.'})
        with self.assertRaisesRegex(UserError, "not allowed in this target environment"):
            self.request_payment()

    def test_expired_token_is_renewed(self):
        self.request_payment()
        self.request_payment()
        tokens = self.sent_requests('/collection/token/')
        self.assertEqual(len(tokens), 1, "the cached token is reused")
        self.sandbox_reset()  # the simulator forgets its tokens: the cached one is now rejected (401)
        tx = self.request_payment()
        self.assertEqual(tx.state, 'pending')
        self.assertEqual([r['status'] for r in self.sent_requests()], [401, 202])
        self.assertEqual(len(self.sent_requests('/collection/token/')), 1, "one new token after the 401")

    def test_short_lived_tokens_are_refreshed_before_expiry(self):
        self.sandbox_rule(path='/collection/token/', result={'expires_in': 30}, times=-1)
        self.request_payment()
        self.request_payment()
        self.assertEqual(len(self.sent_requests('/collection/token/')), 2,
                         "a token expiring within the refresh margin is not reused")

    def test_account_holder_check(self):
        self.provider.momo_check_account_holder = True
        with self.assertRaisesRegex(UserError, "has no active MTN Mobile Money account"):
            self.request_payment(phone=NOT_FOUND)
        self.assertFalse(self.sent_requests())
        self.assertEqual(self.request_payment().state, 'pending')

    def test_numbers_are_normalised_for_the_market(self):
        provider = self.provider
        self.assertEqual(provider._momo_msisdn('46733123450'), '46733123450', "sandbox test numbers as typed")
        provider.momo_api_url_type = 'market'
        provider.momo_target_environment = 'mtnghana'
        self.assertEqual(provider._momo_msisdn('024 412 3456'), '233244123456')
        self.assertEqual(provider._momo_msisdn('+233 55 123 4567'), '233551234567')
        provider.momo_target_environment = 'mtnuganda'
        self.assertEqual(provider._momo_msisdn('0772 123456'), '256772123456')
        with self.assertRaises(UserError):
            provider._momo_msisdn('0414 123456')  # a Kampala landline

