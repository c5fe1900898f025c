import base64
import io
from datetime import datetime, timedelta

import openpyxl
import pytz

from odoo.exceptions import UserError
from odoo.tests import new_test_user, tagged

from odoo.addons.ddcpts_mpesa.tests.common import MpesaHttpCommon

HEADER = ["Receipt No.", "Completion Time", "Initiation Time", "Details", "Transaction Status", "Paid In",
          "Withdrawn", "Balance", "Balance Confirmed", "Reason Type", "Other Party Info", "Linked Transaction ID",
          "A/C No."]
NAIROBI = pytz.timezone('Africa/Nairobi')


@tagged('post_install', '-at_install')
class TestStatementReconciliation(MpesaHttpCommon):
    """The org-portal statement recovers lost callbacks, matches receipts, expenses charges."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.approver = new_test_user(cls.env, 'statement_approver', ddcpts_payout_limit=250000,
                                     groups='base.group_user,ddcpts_base.group_ddcpts_payout_approver')
        cls.start = datetime.now(NAIROBI).replace(microsecond=0) - timedelta(hours=3)

    def _at(self, minutes):
        return self.start + timedelta(minutes=minutes)

    def _utc(self, minutes):
        return self._at(minutes).astimezone(pytz.utc).replace(tzinfo=None)

    def _csv(self, rows):
        """The statement as the portal writes it: a preamble, then the table, newest first."""
        lines = ["Account Holder:,DDCPTS Tests Ltd", "Short Code:,174379", "Account:,Utility Account",
                 f"Time Period:,From {self._at(0):%d-%m-%Y} to {self._at(600):%d-%m-%Y}", "", ",".join(HEADER)]
        balance = 0.0
        table = []
        for receipt, minutes, details, status, paid_in, withdrawn, reason, other, account in rows:
            if status == "Completed":
                balance += paid_in - withdrawn
            stamp = f"{self._at(minutes):%d-%m-%Y %H:%M:%S}"
            table.append(",".join([
                receipt, stamp, stamp, f'"{details}"', status, f'"{paid_in:,.2f}"' if paid_in else "",
                f'"-{withdrawn:,.2f}"' if withdrawn else "", f'"{balance:,.2f}"', "", reason, f'"{other}"', "",
                account,
            ]))
        return "\r\n".join(lines + table[::-1]).encode(), balance

    def _import(self, content):
        wizard = self.env['ddcpts.mpesa.statement.import'].create({
            'provider_id': self.provider.id, 'statement_file': base64.b64encode(content),
            'statement_filename': 'statement.csv',
        })
        action = wizard.action_import()
        return self.env['account.bank.statement.line'].search(action['domain'], order='id')

    def _journal_balance(self):
        lines = self.env['account.move.line'].search([
            ('account_id', '=', self.journal.default_account_id.id), ('parent_state', '=', 'posted')])
        return sum(lines.mapped('amount_currency' if self.journal.currency_id else 'balance'))

    def test_statement_recovers_lost_callbacks_and_reconciles_the_till(self):
        # an STK push whose callback was lost (and not yet queried)
        stk_invoice = self.create_invoice(1200)
        lost = self.create_pending_tx(1200, 'ws_CO_lost', invoice=stk_invoice, account_reference='INV202600042')
        # a paybill payment Odoo booked from its confirmation
        known_invoice = self.create_invoice(500)
        known = self.env['payment.transaction']._mpesa_book_received_money(self.provider, {
            'receipt': 'SKNOWN0001', 'amount': 500, 'phone': '2547 ***** 149', 'payer_name': 'ACHIENG',
            'bill_ref': known_invoice.name, 'paid_at': self._utc(20), 'source': 'c2b'})[0]
        self.post_process(known)
        # a payout M-Pesa confirmed
        self.sandbox_rule(path='/mpesa/b2c/', result={'receipt': 'SPAYOUT001'})
        payout = self.env['ddcpts.payout'].create({
            'partner_id': self.customer.id, 'amount': 1000, 'channel': 'mpesa', 'journal_id': self.journal.id})
        payout.action_submit()
        payout.with_user(self.approver).action_approve()
        self.env['ddcpts.payout']._cron_send_approved()
        self.deliver_callbacks(1)
        self.assertEqual(payout.state, 'done')
        # booked in Odoo, absent from the statement
        missing = self.env['payment.transaction']._mpesa_book_received_money(self.provider, {
            'receipt': 'SMISSING01', 'amount': 80, 'phone': '', 'payer_name': '', 'bill_ref': '',
            'paid_at': self._utc(40), 'source': 'c2b'})[0]
        new_invoice = self.create_invoice(700)

        content, till_balance = self._csv([
            ("SLOST00001", 10, "Pay Bill Online from 254708374149 - ACHIENG OTIENO Acc. INV202600042", "Completed",
             1200, 0, "Pay Bill Online", "254708374149 - ACHIENG OTIENO", "INV202600042"),
            ("SKNOWN0001", 20, f"Pay Bill from 2547****149 - ACHIENG Acc. {known_invoice.name}", "Completed",
             500, 0, "Pay Bill", "2547****149 - ACHIENG", known_invoice.name),
            ("SKNOWN0001", 20, "Pay Bill Charge", "Completed", 0, 5, "Pay Bill Charge", "", ""),
            ("SNEW000001", 30, f"Pay Bill from 2547****149 - ACHIENG Acc. {new_invoice.name}", "Completed",
             700, 0, "Pay Bill", "2547****149 - ACHIENG", new_invoice.name),
            ("SWHO000001", 50, "Pay Bill from 2547****999 - JOHN Acc. WHO KNOWS", "Completed",
             50, 0, "Pay Bill", "2547****999 - JOHN", "WHO KNOWS"),
            ("SFAIL00001", 55, "Pay Bill from 2547****999 - JOHN Acc. X", "Failed", 999, 0, "Pay Bill", "", "X"),
            ("SPAYOUT001", 60, "Business Payment to 254708374149 - ACHIENG OTIENO", "Completed",
             0, 1000, "Business Payment to Customer via API", "254708374149 - ACHIENG OTIENO", ""),
            ("SBANK00001", 70, "Funds Transfer to Bank Account", "Completed", 0, 300, "Organization To Bank", "",
             ""),
        ])
        lines = self._import(content)

        states = {(line.mpesa_receipt, line.mpesa_kind): line.mpesa_state for line in lines}
        self.assertEqual(states, {
            ('SLOST00001', 'payment'): 'recovered',
            ('SKNOWN0001', 'payment'): 'matched',
            ('SKNOWN0001', 'charge'): 'charge',
            ('SNEW000001', 'payment'): 'recovered',
            ('SWHO000001', 'payment'): 'review',
            ('SPAYOUT001', 'payout'): 'matched',
            ('SBANK00001', 'other'): 'unmatched',
        }, "the failed row is not imported")
        self.assertRecordValues(lost, [{'state': 'done', 'mpesa_receipt': 'SLOST00001'}])
        self.assertEqual(len(self.env['payment.transaction'].search([('mpesa_receipt', '=', 'SLOST00001')])), 1)
        for invoice in (stk_invoice, known_invoice, new_invoice):
            self.assertIn(invoice.payment_state, ('paid', 'in_payment'), invoice.name)
        self.assertEqual(lines.filtered(lambda line: line.mpesa_state in ('matched', 'recovered', 'charge'))
                         .mapped('is_reconciled'), [True] * 5)
        self.assertEqual(lines.filtered(lambda line: line.mpesa_kind == 'charge').move_id.line_ids
                         .filtered(lambda line: line.account_id == self.fee_account).balance != 0, True)
        self.assertTrue(missing.mpesa_missing_from_statement)
        self.assertFalse(known.mpesa_missing_from_statement)
        self.assertEqual(lines.statement_id.balance_end_real, till_balance)
        self.assertAlmostEqual(self._journal_balance(), till_balance, places=2,
                               msg="the journal balance equals the till balance")

        # the accountant assigns the unknown payment: it is booked and its statement line reconciled
        who = self.env['payment.transaction'].search([('mpesa_receipt', '=', 'SWHO000001')])
        who._mpesa_assign(self.customer)
        who_line = lines.filtered(lambda line: line.mpesa_receipt == 'SWHO000001')
        self.assertEqual((who_line.mpesa_state, who_line.is_reconciled), ('matched', True))

        with self.assertRaisesRegex(UserError, "imported already"):
            self._import(content)

    def test_receipt_of_an_old_push_confirmed_by_status_query_is_not_booked_twice(self):
        """A push the status query confirmed (no receipt) weeks before the statement is imported; the same
        invoice was asked again since, for the same amount: the row completes the old push, nothing else."""
        invoice = self.create_invoice(1200)
        old_push = self.create_pending_tx(600, 'ws_CO_old_push', invoice=invoice, account_reference='INV202600077')
        old_push._mpesa_apply_stk_result(0, "The service request is processed successfully.")
        self.post_process(old_push)
        self.assertEqual((old_push.state, old_push.mpesa_receipt, old_push.payment_id.amount), ('done', False, 600))
        paid_at = self._at(-20 * 24 * 60)
        self.env.cr.execute("UPDATE payment_transaction SET create_date = %s WHERE id = %s",
                            [self._utc(-20 * 24 * 60 - 1), old_push.id])
        new_push = self.create_pending_tx(600, 'ws_CO_new_push', invoice=invoice, account_reference='INV202600077')
        self.env.invalidate_all()
        content, _balance = self._csv([
            ("SOLDPUSH01", -20 * 24 * 60, "Pay Bill Online from 254708374149 - ACHIENG OTIENO Acc. INV202600077",
             "Completed", 600, 0, "Pay Bill Online", "254708374149 - ACHIENG OTIENO", "INV202600077"),
        ])
        [line] = self._import(content)
        self.assertEqual(paid_at.date(), line.date)
        self.assertRecordValues(line, [{'mpesa_state': 'recovered', 'mpesa_transaction_id': old_push.id,
                                        'is_reconciled': True}])
        self.assertEqual(self.env['payment.transaction'].search([('mpesa_receipt', '=', 'SOLDPUSH01')]), old_push)
        self.assertEqual(len(invoice.transaction_ids.payment_id), 1, "the money is booked once")
        self.assertRecordValues(new_push, [{'state': 'pending', 'mpesa_receipt': False}])

    def test_xlsx_statement_as_downloaded(self):
        invoice = self.create_invoice(640)
        workbook = openpyxl.Workbook()
        sheet = workbook.active
        sheet.append(["Account Holder:", "DDCPTS Tests Ltd"])
        sheet.append([])
        sheet.append(HEADER)
        moment = self._at(5).replace(tzinfo=None)
        sheet.append(["SXLSX00002", moment + timedelta(minutes=1), moment, "Pay Bill Charge", "Completed", None,
                      -3.0, 637.0, None, "Pay Bill Charge", None, None, None])
        sheet.append(["SXLSX00001", moment, moment, f"Pay Bill from 2547****149 - A Acc. {invoice.name}",
                      "Completed", 640.0, None, 640.0, None, "Pay Bill", "2547****149 - A", None, invoice.name])
        buffer = io.BytesIO()
        workbook.save(buffer)
        lines = self._import(buffer.getvalue())
        self.assertEqual(lines.mapped('mpesa_state'), ['recovered', 'charge'])
        self.assertEqual(lines.mapped('amount'), [640, -3])
        self.assertIn(invoice.payment_state, ('paid', 'in_payment'))
        self.assertAlmostEqual(self._journal_balance(), 637, places=2)

    def test_header_titles_without_dots_and_iso_times(self):
        invoice = self.create_invoice(250)
        header = ",".join(title.upper().rstrip('.') for title in HEADER)
        stamp = f"{self._at(5).replace(tzinfo=None):%Y-%m-%dT%H:%M:%S}"
        row = (f'SISO000001,{stamp},{stamp},Pay Bill,Completed,250.00,,250.00,,Pay Bill,"2547****149 - A",,'
               f'{invoice.name}')
        [line] = self._import(f"{header}\n{row}\n".encode())
        self.assertRecordValues(line, [{'mpesa_state': 'recovered', 'mpesa_account_number': invoice.name,
                                        'mpesa_completed_at': self._utc(5)}])
        self.assertIn(invoice.payment_state, ('paid', 'in_payment'))

    def test_files_that_are_not_statements_are_refused(self):
        for content, message in ((b"name,amount\nx,1\n", 'no "Receipt No." column'),
                                 (",".join(HEADER[:3]).encode() + b"\nA,1,2\n", "no Details"),
                                 (b"PK\x03\x04 not a zip", "not a readable XLSX"),
                                 (",".join(HEADER).encode() + b"\nR1,yesterday,,x,Completed,1,,1,,,,,\n",
                                  "is not a date")):
            with self.subTest(message=message), self.assertRaisesRegex(UserError, message):
                self._import(content)
