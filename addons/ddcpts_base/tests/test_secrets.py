from unittest.mock import patch

from cryptography.fernet import Fernet

from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged
from odoo.tools import config

from odoo.addons.ddcpts_base.models.ddcpts_secret_mixin import SECRET_MASK
from odoo.addons.ddcpts_base.tests.common import DdcptsCase
from odoo.addons.ddcpts_base.tools import crypto

CLEAR = 'sk_live_7f3c9a1e-very-secret'


def with_keys(*keys):
    return patch.dict(config.options, {crypto.CONFIG_OPTION: ','.join(keys)})


@tagged('post_install', '-at_install')
class TestSecrets(DdcptsCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.endpoint = cls.env['ddcpts.webhook.endpoint'].create({
            'name': "ERP", 'url': 'https://erp.example.com/hook',
            'event_ids': [(4, cls.env.ref('ddcpts_base.webhook_event_ping').id)],
            'secret': CLEAR,
        })

    def _ciphertexts(self):
        self.env.flush_all()
        self.env.cr.execute("SELECT ciphertext FROM ddcpts_secret WHERE res_model = %s AND res_id = %s",
                            [self.endpoint._name, self.endpoint.id])
        return [row[0] for row in self.env.cr.fetchall()]

    def test_database_never_holds_the_clear_value(self):
        self.env.flush_all()
        self.env.cr.execute("SELECT column_name FROM information_schema.columns WHERE table_name = %s",
                            [self.endpoint._table])
        self.assertNotIn('secret', [row[0] for row in self.env.cr.fetchall()], "no column holds the secret")
        ciphertexts = self._ciphertexts()
        self.assertEqual(len(ciphertexts), 1)
        self.assertNotIn(CLEAR, ciphertexts[0])
        self.env.cr.execute("SELECT count(*) FROM ddcpts_secret WHERE ciphertext LIKE %s", [f'%{CLEAR}%'])
        self.assertEqual(self.env.cr.fetchone()[0], 0)
        self.assertEqual(crypto.decrypt(ciphertexts[0]), CLEAR)

    def test_views_get_a_mask_and_code_gets_the_value(self):
        self.assertEqual(self.endpoint.read(['secret'])[0]['secret'], SECRET_MASK)
        self.assertEqual(self.endpoint._ddcpts_secret('secret'), CLEAR)
        self.endpoint.write({'secret': SECRET_MASK, 'name': "ERP 2"})
        self.assertEqual(self.endpoint._ddcpts_secret('secret'), CLEAR, "saving the form unchanged keeps the secret")
        self.endpoint.secret = 'new-value'
        self.assertEqual(self.endpoint._ddcpts_secret('secret'), 'new-value')
        self.endpoint.secret = False
        self.assertFalse(self.endpoint._ddcpts_secret('secret'))
        self.assertFalse(self.endpoint.read(['secret'])[0]['secret'])
        self.assertFalse(self._ciphertexts(), "erasing a secret deletes its ciphertext")

    def test_only_system_administrators_see_secrets(self):
        manager = new_test_user(self.env, 'ddcpts_manager', groups='base.group_user,ddcpts_base.group_ddcpts_manager')
        endpoint = self.endpoint.with_user(manager)
        self.assertEqual(endpoint.read(['name'])[0]['name'], "ERP")
        with self.assertRaises(AccessError):
            endpoint.read(['secret'])
        with self.assertRaises(AccessError):
            self.env['ddcpts.secret'].with_user(manager).search([])

    def test_no_rpc_method_gives_a_secret_to_other_users(self):
        """What a non-system user reaches over JSON-RPC: every read path, and domains to guess the value."""
        manager = new_test_user(self.env, 'ddcpts_rpc_manager',
                                groups='base.group_user,base.group_allow_export,ddcpts_base.group_ddcpts_manager')
        endpoints = self.env['ddcpts.webhook.endpoint'].with_user(manager)
        self.assertNotIn('secret', endpoints.search_read([('id', '=', self.endpoint.id)])[0])
        self.assertNotIn('secret', endpoints.browse(self.endpoint.id).read()[0])
        self.assertNotIn('secret', endpoints.fields_get())
        for name, call in (
            ('search_read', lambda: endpoints.search_read([], ['secret'])),
            ('web_search_read', lambda: endpoints.web_search_read([], {'secret': {}})),
            ('export_data', lambda: endpoints.browse(self.endpoint.id).export_data(['secret'])),
            ('search =', lambda: endpoints.search([('secret', '=', CLEAR)])),
            ('search like', lambda: endpoints.search([('secret', 'like', 'sk_live')])),
            ('write', lambda: endpoints.browse(self.endpoint.id).write({'secret': 'changed'})),
        ):
            with self.subTest(call=name), self.assertRaises(AccessError):
                call()
        with self.assertRaises(ValueError):  # not stored: no grouping either
            endpoints.read_group([], ['name'], ['secret'])
        self.assertEqual(self.endpoint._ddcpts_secret('secret'), CLEAR)
        # a system administrator gets the mask, never the clear value, through the same methods
        self.assertEqual(self.endpoint.search_read([('id', '=', self.endpoint.id)], ['secret'])[0]['secret'],
                         SECRET_MASK)
        self.assertNotIn(CLEAR, str(self.endpoint.export_data(['secret'])))
        with self.assertRaisesRegex(AccessError, "cannot be used to search"):
            self.env['ddcpts.webhook.endpoint'].search([('secret', '=', CLEAR)])

    def test_saving_a_secret_without_a_key_is_a_clear_error(self):
        with patch.dict(config.options, {crypto.CONFIG_OPTION: ''}), \
                patch.dict('os.environ', {crypto.ENVIRONMENT_VARIABLE: ''}), \
                self.assertRaisesRegex(UserError, "No encryption key is configured"):
            self.endpoint.secret = 'another'
        with with_keys('not-a-fernet-key'), self.assertRaisesRegex(UserError, "not a valid Fernet key"):
            self.endpoint.secret = 'another'
        self.assertEqual(self.endpoint._ddcpts_secret('secret'), CLEAR, "the failed writes changed nothing")

    def test_a_wrong_key_is_a_clear_error(self):
        with with_keys(Fernet.generate_key().decode()), self.assertRaisesRegex(UserError, "cannot be decrypted"):
            self.endpoint._ddcpts_secret('secret')

    def test_key_rotation_re_encrypts_every_secret(self):
        old_key = crypto.configured_keys()[0]
        new_key = Fernet.generate_key().decode()
        before = self._ciphertexts()[0]
        self.endpoint._ddcpts_bearer_token(lambda: ('token-before-rotation', 3600))
        with with_keys(new_key, old_key):
            settings = self.env['res.config.settings'].create({})
            settings.action_ddcpts_rotate_encryption_key()
            after = self._ciphertexts()[0]
            self.assertNotEqual(before, after)
        with with_keys(new_key):
            self.assertEqual(self.endpoint._ddcpts_secret('secret'), CLEAR, "the new key alone decrypts")
            self.assertEqual(self.endpoint._ddcpts_bearer_token(lambda: ('token-after-rotation', 3600)),
                             'token-after-rotation', "cached tokens were dropped, not left undecryptable")
        with with_keys(old_key), self.assertRaisesRegex(UserError, "cannot be decrypted"):
            self.endpoint._ddcpts_secret('secret')

    def test_deleting_the_record_deletes_its_secrets(self):
        self.endpoint.unlink()
        self.assertFalse(self._ciphertexts())
