"""An external system reads SACCO members over JSON-RPC with API keys: rights and companies apply."""
from jsonrpc_client import JsonRpcClient, JsonRpcError

from odoo.tests import tagged
from odoo.tests.common import HttpCase

from odoo.addons.ddcpts_sacco.tests.common import SaccoPeopleMixin


@tagged('post_install', '-at_install')
class TestJsonRpcSacco(SaccoPeopleMixin, HttpCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.sacco_people()

    def test_json_rpc_with_api_keys(self):
        officer_key = self.env['res.users.apikeys'].with_user(self.officer).sudo()._generate(None, 'ERP', None)
        auditor_key = self.env['res.users.apikeys'].with_user(self.auditor).sudo()._generate(None, 'BI', None)
        other_key = self.env['res.users.apikeys'].with_user(self.other_officer).sudo()._generate(None, 'GH', None)
        db = self.env.cr.dbname

        officer = JsonRpcClient(self.base_url(), db, 'sacco_officer', officer_key)
        members = officer.execute('ddcpts.sacco.member', 'search_read', [], fields=['number', 'company_id'])
        self.assertEqual({m['number'] for m in members}, {self.amina.number, self.brian.number},
                         "the officer's company only")
        new_id = officer.execute('ddcpts.sacco.member', 'create', {
            'name': "Daudi Mwangi", 'national_id': '27001004', 'kra_pin': 'A012345678Z', 'phone': '0711 000 004'})
        self.assertTrue(new_id)
        with self.assertRaisesRegex(JsonRpcError, "not a valid KRA PIN"):
            officer.execute('ddcpts.sacco.member', 'create', {
                'name': "Bad Pin", 'national_id': '27001005', 'kra_pin': 'P0000', 'phone': '0711 000 005'})

        auditor = JsonRpcClient(self.base_url(), db, 'sacco_auditor', auditor_key)
        [brian] = auditor.execute('ddcpts.sacco.member', 'read', [self.brian.id], fields=['name', 'state'])
        self.assertEqual(brian['state'], 'active')
        with self.assertRaisesRegex(JsonRpcError, "not allowed to modify"):
            auditor.execute('ddcpts.sacco.member', 'write', [self.brian.id], {'name': "Changed"})

        other = JsonRpcClient(self.base_url(), db, 'other_officer', other_key)
        self.assertEqual(other.execute('ddcpts.sacco.member', 'search_read', [], fields=['name']),
                         [{'id': self.kofi.id, 'name': "Kofi Mensah"}])
        with self.assertRaisesRegex(JsonRpcError, "Uh-oh! Looks like you have stumbled upon some top-secret records"):
            other.execute('ddcpts.sacco.member', 'read', [self.amina.id], fields=['name'])

    def test_api_for_external_systems(self):
        key = self.env['res.users.apikeys'].with_user(self.auditor).sudo()._generate(None, 'BI', None)
        api = JsonRpcClient(self.base_url(), self.env.cr.dbname, 'sacco_auditor', key)
        Member = 'ddcpts.sacco.member'
        for query in (self.amina.number, '0711000001', '+254 711 000 001', '27001001', 'amina'):
            self.assertEqual([m['number'] for m in api.execute(Member, 'sacco_lookup', query)], [self.amina.number],
                             query)
        self.assertEqual(api.execute(Member, 'sacco_lookup', 'Kofi'), [], "other companies stay out")
        with self.assertRaisesRegex(JsonRpcError, "Give a membership number"):
            api.execute(Member, 'sacco_lookup', '')

        balances = api.execute(Member, 'sacco_balances', self.brian.number)
        self.assertEqual(balances['currency'], 'KES')
        self.assertEqual({a['product']: a['balance'] for a in balances['accounts']}, {'SHR': 0, 'DEP': 9900, 'SAV': 0})
        with self.assertRaisesRegex(JsonRpcError, "There is no member M99999"):
            api.execute(Member, 'sacco_balances', 'M99999')
        with self.assertRaisesRegex(JsonRpcError, "There is no member"):
            api.execute(Member, 'sacco_balances', self.kofi.number)

        account = f'{self.brian.number}-DEP'
        statement = api.execute(Member, 'sacco_statement', account, '2000-01-01', None, 0, 10)
        self.assertEqual((statement['opening'], statement['closing'], statement['count']), (0, 9900, 1))
        self.assertEqual([line['balance'] for line in statement['lines']], [9900])
        self.assertEqual(api.execute(Member, 'sacco_statement', account, None, None, 1, 10)['lines'], [])
        with self.assertRaisesRegex(JsonRpcError, "limit of 1 to 1000"):
            api.execute(Member, 'sacco_statement', account, None, None, 0, 5000)
        with self.assertRaisesRegex(JsonRpcError, "YYYY-MM-DD"):
            api.execute(Member, 'sacco_statement', account, '31/12/2025')

        summary = api.execute(Member, 'sacco_financial_summary')
        self.assertEqual(summary['members']['active'], 2)
        self.assertEqual((summary['deposits'], summary['shares'], summary['savings']), (14100, 0, 0))
        self.assertEqual(summary['collections'], 14100)
