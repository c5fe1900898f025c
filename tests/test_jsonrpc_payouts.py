"""An external system drives the payout flow of ddcpts_base over JSON-RPC with API keys."""
from jsonrpc_client import JsonRpcClient, JsonRpcError

from odoo import Command
from odoo.tests import new_test_user, tagged
from odoo.tests.common import HttpCase

from odoo.addons.ddcpts_base.tools import chatter


@tagged('post_install', '-at_install')
class TestJsonRpcPayouts(HttpCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        billing = 'base.group_user,account.group_account_invoice,ddcpts_base.group_ddcpts_user'
        cls.requester = new_test_user(cls.env, 'erp_bot', groups=billing)
        cls.approver = new_test_user(cls.env, 'cfo', groups=billing + ',ddcpts_base.group_ddcpts_payout_approver',
                                     ddcpts_payout_limit=100000)
        # sudo: a persistent key, as an administrator would issue for a system account
        cls.requester_key = cls.env['res.users.apikeys'].with_user(cls.requester).sudo()._generate(None, 'ERP', None)
        cls.approver_key = cls.env['res.users.apikeys'].with_user(cls.approver).sudo()._generate(None, 'App', None)
        cls.partner = cls.env['res.partner'].create({'name': "Njeri", 'mobile': '0722 111 222'})
        cls.journal = cls.env['account.journal'].search(
            [('type', '=', 'bank'), ('company_id', '=', cls.env.company.id)], limit=1)

    def client(self, login, key):
        return JsonRpcClient(self.base_url(), self.env.cr.dbname, login, key)

    def test_request_and_approve_a_payout_over_json_rpc(self):
        erp = self.client('erp_bot', self.requester_key)
        payout_id = erp.execute('ddcpts.payout', 'create', {
            'partner_id': self.partner.id, 'amount': 2500, 'journal_id': self.journal.id, 'purpose': "Refund",
        })
        erp.execute('ddcpts.payout', 'action_submit', [payout_id])
        with self.assertRaisesRegex(JsonRpcError, "not allowed to approve"):
            erp.execute('ddcpts.payout', 'action_approve', [payout_id])

        cfo = self.client('cfo', self.approver_key)
        cfo.execute('ddcpts.payout', 'action_approve', [payout_id])
        [payout] = cfo.execute('ddcpts.payout', 'read', [payout_id],
                               fields=['state', 'recipient_phone', 'approved_by_id'])
        self.assertEqual(payout['state'], 'approved')
        self.assertEqual(payout['recipient_phone'], '254722111222')
        self.assertEqual(payout['approved_by_id'][0], self.approver.id)

    def test_bad_credentials_and_bad_input_get_clear_errors(self):
        with self.assertRaisesRegex(JsonRpcError, "Authentication of erp_bot refused"):
            self.client('erp_bot', 'not-the-key').authenticate()
        erp = self.client('erp_bot', self.requester_key)
        with self.assertRaisesRegex(JsonRpcError, "not a mobile number of KE"):
            erp.execute('ddcpts.payout', 'create', {
                'partner_id': self.partner.id, 'amount': 10, 'journal_id': self.journal.id,
                'recipient_phone': '020 123 4567',
            })
        with self.assertRaisesRegex(JsonRpcError, "through the buttons"):
            payout_id = erp.execute('ddcpts.payout', 'create', {
                'partner_id': self.partner.id, 'amount': 10, 'journal_id': self.journal.id})
            erp.execute('ddcpts.payout', 'write', [payout_id], {'state': 'done'})

    def test_an_approver_never_approves_what_they_requested_or_changed(self):
        cfo = self.client('cfo', self.approver_key)
        own_id = cfo.execute('ddcpts.payout', 'create', {
            'partner_id': self.partner.id, 'amount': 700, 'journal_id': self.journal.id})
        cfo.execute('ddcpts.payout', 'action_submit', [own_id])
        with self.assertRaisesRegex(JsonRpcError, "another person must approve"):
            cfo.execute('ddcpts.payout', 'action_approve', [own_id])
        with self.assertRaisesRegex(JsonRpcError, "through the buttons"):
            cfo.execute('ddcpts.payout', 'write', [own_id], {'requested_by_id': self.requester.id})

        erp = self.client('erp_bot', self.requester_key)
        payout_id = erp.execute('ddcpts.payout', 'create', {
            'partner_id': self.partner.id, 'amount': 900, 'journal_id': self.journal.id})
        erp.execute('ddcpts.payout', 'action_submit', [payout_id])
        cfo.execute('ddcpts.payout', 'action_reset_to_draft', [payout_id])
        cfo.execute('ddcpts.payout', 'write', [payout_id], {'recipient_phone': '0799 000 111'})
        erp.execute('ddcpts.payout', 'action_submit', [payout_id])
        with self.assertRaisesRegex(JsonRpcError, "another person must approve"):
            cfo.execute('ddcpts.payout', 'action_approve', [payout_id])
        [payout] = erp.execute('ddcpts.payout', 'read', [payout_id], fields=['state'])
        self.assertEqual(payout['state'], 'to_approve')

    def test_an_integration_user_without_an_email_address_submits_a_payout(self):
        """The user docs/api.md describes has no e-mail address: its chatter posts and the approvers'
        activities go out from the company's address, the user stays their author."""
        bot = self.env['res.users'].create({
            'name': "Warehouse bot", 'login': 'warehouse_bot',
            'groups_id': [Command.link(self.env.ref(xmlid).id) for xmlid in (
                'base.group_user', 'account.group_account_invoice', 'ddcpts_base.group_ddcpts_user')],
        })
        self.assertFalse(bot.email)
        key = self.env['res.users.apikeys'].with_user(bot).sudo()._generate(None, 'Warehouse', None)
        warehouse = self.client('warehouse_bot', key)
        payout_id = warehouse.execute('ddcpts.payout', 'create', {
            'partner_id': self.partner.id, 'amount': 1200, 'journal_id': self.journal.id, 'purpose': "Refund",
        })
        warehouse.execute('ddcpts.payout', 'action_submit', [payout_id])
        payout = self.env['ddcpts.payout'].browse(payout_id)
        self.assertEqual(payout.state, 'to_approve')
        self.assertIn(self.approver, payout.activity_ids.user_id, "the approvers were asked")
        notifications = self.env['mail.message'].search([('model', '=', 'ddcpts.payout'), ('res_id', '=', payout_id),
                                                         ('author_id', '=', bot.partner_id.id)])
        fallback = chatter.sender(self.env(user=bot))['email_from']
        self.assertTrue(fallback)
        self.assertTrue(notifications.filtered('email_from'))
        self.assertEqual(set(notifications.filtered('email_from').mapped('email_from')), {fallback})
