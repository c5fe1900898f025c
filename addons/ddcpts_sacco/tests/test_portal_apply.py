import re

from odoo.tests import new_test_user, tagged
from odoo.tests.common import HttpCase

from .common import SaccoPeopleMixin


@tagged('post_install', '-at_install')
class TestPortalApplication(SaccoPeopleMixin, HttpCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.sacco_people()
        cls.applicant = new_test_user(cls.env, 'njoki_portal', groups='base.group_portal', name="Njoki Kamau",
                                      company_id=cls.company.id, company_ids=cls.company.ids)

    def apply(self, **form):
        page = self.url_open('/my/sacco/apply')
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        return self.url_open('/my/sacco/apply', data={'csrf_token': token, **form})

    def test_apply_from_the_portal(self):
        self.authenticate('njoki_portal', 'njoki_portal')
        page = self.url_open('/my/sacco/apply')
        self.assertIn('value="Njoki Kamau"', page.text)
        Member = self.env['ddcpts.sacco.member']

        answer = self.apply(name="Njoki Kamau", national_id='27009999', kra_pin='A12', phone='0722 999 000')
        self.assertIn("not a valid KRA PIN", answer.text)
        self.assertIn('value="27009999"', answer.text, "what was typed is kept")
        answer = self.apply(name="Njoki Kamau", national_id=self.amina.national_id, phone='0722 999 000')
        self.assertIn("registered already: contact the SACCO", answer.text)
        self.assertNotIn(self.amina.name, answer.text)
        answer = self.apply(name="Njoki Kamau", national_id='27009999', phone='')
        self.assertIn("Please fill in: mobile number", answer.text)
        self.assertFalse(Member.search([('partner_id', '=', self.applicant.partner_id.id)]))

        answer = self.apply(name="Njoki Kamau", national_id='2700 9999', kra_pin='a012345678z',
                            birthdate='1994-05-06', phone='0722 999 000')
        self.assertTrue(answer.url.endswith('/my/sacco?applied=1'))
        member = Member.search([('partner_id', '=', self.applicant.partner_id.id)])
        self.assertRecordValues(member, [{'state': 'applicant', 'national_id': '27009999', 'kra_pin': 'A012345678Z',
                                          'phone': '254722999000', 'company_id': self.company.id}])
        self.assertEqual(self.applicant.partner_id.ref, member.number)
        self.assertTrue(self.url_open('/my/sacco/apply').url.endswith('/my/sacco'), "one application per person")
