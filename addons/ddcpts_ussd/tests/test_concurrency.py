import threading
from urllib.parse import urlencode

import requests

from odoo.tests import tagged
from odoo.tests.common import HOST, TransactionCase
from odoo.tools import config

from odoo.addons.ddcpts_base.tests.common import committed_env

SESSIONS = 20
SERVICE_CODE = '*384*909#'
# root, new PIN prompt, back, invalid choice, my number (END)
DIALOGUE = ('', '4', '4*0', '4*0*9', '4*0*9*2')


@tagged('post_install', '-at_install')
class TestConcurrentSessions(TransactionCase):
    """20 callers at once through the real HTTP server, which commits as in production."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        with committed_env(cls.registry) as env:
            service = env['ddcpts.ussd.service'].create({
                'name': "Concurrency service", 'service_code': SERVICE_CODE, 'root_menu': 'demo',
                'ddcpts_public_url': f'http://{HOST}:{config["http_port"]}',
            })
            cls.service_id = service.id
            cls.url = service._ddcpts_ussd_callback_url()
            cls.partner_ids = env['res.partner'].create([
                {'name': f"Caller {index}", 'mobile': cls._phone(index)} for index in range(SESSIONS)]).ids
        cls.addClassCleanup(cls._delete_committed_data)
        # Odoo computes its map of static paths lazily at the first request of three path segments or
        # more, unguarded against threads: a cold server must serve one before 20 requests arrive together
        requests.get(f'http://{HOST}:{config["http_port"]}/web/static/img/favicon.ico', timeout=60).raise_for_status()

    @classmethod
    def _delete_committed_data(cls):
        with committed_env(cls.registry) as env:
            env['ddcpts.callback'].search([('provider_model', '=', 'ddcpts.ussd.service'),
                                           ('provider_res_id', '=', cls.service_id)]).unlink()
            env['ddcpts.ussd.service'].browse(cls.service_id).unlink()  # sessions cascade
            env['res.partner'].browse(cls.partner_ids).unlink()

    @staticmethod
    def _phone(index):
        return f'+2547990{index:05d}'

    def _step(self, index, text):
        response = requests.post(self.url, data=urlencode({
            'sessionId': f'ATUid_conc{index:05d}', 'serviceCode': SERVICE_CODE, 'phoneNumber': self._phone(index),
            'networkCode': '63902', 'text': text,
        }), headers={'Content-Type': 'application/x-www-form-urlencoded'}, timeout=120)
        return response.status_code, response.text

    def test_twenty_sessions_at_once(self):
        barrier = threading.Barrier(SESSIONS)
        answers = {}

        def caller(index):
            barrier.wait()
            answers[index] = [self._step(index, text) for text in DIALOGUE]

        threads = [threading.Thread(target=caller, args=(index,)) for index in range(SESSIONS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(300)
        self.assertEqual(len(answers), SESSIONS)
        for index, steps in answers.items():
            self.assertEqual([status for status, _text in steps], [200] * len(DIALOGUE), index)
            screens = [text for _status, text in steps]
            self.assertTrue(screens[0].startswith('CON Welcome to'), screens[0])
            self.assertEqual(screens[1], 'CON Enter a new PIN of 4 digits\n0. Back')
            self.assertEqual(screens[2], screens[0], "back to the root menu")
            self.assertTrue(screens[3].startswith('CON Invalid choice.\nWelcome to'), screens[3])
            self.assertEqual(screens[4], f'END Your number is {self._phone(index)}.')
        with committed_env(self.registry) as env:
            sessions = env['ddcpts.ussd.session'].search([('service_id', '=', self.service_id)])
            self.assertEqual(len(sessions), SESSIONS, "one session per caller, none lost or doubled")
            self.assertEqual(set(sessions.mapped('state')), {'ended'})
            callbacks = env['ddcpts.callback'].search([('provider_model', '=', 'ddcpts.ussd.service'),
                                                       ('provider_res_id', '=', self.service_id)])
            self.assertEqual(len(callbacks), SESSIONS * len(DIALOGUE))
            self.assertEqual(sorted(sessions.mapped('partner_id').ids), sorted(self.partner_ids))
