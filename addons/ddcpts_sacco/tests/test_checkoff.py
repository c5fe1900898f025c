import base64
import io

import openpyxl

from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import SaccoCase


@tagged('post_install', '-at_install')
class TestCheckoff(SaccoCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.employer = cls.env['res.partner'].create({'name': "Ministry of Education", 'is_company': True})
        cls.shares.monthly_contribution = 500
        cls.teachers = [cls.active_member(employer_id=cls.employer.id, staff_number=f'TSC{n}') for n in range(3)]

    def checkoff(self, content, filename='remittance.csv', declared=0.0):
        return self.env['ddcpts.sacco.checkoff'].create({
            'employer_id': self.employer.id, 'date': '2025-06-28', 'declared_total': declared,
            'file': base64.b64encode(content.encode() if isinstance(content, str) else content), 'filename': filename})

    def balance(self, member, product):
        account = member.account_ids.filtered(lambda account: account.product_id == product)
        account.invalidate_recordset(['balance'])
        return account.balance

    def test_csv_preview_allocation_unmatched_rows_and_posting(self):
        national_id = self.teachers[2].national_id
        batch = self.checkoff(
            "Staff Number,National ID,Amount,Product\n"
            "tsc0,,3000,\n"
            "TSC1,,1000.50,SAV\n"
            f",{national_id},2500,\n"
            "TSC999,,700,\n", declared=7200.50)
        batch.action_preview()
        self.assertEqual(batch.line_ids.member_id, self.teachers[0] | self.teachers[1] | self.teachers[2])
        unmatched = batch.line_ids.filtered(lambda line: not line.member_id)
        self.assertEqual((unmatched.sequence, unmatched.problem), (5, "Unknown staff number TSC999"))
        self.assertEqual((batch.total, batch.matched_total, batch.unmatched_count), (7200.5, 6500.5, 1))

        batch.action_post()
        self.assertEqual(batch.state, 'draft', "the unmatched row is still to allocate")
        # obligations in product order: shares 500, deposits 2000, the rest to the default product (deposits)
        self.assertEqual(self.balance(self.teachers[0], self.shares), 500)
        self.assertEqual(self.balance(self.teachers[0], self.deposits), 2500)
        self.assertEqual(self.balance(self.teachers[1], self.savings), 1000.5)
        self.assertEqual(self.balance(self.teachers[2], self.deposits), 2000)
        employer_line = batch.move_ids.line_ids.filtered(lambda line: line.partner_id == self.employer)
        self.assertEqual((employer_line.account_id.account_type, employer_line.balance), ('asset_receivable', 6500.5))

        unmatched.member_id = self.teachers[1]
        batch.action_post()
        self.assertEqual(batch.state, 'posted')
        self.assertEqual(len(batch.move_ids), 2)
        self.assertEqual(self.balance(self.teachers[1], self.shares), 500)
        for product, (ledger, members) in (self.shares | self.deposits | self.savings)._sacco_reconciliation().items():
            self.assertEqual(ledger, members, product.name)
        with self.assertRaisesRegex(UserError, "posted already"):
            batch.action_post()

    def test_xlsx_file(self):
        workbook = openpyxl.Workbook()
        sheet = workbook.active
        sheet.append(['staff_number', 'amount'])
        sheet.append(['TSC0', 1200])
        sheet.append(['TSC1', 800.25])
        content = io.BytesIO()
        workbook.save(content)
        batch = self.checkoff(content.getvalue(), filename='june.XLSX', declared=2000.25)
        batch.action_preview()
        self.assertEqual(batch.line_ids.mapped('amount'), [1200, 800.25])
        batch.action_post()
        self.assertEqual(batch.state, 'posted')
        self.assertEqual(self.balance(self.teachers[0], self.deposits), 700)

    def test_bad_files_are_refused_and_nothing_is_booked(self):
        for content, error in (
                ("name,salary\nTSC0,100\n", r'needs the columns "amount" and "staff_number" .*it has: name, salary'),
                ("staff_number,amount\nTSC0,12O0\n", r'Row 2: the amount "12O0" is not a positive number'),
                ("staff_number,amount\nTSC0,-5\n", "not a positive number"),
                ("staff_number,amount\n,100\n", "Row 2 has neither a staff number nor a national ID"),
                ("\n,,\n", "The file is empty"),
        ):
            batch = self.checkoff(content)
            with self.assertRaisesRegex(UserError, error):
                batch.action_preview()
        batch = self.checkoff("staff_number,amount\nTSC0,100\nTSC1,100\n", declared=300)
        with self.assertRaisesRegex(UserError, r"add up to 200\.00.KSh, not to the 300\.00.KSh declared"):
            batch.action_preview()
        self.assertFalse(batch.line_ids)
        with self.assertRaisesRegex(UserError, "neither an XLSX workbook nor a UTF-8 CSV"):
            self.checkoff(b'\xff\xfe\x00garbage').action_preview()
        with self.assertRaisesRegex(UserError, "cannot be read"):
            self.checkoff(b'not a zip', filename='x.xlsx').action_preview()
        batch = self.checkoff("staff_number,amount\nTSC404,100\n")
        batch.action_preview()
        with self.assertRaisesRegex(UserError, "No matched row"):
            batch.action_post()
        self.assertFalse(batch.move_ids)
