from odoo import _, api, fields, models
from odoo.exceptions import UserError


class DdcptsSaccoReceipt(models.TransientModel):
    """Cash or bank money handed in at the counter: one posted entry from the cash/bank journal to the
    member's account (or to the registration-fee income)."""
    _name = 'ddcpts.sacco.receipt'
    _description = "SACCO Receipt"
    _check_company_auto = True

    member_id = fields.Many2one('ddcpts.sacco.member', required=True, check_company=True,
                                domain="[('state', 'in', ('applicant', 'active', 'dormant'))]")
    company_id = fields.Many2one(related='member_id.company_id')
    currency_id = fields.Many2one(related='company_id.currency_id')
    purpose = fields.Selection([('account', "Member Account"), ('fee', "Registration Fee"),
                                ('susu', "Susu Group")], required=True, default='account')
    susu_group_id = fields.Many2one('ddcpts.sacco.susu.group', "Susu Group", check_company=True,
                                    domain="[('state', '=', 'running'), ('slot_ids.member_id', '=', member_id)]")
    product_id = fields.Many2one('ddcpts.sacco.product', "Product", check_company=True,
                                 compute='_compute_product_id', store=True, readonly=False, precompute=True)
    amount = fields.Monetary(required=True)
    journal_id = fields.Many2one('account.journal', "Received In", required=True, check_company=True,
                                 domain="[('type', 'in', ('cash', 'bank'))]",
                                 compute='_compute_journal_id', store=True, readonly=False, precompute=True)
    date = fields.Date(required=True, default=fields.Date.context_today)
    memo = fields.Char(help="Receipt number or bank reference.")

    @api.depends('member_id', 'purpose')
    def _compute_product_id(self):
        for wizard in self:
            wizard.product_id = wizard.purpose == 'account' and wizard.company_id.sacco_default_product_id

    @api.depends('company_id')
    def _compute_journal_id(self):
        for wizard in self:
            wizard.journal_id = self.env['account.journal'].search(
                [('type', '=', 'cash'), ('company_id', '=', wizard.company_id.id)], limit=1)

    def action_post(self):
        """Post the receipt and show the member."""
        self.ensure_one()
        if self.currency_id.compare_amounts(self.amount, 0) <= 0:
            raise UserError(_("A receipt is a positive amount."))
        cash_account = self.journal_id.default_account_id
        if not cash_account:
            raise UserError(_("The journal %s has no default account.", self.journal_id.name))
        ref = " ".join(filter(None, [_("Receipt"), self.memo]))
        if self.purpose == 'fee':
            self._post_registration_fee(cash_account, ref)
        elif self.purpose == 'susu':
            if not self.susu_group_id:
                raise UserError(_("Choose the susu group the money is for."))
            self.susu_group_id._susu_receive(self.member_id, self.amount, cash_account, self.journal_id,
                                             date=self.date, ref=f"{self.susu_group_id.name} {ref}")
        else:
            if not self.product_id:
                raise UserError(_("Choose the product the money is for."))
            account = self.member_id._sacco_account(self.product_id)
            account._sacco_post(self.amount, cash_account, journal=self.journal_id, date=self.date,
                                ref=f"{account.name} {ref}")
        self.member_id._message_log(body=_("%(amount)s received (%(purpose)s).",
                                           amount=self.currency_id.format(self.amount),
                                           purpose={'account': self.product_id.name, 'fee': _("registration fee"),
                                                    'susu': self.susu_group_id.name}[self.purpose]))
        return {'type': 'ir.actions.act_window_close'}

    def _post_registration_fee(self, cash_account, ref):
        fee_account = self.company_id.sacco_fee_account_id
        if not fee_account:
            raise UserError(_("Set the registration fee account in the SACCO settings."))
        self.member_id._sacco_post_entry(fee_account, cash_account, self.amount, journal=self.journal_id,
                                         date=self.date, ref=f"{self.member_id.number} {ref}")
