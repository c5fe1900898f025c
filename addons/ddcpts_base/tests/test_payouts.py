import threading
from unittest.mock import patch

from psycopg2 import IntegrityError

from odoo import SUPERUSER_ID, Command, api
from odoo.exceptions import UserError, ValidationError
from odoo.tests import new_test_user, tagged
from odoo.tests.common import TransactionCase
from odoo.tools import mute_logger

from odoo.addons.account.tests.common import AccountTestInvoicingCommon
from odoo.addons.ddcpts_base.tests.common import RegistryTestModeMixin, committed_env


class PayoutCommon(RegistryTestModeMixin, AccountTestInvoicingCommon):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.company_data['company']
        cls.company.country_id = cls.env.ref('base.ke')
        cls.bank_journal = cls.company_data['default_journal_bank']
        groups = 'base.group_user,account.group_account_invoice,ddcpts_base.group_ddcpts_user'
        cls.requester = new_test_user(cls.env, 'payout_requester', groups=groups, company_id=cls.company.id)
        approver_groups = groups + ',ddcpts_base.group_ddcpts_payout_approver'
        cls.approver = new_test_user(cls.env, 'payout_approver', groups=approver_groups, company_id=cls.company.id,
                                     ddcpts_payout_limit=5000, ddcpts_payout_daily_limit=8000)
        cls.small_approver = new_test_user(cls.env, 'payout_small', groups=approver_groups,
                                           company_id=cls.company.id, ddcpts_payout_limit=100)
        cls.supplier = cls.env['res.partner'].create({
            'name': "Otieno Hardware", 'mobile': '0712 345 678', 'country_id': cls.env.ref('base.ke').id,
        })
        cls.endpoint = cls.env['ddcpts.webhook.endpoint'].create({
            'name': "Books", 'url': 'https://books.example.com/hook', 'company_id': cls.company.id,
            'event_ids': [Command.set([cls.env.ref('ddcpts_base.webhook_event_payout_done').id,
                                       cls.env.ref('ddcpts_base.webhook_event_payout_failed').id])],
        })

    def new_payout(self, amount=1200.0, origin=None, **values):
        return self.env['ddcpts.payout'].with_user(self.requester).create({
            'partner_id': self.supplier.id, 'amount': amount, 'journal_id': self.bank_journal.id,
            'origin': origin and f'{origin._name},{origin.id}', **values,
        })

    def approve(self, payout, user=None):
        payout.with_user(user or self.approver).action_approve()


