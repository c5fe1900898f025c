from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .common import LoanCase


@tagged('post_install', '-at_install')
class TestLoanProduct(LoanCase):

    def test_bounds_are_checked(self):
        for code, (values, message) in enumerate((
                ({'installments_min': 13}, "default term must lie between"),
                ({'amount_max': 500}, "maximum amount must be at least"),
                ({'grace_principal': 1, 'installments_min': 1}, "grace periods must be shorter"),
                ({'annual_rate': -1}, "cannot be negative"),
        )):
            with self.subTest(values=values), self.assertRefused(ValidationError, message):
                self.product.copy({'code': f'X{code}', **values})

    def test_charges_deducted_or_capitalised(self):
        loan = self.application(50000)
        self.assertRecordValues(loan, [{'fee_amount': 500, 'insurance_amount': 500, 'principal': 50000,
                                        'net_disbursed': 49000, 'annual_rate': 12, 'interest_method': 'declining_emi',
                                        'frequency': 'monthly'}])
        self.assertRegex(loan.name, r'^LN\d{4,}$')
        self.product.write({'fee_type': 'fixed', 'fee_value': 750, 'insurance_mode': 'capitalised'})
        loan = self.application(50000)
        self.assertRecordValues(loan, [{'fee_amount': 750, 'insurance_amount': 500, 'principal': 50500,
                                        'net_disbursed': 49250}])

    def test_approval_level_by_amount(self):
        committee = self.env.ref('ddcpts_sacco.group_sacco_manager')
        self.product.approval_level_ids = [(0, 0, {'amount_from': 200000, 'group_id': committee.id})]
        self.assertFalse(self.product._loan_required_level(199999.99))
        self.assertEqual(self.product._loan_required_level(200000).group_id, committee)

    def test_code_is_kept_upper_case(self):
        """The code rule shared with the savings products (ddcpts.sacco.code.mixin): on create and write."""
        product = self.product.copy({'code': ' emg '})
        self.assertEqual(product.code, 'EMG')
        product.code = 'school fees '
        self.assertEqual(product.code, 'SCHOOL FEES')
        self.deposits.code = ' dep2'
        self.assertEqual(self.deposits.code, 'DEP2')
