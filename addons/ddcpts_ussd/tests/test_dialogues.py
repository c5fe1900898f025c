from odoo.tests import tagged

from .common import AT_EXAMPLE_PHONE, AT_EXAMPLE_SESSION, AT_FIRST_REQUEST, CALLER, UssdCase

ROOT = "Welcome to Umoja Traders\n1. My account\n2. My phone number\n3. Last payment\n4. My PIN"


@tagged('post_install', '-at_install')
class TestDialogues(UssdCase):

    def test_first_request_of_the_documented_example(self):
        response = self.post_raw(AT_FIRST_REQUEST)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.text, f"CON {ROOT}")
        session = self.session_of(AT_EXAMPLE_SESSION)
        self.assertEqual((session.phone, session.network_code, session.state), (AT_EXAMPLE_PHONE, '99999', 'active'))
        self.assertFalse(session.partner_id, "nobody has this number")
        self.assertEqual(self.callbacks_of(AT_EXAMPLE_SESSION).state, 'processed')

    def test_deep_navigation_to_an_end_screen(self):
        screens = self.dial(['2'])
        self.assertEqual(screens[1], f"END Your number is {CALLER}.")
        session = self.session_of('ATUid_s1')
        self.assertEqual((session.state, session.outcome, session.step_count, session.inputs),
                         ('ended', 'success', 2, '2'))
        self.assertEqual(session.partner_id, self.caller, "found by the mobile typed in a local format")

    def test_invalid_option_is_asked_again(self):
        self.assertEqual(self.at('7'), f"CON Invalid choice.\n{ROOT}")
        self.assertEqual(self.at('7*abc'), f"CON Invalid choice.\n{ROOT}")
        self.assertEqual(self.at('7*abc*2'), f"END Your number is {CALLER}.")

    def test_back_and_home(self):
        self.assertEqual(self.at('4'), "CON Enter a new PIN of 4 digits\n0. Back")
        self.assertEqual(self.at('4*0'), f"CON {ROOT}", "0 goes back")
        self.assertEqual(self.at('4*0*4*00'), f"CON {ROOT}", "00 goes home")
        self.assertEqual(self.at('4*0*4*00*0'), f"CON Invalid choice.\n{ROOT}", "no back from the first screen")

    def test_last_payment_of_a_known_and_an_unknown_caller(self):
        self.assertEqual(self.dial(['3'])[1], "END No payment from you yet.")
        self.assertEqual(self.dial(['3'], session='ATUid_s2', phone='+254799000111')[1],
                         "END This number is not registered with Umoja Traders.")

    def test_mtn_json_format(self):
        first = self.mtn('')
        self.assertEqual(first, {'sessionId': 'MTN-1', 'msisdn': CALLER.removeprefix('+'), 'serviceCode': '*384*11469#',
                                 'ussdString': ROOT, 'continueSession': True})
        last = self.mtn('2')
        self.assertEqual((last['ussdString'], last['continueSession']), (f"Your number is {CALLER}.", False))
        session = self.session_of('MTN-1')
        self.assertEqual((session.gateway_format, session.state), ('mtn_json', 'ended'))

    def test_end_of_session_notification_closes_the_session(self):
        self.at('')
        response = self.post_raw(
            'date=2026-12-02+10%3A00%3A00&sessionId=ATUid_s1&serviceCode=%2A384%2A11469%23&networkCode=63902'
            '&phoneNumber=%2B254700100299&status=Incomplete&cost=KES+0.00&durationInMillis=31000&hopsCount=1'
            '&input=&lastAppResponse=CON+Welcome&errorMessage=')
        self.assertEqual((response.status_code, response.text), (200, 'OK'))
        session = self.session_of('ATUid_s1')
        self.assertEqual((session.state, session.outcome, session.duration_ms, session.gateway_status),
                         ('ended', 'incomplete', 31000, 'Incomplete'))
        self.assertEqual(self.at('2'), "END This session has ended. Please dial again.")

    def test_timeout_cron_closes_silent_sessions(self):
        self.at('')
        session = self.session_of('ATUid_s1')
        self.env.cr.execute("UPDATE ddcpts_ussd_session SET last_request_at = now() - interval '1 hour' WHERE id = %s",
                            [session.id])
        session.invalidate_recordset()
        self.env['ddcpts.ussd.session']._cron_ddcpts_close_stale()
        self.assertEqual((session.state, session.outcome), ('ended', 'timeout'))

    def test_ended_sessions_are_kept_for_the_configured_days(self):
        self.env['ir.config_parameter'].sudo().set_param('ddcpts_ussd.session_retention_days', '30')
        for ref in ('ATUid_old', 'ATUid_recent', 'ATUid_open'):
            self.at('', session=ref)
        self.at('2', session='ATUid_old')
        self.at('2', session='ATUid_recent')
        old, recent, still_open = (self.session_of(ref) for ref in ('ATUid_old', 'ATUid_recent', 'ATUid_open'))
        self.assertEqual(old.company_id, self.service.company_id, "the service's company, set at the first step")
        self.env.cr.execute("UPDATE ddcpts_ussd_session SET ended_at = now() - interval '31 days', "
                            "started_at = now() - interval '31 days' WHERE id IN %s", [(old.id, still_open.id)])
        self.env['ddcpts.ussd.session'].invalidate_model()
        self.env['ddcpts.ussd.session']._gc_ended_sessions()
        self.assertEqual((old.exists(), recent.exists(), still_open.exists()),
                         (self.env['ddcpts.ussd.session'], recent, still_open),
                         "only ended sessions past the retention go; an active one waits for the timeout cron")
