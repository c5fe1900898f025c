import threading
from unittest.mock import patch
from urllib.parse import urlencode

import requests

from odoo.tests import tagged
from odoo.tests.common import HOST, TransactionCase
from odoo.tools import config

from odoo.addons.ddcpts_base.tests.common import committed_env
from odoo.addons.ddcpts_base.tools.locking import lock_rows
from odoo.addons.ddcpts_ussd.models import ddcpts_ussd_pin

SESSIONS = 20
# root, new PIN prompt, back, invalid choice, my number (END)
DIALOGUE = ('', '4', '4*0', '4*0*9', '4*0*9*2')


class CommittedServiceCase(TransactionCase):
    """A USSD service and its callers committed for the real HTTP server, which commits as in
    production; all deleted after the class."""

    SERVICE_CODE = None

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        with committed_env(cls.registry) as env:
            service = env['ddcpts.ussd.service'].create({
                'name': f"Concurrency {cls.SERVICE_CODE}", 'service_code': cls.SERVICE_CODE, 'root_menu': 'demo',
                'ddcpts_public_url': f'http://{HOST}:{config["http_port"]}',
            })
            cls.service_id, cls.url = service.id, service._ddcpts_ussd_callback_url()
            cls.partner_ids = cls._create_callers(env, service).ids
        cls.addClassCleanup(cls._delete_committed_data)
        # Odoo computes its map of static paths lazily at the first request of three path segments or
        # more, unguarded against threads: a cold server must serve one before requests arrive together
        requests.get(f'http://{HOST}:{config["http_port"]}/web/static/img/favicon.ico', timeout=60).raise_for_status()

    @classmethod
    def _create_callers(cls, env, service):
        raise NotImplementedError

    @classmethod
    def _delete_committed_data(cls):
        with committed_env(cls.registry) as env:
            env['ddcpts.callback'].search([('provider_model', '=', 'ddcpts.ussd.service'),
                                           ('provider_res_id', '=', cls.service_id)]).unlink()
            env['ddcpts.ussd.service'].browse(cls.service_id).unlink()  # sessions cascade
            env['res.partner'].browse(cls.partner_ids).unlink()  # and their PINs

    def _post_step(self, session, phone, text):
        response = requests.post(self.url, data=urlencode({
            'sessionId': session, 'serviceCode': self.SERVICE_CODE, 'phoneNumber': phone, 'networkCode': '63902',
            'text': text,
        }), headers={'Content-Type': 'application/x-www-form-urlencoded'}, timeout=120)
        return response.status_code, response.text


@tagged('post_install', '-at_install')
class TestConcurrentSessions(CommittedServiceCase):
    """20 callers at once through the real HTTP server."""

    SERVICE_CODE = '*384*909#'

    @classmethod
    def _create_callers(cls, env, service):
        return env['res.partner'].create([
            {'name': f"Caller {index}", 'mobile': cls._phone(index)} for index in range(SESSIONS)])

    @staticmethod
    def _phone(index):
        return f'+2547990{index:05d}'

    def _step(self, index, text):
        return self._post_step(f'ATUid_conc{index:05d}', self._phone(index), text)

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


@tagged('post_install', '-at_install')
class TestConcurrentWrongPins(CommittedServiceCase):
    """One caller types a wrong PIN in two sessions at the same moment (two phones, or a gateway that
    sends a step twice): both tries count, through the real route."""

    SERVICE_CODE = '*384*908#'
    PHONE = '+254799200001'

    @classmethod
    def _create_callers(cls, env, service):
        partner = env['res.partner'].create({'name': "Racing caller", 'mobile': cls.PHONE})
        Pin = env['ddcpts.ussd.pin']
        Pin._ddcpts_store_hash(partner, service.company_id, Pin._ddcpts_hash('4821'))
        cls.pin_id = Pin._ddcpts_for(partner, service.company_id).id
        cls.max_attempts = Pin._ddcpts_max_attempts()
        return partner

    def _step(self, session, text):
        return self._post_step(session, self.PHONE, text)

    def test_two_wrong_pins_at_once_both_count_and_lock_at_the_limit(self):
        with committed_env(self.registry) as env:  # one try short of the lockout
            env['ddcpts.ussd.pin'].browse(self.pin_id).write({'failed_attempts': self.max_attempts - 2})
        sessions = ('ATUid_pinrace1', 'ATUid_pinrace2')
        for session in sessions:
            self.assertEqual(self._step(session, '1'), (200, 'CON Enter your PIN\n0. Back'))

        # both requests have read the PIN row (their snapshots are taken) before either locks it: the one
        # locking second waits for the first, or finds the row changed since, and must be run again
        both_read = threading.Barrier(2, timeout=60)
        lock_calls = []

        def lock_after_both_read(records, **kwargs):
            lock_calls.append(records.ids)
            if len(lock_calls) <= 2:
                both_read.wait()
            return lock_rows(records, **kwargs)

        answers = []
        with patch.object(ddcpts_ussd_pin, 'lock_rows', lock_after_both_read):
            threads = [threading.Thread(target=lambda s=session: answers.append(self._step(s, '1*1111')))
                       for session in sessions]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(300)
        self.assertEqual(len(lock_calls), 3, "the request that lost the race was processed again")
        locked_text = "END Your PIN is locked after too many wrong tries."
        self.assertEqual(sorted(status for status, _text in answers), [200, 200])
        texts = sorted(text for _status, text in answers)
        self.assertEqual(texts[0], 'CON Wrong PIN.\nEnter your PIN\n0. Back')
        self.assertTrue(texts[1].startswith(locked_text), texts[1])
        with committed_env(self.registry) as env:
            pin = env['ddcpts.ussd.pin'].browse(self.pin_id)
            self.assertEqual((pin.failed_attempts, pin.locked), (self.max_attempts, True),
                             "both tries counted: locked exactly at the limit")
            callbacks = env['ddcpts.callback'].search([('provider_model', '=', 'ddcpts.ussd.service'),
                                                       ('provider_res_id', '=', self.service_id)])
            self.assertEqual(callbacks.mapped('state'), ['processed'] * 4)
