from psycopg2 import IntegrityError

from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import SaccoCase


@tagged('post_install', '-at_install')
class TestMember(SaccoCase):

    def test_numbering_contact_and_normalised_kyc(self):
        first = self.Member.create(self.member_values(phone='+254 712 000 001', kra_pin='a012345678z',
                                                      national_id=' 2345 6001 '))
        second = self.Member.create(self.member_values())
        self.assertRegex(first.number, r'^M\d{4,}$')
        self.assertEqual(int(second.number[1:]), int(first.number[1:]) + 1)
        self.assertRecordValues(first, [{'phone': '254712000001', 'kra_pin': 'A012345678Z',
                                         'national_id': '23456001', 'state': 'applicant'}])
        self.assertRecordValues(first.partner_id, [{'name': first.name, 'ref': first.number,
                                                    'mobile': '254712000001', 'company_id': self.company.id}])
        first.name = "Achieng Odhiambo"
        self.assertEqual(first.partner_id.name, "Achieng Odhiambo")
        self.assertEqual(self.Member.name_search(first.number)[0][0], first.id)

    def test_duplicate_national_id_is_refused(self):
        self.Member.create(self.member_values(national_id='11112222'))
        with self.assertRaisesRegex(ValidationError, "national ID 11112222 is registered already"), \
                self.cr.savepoint():
            self.Member.create(self.member_values(national_id='1111 2222'))
        with mute_logger('odoo.sql_db'), self.assertRaises(IntegrityError), self.cr.savepoint():
            self.Member.create([self.member_values(national_id='33334444'),
                                self.member_values(national_id='33334444')])  # the database key as last guard
        other_company = self.env['res.company'].create({'name': "Other SACCO"})
        self.Member.with_company(other_company).create(self.member_values(national_id='11112222'))

    def test_invalid_kra_pin_is_refused_with_a_clear_error(self):
        with self.assertRaisesRegex(ValidationError, "not a valid KRA PIN"), self.cr.savepoint():
            self.Member.create(self.member_values(kra_pin='A01234567'))
        member = self.Member.create(self.member_values())
        with self.assertRaisesRegex(ValidationError, "not a valid KRA PIN"), self.cr.savepoint():
            member.kra_pin = 'X999'
        self.assertEqual(member.kra_pin, 'A012345678Z')

    def test_phone_is_a_mobile_number_unique_among_active_members(self):
        with self.assertRaisesRegex(UserError, "not a mobile number"), self.cr.savepoint():
            self.Member.create(self.member_values(phone='020 123 4567'))
        member = self.Member.create(self.member_values(phone='0733 000 111'))
        with self.assertRaisesRegex(ValidationError, "already used by member"), self.cr.savepoint():
            self.Member.create(self.member_values(phone='+254733000111'))
        member.action_mark_deceased()
        self.assertEqual(self.Member.create(self.member_values(phone='0733000111')).phone, '254733000111',
                         "a number of a closed membership can be used again")

    def test_staff_number_needs_an_employer_and_is_unique_there(self):
        employer = self.env['res.partner'].create({'name': "Kenya Power", 'is_company': True})
        with self.assertRaisesRegex(ValidationError, "Set the employer"), self.cr.savepoint():
            self.Member.create(self.member_values(staff_number='KP001'))
        self.Member.create(self.member_values(employer_id=employer.id, staff_number='kp001'))
        with self.assertRaisesRegex(ValidationError, "belongs to member"), self.cr.savepoint():
            self.Member.create(self.member_values(employer_id=employer.id, staff_number='KP001'))

    def test_nominee_shares_add_up_to_100_percent(self):
        with self.assertRaisesRegex(ValidationError, "share 90.0 %"), self.cr.savepoint():
            self.Member.create(self.member_values(nominee_ids=[
                (0, 0, {'name': "Spouse", 'share_percent': 50}), (0, 0, {'name': "Child", 'share_percent': 40})]))
        member = self.Member.create(self.member_values(nominee_ids=[
            (0, 0, {'name': "Spouse", 'share_percent': 60}), (0, 0, {'name': "Child", 'share_percent': 40})]))
        with self.assertRaisesRegex(ValidationError, "must add up to 100"), self.cr.savepoint():
            member.nominee_ids[0].share_percent = 70
        with self.assertRaisesRegex(ValidationError, "must add up to 100"), self.cr.savepoint():
            member.write({'nominee_ids': [(2, member.nominee_ids[1].id)]})
        with self.assertRaisesRegex(ValidationError, "more than 0"), self.cr.savepoint():
            member.nominee_ids[0].share_percent = 0
        member.write({'nominee_ids': [(1, member.nominee_ids[0].id, {'share_percent': 50}),
                                      (1, member.nominee_ids[1].id, {'share_percent': 50})]})
        self.assertEqual(member.nominee_ids.mapped('share_percent'), [50, 50])

    def test_lifecycle_with_kyc_and_registration_fee(self):
        member = self.Member.create(self.member_values(kra_pin=False, birthdate=False))
        with self.assertRaisesRegex(UserError, "Complete the KYC .* date of birth, KRA PIN"), self.cr.savepoint():
            member.action_activate()
        member.write({'kra_pin': 'A012345678Z', 'birthdate': '1988-02-29'})
        fee_error = r"has paid 0\.00\sKSh of the registration fee of 1,000\.00\sKSh"
        with self.assertRaisesRegex(UserError, fee_error), self.cr.savepoint():
            member.action_activate()
        self.receive(member, 600, purpose='fee')
        self.receive(member, 400, purpose='fee')
        self.assertEqual(member.registration_fee_paid, 1000)
        member.action_activate()
        self.env.cr.precommit.run()  # the chatter tracks each committed change
        self.assertEqual(member.state, 'active')
        self.assertEqual(member.account_ids.product_id, self.shares | self.deposits | self.savings)
        self.assertEqual(member.account_ids.mapped('name'),
                         [f'{member.number}-SHR', f'{member.number}-DEP', f'{member.number}-SAV'])
        with self.assertRaisesRegex(UserError, "is active: cannot activate"), self.cr.savepoint():
            member.action_activate()
        member.action_mark_dormant()
        self.env.cr.precommit.run()
        member.action_reactivate()
        self.env.cr.precommit.run()
        tracked = member.message_ids.tracking_value_ids.filtered(lambda t: t.field_id.name == 'state')
        self.assertEqual(tracked.mapped('new_value_char'), ['Active', 'Dormant', 'Active'])
        member.action_mark_deceased()
        with self.assertRaisesRegex(UserError, "is closed"), self.cr.savepoint():
            member.account_ids[0]._sacco_post(100, self.gl_cash)
        with self.assertRaisesRegex(UserError, "Only applicants"), self.cr.savepoint():
            member.unlink()

    def test_birthdate_in_the_past(self):
        with self.assertRaisesRegex(ValidationError, "must be in the past"), self.cr.savepoint():
            self.Member.create(self.member_values(birthdate='2999-01-01'))

    def test_member_created_webhook(self):
        endpoint = self.env['ddcpts.webhook.endpoint'].create({
            'name': "CRM", 'url': 'https://crm.example.com/hooks',
            'event_ids': [(6, 0, self.env.ref('ddcpts_sacco.webhook_event_member_created').ids)]})
        member = self.Member.create(self.member_values())
        [delivery] = endpoint.delivery_ids
        self.assertEqual((delivery.event, delivery.related_model, delivery.related_id),
                         ('member.created', 'ddcpts.sacco.member', member.id))
        self.assertIn(member.number, delivery.body)
