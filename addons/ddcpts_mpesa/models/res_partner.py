import re

from odoo import api, models
from odoo.exceptions import UserError

from odoo.addons.ddcpts_base.tools.identity import normalize_msisdn

PHONE_LIKE = re.compile(r'\+?[\d\s\-()]{9,20}')


class ResPartner(models.Model):
    # phone_validation's number search (``phone_mobile_search``), as the sms module gives it to partners
    _name = 'res.partner'
    _inherit = ['mail.thread.phone', 'res.partner']

    @api.model
    def _mpesa_find_payer(self, reference, msisdn, company):
        """The one customer whose reference is ``reference``, or whose mobile or phone is the number typed as
        account number or the payer's (unmasked) number; empty when none or several match."""
        company_domain = ['|', ('company_id', '=', False), ('company_id', '=', company.id)]
        if reference:
            partners = self.search([('ref', '=ilike', reference), *company_domain], limit=2)
            if len(partners) == 1:
                return partners
        for number in (reference, msisdn):
            national = self._mpesa_national_number(number)
            if national:
                partners = self._mpesa_search_by_number(national, company)
                if len(partners) == 1:
                    return partners
        return self.browse()

    @staticmethod
    def _mpesa_national_number(number):
        """The 9 national digits of a Kenyan mobile number written in any format, else None."""
        if not number or not PHONE_LIKE.fullmatch(number.strip()):
            return None
        try:
            msisdn = normalize_msisdn(number, 'KE')
        except UserError:
            return None
        return msisdn[3:] if msisdn.startswith('254') else None

    @api.model
    def _mpesa_search_by_number(self, national, company):
        """The customers (commercial partners) whose mobile or phone holds these national digits."""
        return self.search([
            ('phone_mobile_search', 'like', national),
            '|', ('company_id', '=', False), ('company_id', '=', company.id),
        ]).commercial_partner_id