@tagged('post_install', '-at_install')
class TestPayouts(PayoutCommon):

    def test_manual_payout_pays_a_vendor_bill(self):
        bill = self.init_invoice('in_invoice', partner=self.supplier, amounts=[1200.0], post=True)
        payout = self.new_payout(amount=bill.amount_total, origin=bill)
        self.assertEqual(payout.recipient_phone, '254712345678', "the partner's number, normalised")
        self.assertTrue(payout.name.startswith('PO/'))

        payout.with_user(self.requester).action_submit()
        self.assertEqual(payout.state, 'to_approve')
        self.assertEqual(payout.activity_ids.user_id, self.approver,
                         "only approvers other than the requester and within their limit are asked")

        with self.assertRaisesRegex(UserError, "not allowed to approve"):
            self.approve(payout, self.requester)
        with self.assertRaisesRegex(UserError, "above your approval limit"):
            self.approve(payout, self.small_approver)
        self.approve(payout)
        self.assertRecordValues(payout, [{'state': 'approved', 'approved_by_id': self.approver.id}])
        self.assertFalse(payout.activity_ids)

        self.env['ddcpts.payout']._cron_send_approved()
        self.assertEqual(payout.state, 'sent')
        with self.assertRaisesRegex(UserError, "Enter the reference"):
            payout.with_user(self.requester).action_confirm_manual_payment()
        payout.with_user(self.requester).provider_reference = 'BANK-TRF-0042'
        payout.with_user(self.requester).action_confirm_manual_payment()

        self.assertEqual(payout.state, 'done')
        # posted and reconciled with the bill; "in process" until matched with the bank statement
        self.assertRecordValues(payout.payment_id, [{
            'state': 'in_process', 'payment_type': 'outbound', 'partner_type': 'supplier',
            'amount': bill.amount_total, 'journal_id': self.bank_journal.id,
        }])
        self.assertEqual(bill.payment_state, bill._get_invoice_in_payment_state())
        self.assertFalse(bill.amount_residual)
        delivery = self.env['ddcpts.webhook.delivery'].search([('endpoint_id', '=', self.endpoint.id)])
        self.assertEqual(delivery.event, 'payout.done')
        self.assertIn('BANK-TRF-0042', delivery.body)

    def test_refund_payout_reconciles_the_credit_note(self):
        refund = self.init_invoice('out_refund', partner=self.supplier, amounts=[300.0], post=True)
        payout = self.new_payout(amount=refund.amount_total, origin=refund)
        payout.with_user(self.requester).action_submit()
        self.approve(payout)
        payout._ddcpts_send()
        payout._ddcpts_set_done(provider_reference='SG632NMUAB')
        self.assertEqual(payout.payment_id.partner_type, 'customer')
        self.assertFalse(refund.amount_residual)
        payout._ddcpts_set_done(provider_reference='SG632NMUAB')
        self.assertEqual(len(self.env['account.payment'].search([('memo', 'like', payout.name)])), 1,
                         "a repeated confirmation books nothing more")

    def test_daily_limit(self):
        first, second = self.new_payout(amount=5000), self.new_payout(amount=4000)
        (first | second).with_user(self.requester).action_submit()
        self.approve(first)
        with self.assertRaisesRegex(UserError, "above your daily limit"):
            self.approve(second)
        self.assertEqual(second.state, 'to_approve')

    def test_requesters_cannot_forge_the_workflow(self):
        with self.assertRaisesRegex(UserError, "starts as a draft"):
            self.new_payout(state='done')
        with self.assertRaisesRegex(UserError, "starts as a draft"):
            self.new_payout(provider_message="Paid", approved_by_id=self.approver.id)
        # what the web client sends on save: the defaults of the workflow fields
        payout = self.new_payout(state='draft', provider_message=False, last_error=False)
        self.assertEqual(payout.state, 'draft')
        with self.assertRaisesRegex(UserError, "through the buttons"):
            payout.with_user(self.requester).write({'state': 'approved'})
        payout.with_user(self.requester).action_submit()
        with self.assertRaisesRegex(UserError, "Only draft payouts can be changed"):
            payout.with_user(self.requester).amount = 9
        with self.assertRaisesRegex(UserError, "set by the provider"):
            payout.with_user(self.requester).provider_reference = 'FAKE'
        own = self.env['ddcpts.payout'].with_user(self.approver).create({
            'partner_id': self.supplier.id, 'amount': 50, 'journal_id': self.bank_journal.id,
        })
        own.action_submit()
        with self.assertRaisesRegex(UserError, "another person must approve"):
            own.action_approve()

    def test_an_approver_who_changed_the_payout_cannot_approve_it(self):
        payout = self.new_payout(amount=1000)
        payout.with_user(self.requester).action_submit()
        # the approver sends it back, redirects the money, and lets the requester submit again
        payout.with_user(self.approver).action_reset_to_draft()
        payout.with_user(self.approver).write({'recipient_phone': '0799 000 111', 'amount': 4000})
        payout.with_user(self.requester).action_submit()
        self.assertEqual(payout.maker_ids, self.requester | self.approver)
        self.assertNotIn(self.approver, payout.activity_ids.user_id, "not asked to approve their own change")
        with self.assertRaisesRegex(UserError, "another person must approve"):
            self.approve(payout)
        self.assertEqual(payout.state, 'to_approve')
        with self.assertRaisesRegex(UserError, "through the buttons"):
            payout.with_user(self.approver).write({'maker_ids': [Command.clear()]})

    def test_bad_input(self):
        with self.assertRaisesRegex(UserError, "not a mobile number of KE"):
            self.new_payout(recipient_phone='020 2123456')
        with self.assertRaises(IntegrityError), mute_logger('odoo.sql_db'):
            self.new_payout(amount=0)
        bill = self.init_invoice('in_invoice', partner=self.partner_a, amounts=[10.0], post=True)
        with self.assertRaisesRegex(ValidationError, "of another partner"):
            self.new_payout(origin=bill)

    def test_failed_payout_is_reported_and_restarts_with_a_new_key(self):
        payout = self.new_payout()
        payout.with_user(self.requester).action_submit()
        self.approve(payout)
        payout._ddcpts_send()
        payout._ddcpts_set_failed("The initiator information is invalid.")
        self.assertRecordValues(payout, [{'state': 'failed',
                                          'provider_message': "The initiator information is invalid."}])
        self.assertFalse(payout.payment_id)
        failed = self.env['ddcpts.webhook.delivery'].search([('endpoint_id', '=', self.endpoint.id)])
        self.assertEqual(failed.event, 'payout.failed')
        key = payout.idempotency_key
        payout.with_user(self.requester).action_reset_to_draft()
        self.assertEqual(payout.state, 'draft')
        self.assertNotEqual(payout.idempotency_key, key)
        with self.assertRaisesRegex(UserError, "cannot become done"):
            payout._ddcpts_set_done()

    def test_an_adapter_crash_does_not_block_the_queue(self):
        broken, fine = self.new_payout(amount=100), self.new_payout(amount=200)
        (broken | fine).with_user(self.requester).action_submit()
        self.approve(broken | fine)
        send = type(self.env['ddcpts.payout'])._ddcpts_send_to_provider

        def crash_on_broken(payout):
            if payout == broken:
                raise KeyError('ConversationID')
            return send(payout)

        with patch.object(type(self.env['ddcpts.payout']), '_ddcpts_send_to_provider', crash_on_broken), \
                mute_logger('odoo.addons.ddcpts_base.models.ddcpts_payout'):
            self.env['ddcpts.payout']._cron_send_approved()
        self.assertRecordValues(broken | fine, [{'state': 'approved'}, {'state': 'sent'}])
        self.assertIn('ConversationID', broken.last_error)

    def test_sent_payouts_cannot_be_cancelled(self):
        payout = self.new_payout()
        payout.with_user(self.requester).action_submit()
        self.approve(payout)
        payout._ddcpts_send()
        with self.assertRaisesRegex(UserError, "cannot be cancelled"):
            payout.with_user(self.requester).action_cancel()
        with self.assertRaisesRegex(UserError, "cannot be deleted"):
            payout.sudo().unlink()
        draft = self.new_payout()
        draft.sudo().unlink()
        self.assertFalse(draft.exists())


