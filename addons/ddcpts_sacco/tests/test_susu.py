from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged

from .common import SaccoPayoutCase


@tagged('post_install', '-at_install')
class TestSusu(SaccoPayoutCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.gl_pot = cls.env['account.account'].create({'code': '229950', 'name': "Susu Pot",
                                                         'account_type': 'liability_current'})
        cls.ama, cls.kwame, cls.efua = (cls.active_member() for _n in range(3))
        cls.group = cls.env['ddcpts.sacco.susu.group'].create({
            'name': "Makola Traders", 'contribution': 1000, 'period': 'monthly', 'start_date': '2025-01-01',
            'account_id': cls.gl_pot.id, 'journal_id': cls.bank_journal.id,
            'slot_ids': [(0, 0, {'member_id': member.id, 'sequence': seq})
                         for seq, member in enumerate((cls.kwame, cls.ama, cls.efua))]})

    def contribute(self, member, amount, date):
        self.env['ddcpts.sacco.receipt'].create({
            'member_id': member.id, 'purpose': 'susu', 'susu_group_id': self.group.id, 'amount': amount,
            'journal_id': self.cash_journal.id, 'date': date}).action_post()

    def test_rotation_pots_paid_in_order_and_arrears(self):
        with self.assertRaisesRegex(UserError, "is not running"):
            self.contribute(self.ama, 1000, '2025-01-03')
        self.group.action_start()
        for member in (self.ama, self.kwame):
            self.contribute(member, 1000, '2025-01-05')
        self.assertEqual(self.group._susu_arrears('2025-01-31'), {self.kwame: 0, self.ama: 0, self.efua: 1000})
        with self.assertRaisesRegex(UserError, r"not complete: 2,000\.00.KSh collected of 3,000\.00.KSh"):
            self.group.action_pay_next_pot()
        self.contribute(self.efua, 1000, '2025-01-20')
        payout = self.group.action_pay_next_pot()
        self.assertRecordValues(payout, [{'partner_id': self.kwame.partner_id.id, 'amount': 3000,
                                          'state': 'to_approve'}])
        with self.assertRaisesRegex(UserError, "on its way already"):
            self.group.action_pay_next_pot()
        self.pay(payout)
        self.group.invalidate_recordset(['pot_balance'])
        self.assertEqual(self.group.pot_balance, 0)
        self.assertEqual(self.group._susu_arrears('2025-02-10'), {self.kwame: 1000, self.ama: 1000, self.efua: 1000})

        for member in (self.ama, self.kwame, self.efua):
            self.contribute(member, 1000, '2025-02-05')
        second = self.group.action_pay_next_pot()
        self.assertEqual(second.partner_id, self.ama.partner_id, "the rotation order")
        self.pay(second)
        for member in (self.ama, self.kwame, self.efua):
            self.contribute(member, 1000, '2025-03-05')
        self.pay(self.group.action_pay_next_pot())
        self.assertEqual(self.group.state, 'done')
        self.assertEqual(self.group.slot_ids.mapped('payout_state'), ['done'] * 3)

    def test_bad_groups(self):
        with self.assertRaisesRegex(ValidationError, "appears twice"), self.cr.savepoint():
            self.group.write({'slot_ids': [(0, 0, {'member_id': self.ama.id})]})
        outsider = self.active_member()
        self.group.action_start()
        with self.assertRaisesRegex(UserError, "is not in Makola Traders"):
            self.contribute(outsider, 1000, '2025-01-05')
