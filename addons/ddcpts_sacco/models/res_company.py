import re

from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError

from odoo.addons.ddcpts_sacco import const


class ResCompany(models.Model):
    _inherit = 'res.company'

    sacco_journal_id = fields.Many2one(
        'account.journal', "SACCO Journal", domain="[('type', '=', 'general'), ('company_id', '=', id)]",
        help="Miscellaneous journal of the transfers between member accounts and of mobile-money allocations.")
    sacco_registration_fee = fields.Monetary("Registration Fee", currency_field='currency_id',
                                             help="Paid once by an applicant before the membership is activated.")
    sacco_fee_account_id = fields.Many2one(
        'account.account', "Registration Fee Account", domain="[('account_type', 'in', ('income', 'income_other'))]",
        help="Income account credited with registration fees.")
    sacco_reference_pattern = fields.Char(
        "Paybill Reference Pattern", default=const.DEFAULT_REFERENCE_PATTERN,
        help="Regular expression of the account references members type when they pay: the group 'member' is the "
             "membership number, the optional group 'product' the code of the product (e.g. M0042-DEP).")
    sacco_default_product_id = fields.Many2one(
        'ddcpts.sacco.product', "Default Product for Payments",
        help="Product credited when a member pays with the membership number alone (e.g. M0042).")

    sacco_exit_notice_days = fields.Integer(
        "Exit Notice (days)", default=60,
        help="Days between a member's notice to leave and the refund of their deposits and savings.")

    @api.constrains('sacco_reference_pattern')
    def _check_sacco_reference_pattern(self):
        for company in self.filtered('sacco_reference_pattern'):
            try:
                pattern = re.compile(company.sacco_reference_pattern)
            except re.error as error:
                raise ValidationError(_("The paybill reference pattern is not a valid regular expression: %s",
                                        error)) from error
            if 'member' not in pattern.groupindex:
                raise ValidationError(_("The paybill reference pattern must name the membership number with "
                                        "(?P<member>…)."))

    def _sacco_journal(self):
        """The journal of SACCO transfers: the configured one, else the company's first general journal."""
        self.ensure_one()
        journal = self.sacco_journal_id or self.env['account.journal'].sudo().search(
            [('type', '=', 'general'), ('company_id', '=', self.id)], limit=1)
        if not journal:
            raise UserError(_("%s has no miscellaneous journal for SACCO entries: set one in the settings.",
                              self.name))
        return journal
