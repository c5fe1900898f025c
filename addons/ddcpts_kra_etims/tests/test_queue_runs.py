import time
from datetime import timedelta
from unittest.mock import patch

from odoo import fields
from odoo.tests import tagged

from odoo.addons.ddcpts_kra_etims import const
from odoo.addons.ddcpts_kra_etims.tests.common import COMPANY_PIN, EtimsCase

SALES_PATH = '/etims-api/saveTrnsSalesOsdc'


@tagged('post_install', '-at_install')
class TestEtimsQueueRuns(EtimsCase):
    """A run of the queue numbers documents ahead of KRA's answers while its sender thread sends them
    one at a time, in number order: what happens when one of them goes wrong in the middle."""

    def setUp(self):
        super().setUp()
        self.company.etims_auto_send = False  # posted invoices wait: one run then sends them together

    def queued(self, count):
        invoices = self.env['account.move']
        for index in range(count):
            invoices |= self.create_invoice([(self.juice, index + 1, 116.0, self.tax_16)], post=True)
        self.assertEqual(set(invoices.mapped('etims_state')), {'pending'})
        return invoices

    def pass_through(self, times):
        """The next ``times`` sales reach the simulator as they are (rules match first-created-first)."""
        self.sandbox_rule(path=SALES_PATH, times=times)

    def sent_numbers(self):
        return [sale['invcNo'] for sale in self.sent_sales()]

    def kra_numbers(self):
        return self.sandbox_state()['sales'][f'{COMPANY_PIN}/00']['invcNos']

    def states(self, invoices):
        self.env.invalidate_all()
        return [(invoice.etims_state, invoice.etims_invoice_number) for invoice in invoices]

    def test_one_run_sends_more_than_it_numbers_ahead(self):
        invoices = self.queued(7)
        with patch.object(const, 'SEND_AHEAD', 4), \
                patch.object(type(self.env['account.move']), '_etims_send_queue', autospec=True,
                             side_effect=type(self.env['account.move'])._etims_send_queue) as runs:
            invoices.action_etims_send()
        self.assertEqual(runs.call_count, 1, "one run sent the whole queue")
        self.assertEqual(self.states(invoices), [('signed', number) for number in range(1, 8)])
        self.assertEqual(self.sent_numbers(), list(range(1, 8)), "in order, each once")
        self.assertEqual(self.kra_numbers(), list(range(1, 8)))
        self.assertEqual(len(set(invoices.mapped('etims_signature'))), 7)
        self.assertEqual(self.device.last_invoice_number, 7)
        self.assertEqual([call.related_id for call in self.env['ddcpts.provider.call'].search(
            [('endpoint', '=', 'saveTrnsSalesOsdc')], order='id')], invoices.ids, "each call logged")

    def test_refusal_in_the_middle_gives_the_numbers_back(self):
        """The 3rd of 5 is refused: the sender stops, the 4th and 5th (numbered, never sent) and the
        refused one give their numbers back; the next run sends the 4th and 5th under 3 and 4."""
        invoices = self.queued(5)
        self.pass_through(2)
        self.sandbox_rule(path=SALES_PATH, result={'resultCd': '910', 'resultMsg': "bad custNm"})
        invoices.action_etims_send()
        self.assertEqual(self.states(invoices), [('signed', 1), ('signed', 2), ('error', 0), ('signed', 3),
                                                 ('signed', 4)])
        self.assertIn("910 bad custNm", invoices[2].etims_error)
        self.assertEqual(self.sent_numbers(), [1, 2, 3, 3, 4], "nothing sent after the refusal in its run")
        self.assertEqual(self.kra_numbers(), [1, 2, 3, 4], "no gap")
        self.assertEqual(self.device.last_invoice_number, 4)
        invoices[2].action_etims_send()
        self.assertEqual(self.states(invoices[2]), [('signed', 5)])

    def test_lost_answer_in_the_middle_holds_the_rest_back(self):
        """No answer for the 3rd of 5: it keeps its number for its retry, the 4th and 5th give theirs
        back and wait behind it; KRA had it (994), and the queue goes on after it."""
        self.device.timeout = 1
        invoices = self.queued(5)
        self.pass_through(2)
        self.sandbox_rule(path=SALES_PATH, delay_ms=2000)
        invoices.action_etims_send()
        self.assertEqual(self.states(invoices), [('signed', 1), ('signed', 2), ('sending', 3), ('to_send', 0),
                                                 ('to_send', 0)])
        self.assertIn("did not answer", invoices[2].etims_error)
        self.assertEqual(invoices[2].etims_attempt_count, 1)
        self.assertEqual(self.device.last_invoice_number, 3)
        self.assertEqual(self.sent_numbers(), [1, 2, 3])
        deadline = time.monotonic() + 120  # the simulator stores the slow sale once its delay is over
        while self.kra_numbers() != [1, 2, 3]:
            self.assertLess(time.monotonic(), deadline, "the simulator never stored the slow sale")
            time.sleep(0.25)
        self.device._etims_process_queue()
        self.assertEqual(self.states(invoices)[2:], [('sending', 3), ('to_send', 0), ('to_send', 0)],
                         "the queue waits for the retry time")
        invoices[2].sudo().etims_next_attempt_at = fields.Datetime.now() - timedelta(seconds=1)
        self.device._etims_process_queue()
        self.assertEqual(self.states(invoices), [('signed', 1), ('signed', 2), ('to_confirm', 3), ('signed', 4),
                                                 ('signed', 5)])
        self.assertIn("994", invoices[2].etims_error)
        self.assertEqual(self.sent_numbers(), [1, 2, 3, 3, 4, 5], "resent with the same number")
        self.assertEqual(self.kra_numbers(), [1, 2, 3, 4, 5])

    def test_worker_killed_mid_run(self):
        """A worker died with 2..5 in flight: KRA had 2 and 3 (their answers lost), not 4 and 5. Until
        their due time nobody touches them; then they go again in number order, with their numbers."""
        invoices = self.queued(5)
        invoices[:3].action_etims_send()
        signatures = invoices[1:3].mapped('etims_signature')
        in_flight_until = fields.Datetime.now() + timedelta(minutes=2)
        invoices[1:3].sudo().write({'etims_state': 'sending', 'etims_signature': False,
                                    'etims_receipt_number': False, 'etims_next_attempt_at': in_flight_until})
        # numbered by the dead worker, which committed 4 and 5 and never sent them
        self.device._etims_counter('sale').last_number = 5
        for invoice, number in zip(invoices[3:], (4, 5)):
            invoice.sudo().write({'etims_state': 'sending', 'etims_invoice_number': number,
                                  'etims_device_id': self.device.id, 'etims_next_attempt_at': in_flight_until})
        self.device._etims_process_queue()
        self.assertEqual(self.sent_numbers(), [1, 2, 3], "in flight: left alone")
        invoices[1:].sudo().etims_next_attempt_at = fields.Datetime.now() - timedelta(seconds=1)
        self.device._etims_process_queue()
        self.assertEqual(self.states(invoices), [('signed', number) for number in range(1, 6)])
        self.assertEqual(invoices[1:3].mapped('etims_signature'), signatures, "994: recovered from the call log")
        self.assertEqual(self.sent_numbers(), [1, 2, 3, 2, 3, 4, 5])
        self.assertEqual(self.kra_numbers(), [1, 2, 3, 4, 5])
        self.assertEqual(self.device.last_invoice_number, 5)

    def test_credit_note_waits_for_its_invoice_in_the_same_run(self):
        invoice = self.queued(1)
        credit_note = invoice._reverse_moves([{'etims_refund_reason': '06'}])
        credit_note.action_post()
        (invoice | credit_note).action_etims_send()
        self.assertEqual(self.states(invoice | credit_note), [('signed', 1), ('signed', 2)])
        self.assertEqual([(sale['invcNo'], sale['rcptTyCd'], sale['orgInvcNo']) for sale in self.sent_sales()],
                         [(1, 'S', 0), (2, 'R', 1)])