@tagged('post_install', '-at_install')
class TestDailyLimitConcurrency(TransactionCase):
    """Two workers approving for the same approver at the same moment cannot both pass the daily limit."""

    def test_concurrent_approvals_respect_the_daily_limit(self):
        with committed_env(self.registry) as env:
            groups = 'base.group_user,ddcpts_base.group_ddcpts_user'
            requester = new_test_user(env, 'race_requester', groups=groups)
            approver = new_test_user(env, 'race_approver', groups=groups + ',ddcpts_base.group_ddcpts_payout_approver',
                                     ddcpts_payout_limit=1000, ddcpts_payout_daily_limit=1000)
            partner = env['res.partner'].create({'name': "Race Recipient", 'mobile': '0712 000 999'})
            journal = env['account.journal'].search(
                [('type', '=', 'bank'), ('company_id', '=', env.company.id)], limit=1)
            payouts = env['ddcpts.payout'].with_user(requester).create([
                {'partner_id': partner.id, 'amount': 600, 'journal_id': journal.id} for _index in range(2)])
            payouts.action_submit()
            ids = payouts.ids
            ids_to_clean = (ids, approver.id, requester.id, partner.id)
        self.addCleanup(self._cleanup, *ids_to_clean)
        first_approved, release = threading.Event(), threading.Event()
        outcomes = {}

        def approve(payout_id, hold):
            try:
                with self.registry.cursor() as cr:
                    env = api.Environment(cr, approver.id, {})
                    env['ddcpts.payout'].browse(payout_id).action_approve()
                    if hold:  # keep the transaction open while the other worker approves
                        first_approved.set()
                        release.wait(10)
                outcomes[payout_id] = 'approved'
            except Exception as error:  # the outcome is what the test checks
                outcomes[payout_id] = type(error).__name__
                first_approved.set()

        first = threading.Thread(target=approve, args=(ids[0], True))
        first.start()
        first_approved.wait(10)
        second = threading.Thread(target=approve, args=(ids[1], False))
        second.start()
        second.join(1)  # it waits on the first worker's approval
        release.set()
        first.join(10)
        second.join(10)
        self.assertEqual(outcomes[ids[0]], 'approved')
        self.assertIn(outcomes[ids[1]], ('SerializationFailure', 'UserError'),
                      "the second approval fails (Odoo retries a serialisation failure: then it sees the first)")
        with self.registry.cursor() as cr:
            payouts = api.Environment(cr, SUPERUSER_ID, {})['ddcpts.payout'].browse(ids)
            self.assertEqual(payouts.mapped('state'), ['approved', 'to_approve'])
            with self.assertRaisesRegex(UserError, "above your daily limit"):  # the retry
                payouts[1].with_user(approver.id).action_approve()
            cr.rollback()

    def _cleanup(self, payout_ids, *user_and_partner_ids):
        approver_id, requester_id, partner_id = user_and_partner_ids
        with committed_env(self.registry) as env:
            payouts = env['ddcpts.payout'].browse(payout_ids)
            payouts.write({'state': 'cancelled'})
            payouts.unlink()
            users = env['res.users'].browse([approver_id, requester_id])
            partners = users.partner_id | env['res.partner'].browse(partner_id)
            users.unlink()
            partners.unlink()
