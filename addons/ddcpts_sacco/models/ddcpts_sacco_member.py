from odoo import Command, _, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import float_compare

from odoo.addons.ddcpts_base.tools import identity
from odoo.addons.ddcpts_sacco import const


class DdcptsSaccoMember(models.Model):
    """A member of the SACCO: identity (KYC), lifecycle and the accounts holding their money.

    The member is also a contact (``partner_id``): that partner is the partner of every journal item of
    the member's accounts, which is how balances are derived from the general ledger.
    """
    _name = 'ddcpts.sacco.member'
    _description = "SACCO Member"
    _inherit = ['mail.thread', 'mail.activity.mixin']
    _order = 'number desc, id desc'
    _rec_names_search = ['name', 'number', 'national_id', 'phone', 'staff_number']
    _check_company_auto = True

    number = fields.Char("Membership Number", readonly=True, copy=False, index=True, default=lambda self: _("New"))
    name = fields.Char(required=True, tracking=True)
    partner_id = fields.Many2one('res.partner', "Contact", readonly=True, copy=False, ondelete='restrict', index=True)
    company_id = fields.Many2one('res.company', required=True, readonly=True, default=lambda self: self.env.company)
    currency_id = fields.Many2one(related='company_id.currency_id')
    state = fields.Selection(const.MEMBER_STATES, default='applicant', required=True, readonly=True, tracking=True,
                             index=True)
    national_id = fields.Char("National ID", required=True, tracking=True, copy=False)
    kra_pin = fields.Char("KRA PIN", tracking=True, copy=False)
    birthdate = fields.Date("Date of Birth")
    phone = fields.Char("Mobile", required=True, tracking=True,
                        help="Stored as a mobile-money number (2547…); unique among active members.")
    email = fields.Char()
    employer_id = fields.Many2one('res.partner', "Employer", tracking=True,
                                  help="Remits this member's contributions by payroll deduction (check-off).")
    staff_number = fields.Char(tracking=True, help="The member's number in the employer's check-off files.")
    nominee_ids = fields.One2many('ddcpts.sacco.nominee', 'member_id', "Nominees", copy=False)
    account_ids = fields.One2many('ddcpts.sacco.account', 'member_id', "Accounts", copy=False)
    user_id = fields.Many2one('res.users', "Portal User", compute='_compute_user_id')
    joined_on = fields.Date("Member Since", readonly=True, copy=False, tracking=True)
    left_on = fields.Date("Left On", readonly=True, copy=False, tracking=True)
    exit_requested_on = fields.Date("Exit Notice Given On", readonly=True, copy=False, tracking=True)
    exit_due_on = fields.Date("Refund Due On", readonly=True, copy=False, tracking=True,
                              help="Deposits and savings are refunded by this date (notice period).")
    year_end_payment = fields.Selection(
        [('credit', "Credit my account"), ('payout', "Pay out to my phone")], "Year-end Interest and Dividends",
        required=True, default='credit', tracking=True,
        help="Used by year-end runs paying 'as each member chose'.")
    registration_fee = fields.Monetary(related='company_id.sacco_registration_fee')
    registration_fee_paid = fields.Monetary(compute='_compute_registration_fee_paid')

    _sql_constraints = [
        ('number_company_uniq', 'unique(number, company_id)', "The membership number is used already."),
        ('national_id_company_uniq', 'unique(national_id, company_id)',
         "A member with this national ID is registered already."),
    ]

    @api.depends('partner_id.user_ids')
    def _compute_user_id(self):
        for member in self:
            member.user_id = member.partner_id.user_ids[:1]

    def _compute_registration_fee_paid(self):
        """Fees are what was posted on the fee account with the member as partner (never a flag)."""
        paid = {}
        accounts = self.company_id.sacco_fee_account_id
        if accounts and self.partner_id:
            paid = dict(self.env['account.move.line'].sudo()._read_group(
                [('account_id', 'in', accounts.ids), ('partner_id', 'in', self.partner_id.ids),
                 ('parent_state', '=', 'posted')], ['partner_id'], ['balance:sum']))
        for member in self:
            member.registration_fee_paid = -paid.get(member.partner_id, 0.0)

    # ------------------------------------------------------------------
    # KYC
    # ------------------------------------------------------------------

    @api.model
    def _sacco_clean_kyc(self, vals):
        """Store identifiers in one form, so that uniqueness and look-ups work whatever the clerk typed."""
        if vals.get('national_id'):
            vals['national_id'] = ''.join(vals['national_id'].split()).upper()
        if vals.get('kra_pin'):
            vals['kra_pin'] = identity.clean_kra_pin(vals['kra_pin'])
        if vals.get('phone'):
            vals['phone'] = identity.normalize_msisdn(vals['phone'], self.env.company.country_id.code)
        if vals.get('staff_number'):
            vals['staff_number'] = vals['staff_number'].strip().upper()
        return vals

    def _sacco_check_national_id_free(self, national_id, company):
        """A clear error before the database's unique key refuses a national ID registered already."""
        other = self.sudo().search([('national_id', '=', national_id), ('company_id', '=', company.id),
                                    ('id', 'not in', self.ids)], limit=1)
        if other:
            raise ValidationError(_("A member with the national ID %(id)s is registered already (%(other)s).",
                                    id=national_id, other=other.display_name))

    @api.constrains('phone', 'state')
    def _check_phone_unique(self):
        active_states = ('applicant', 'active', 'dormant')
        for member in self.filtered(lambda m: m.state in active_states):
            other = self.search([('phone', '=', member.phone), ('company_id', '=', member.company_id.id),
                                 ('state', 'in', active_states), ('id', '!=', member.id)], limit=1)
            if other:
                raise ValidationError(_("The mobile number %(phone)s is already used by member %(other)s.",
                                        phone=member.phone, other=other.display_name))

    @api.constrains('employer_id', 'staff_number')
    def _check_staff_number(self):
        for member in self.filtered('staff_number'):
            if not member.employer_id:
                raise ValidationError(_("Set the employer of staff number %s.", member.staff_number))
            other = self.search([('employer_id', '=', member.employer_id.id), ('company_id', '=', member.company_id.id),
                                 ('staff_number', '=', member.staff_number), ('id', '!=', member.id)], limit=1)
            if other:
                raise ValidationError(_("Staff number %(number)s of %(employer)s belongs to member %(other)s.",
                                        number=member.staff_number, employer=member.employer_id.name,
                                        other=other.display_name))

    @api.constrains('birthdate')
    def _check_birthdate(self):
        for member in self.filtered('birthdate'):
            if member.birthdate >= fields.Date.context_today(self):
                raise ValidationError(_("The date of birth of %s must be in the past.", member.name))

    @api.constrains('nominee_ids')
    def _check_nominee_shares(self):
        for member in self.filtered('nominee_ids'):
            total = sum(member.nominee_ids.mapped('share_percent'))
            if float_compare(total, 100.0, precision_digits=2):
                raise ValidationError(_("The nominees of %(member)s share %(total)s %%; their shares must add up "
                                        "to 100 %%.", member=member.name, total=round(total, 2)))

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._sacco_clean_kyc(vals)
            company = self.env['res.company'].browse(vals.get('company_id')) or self.env.company
            if vals.get('national_id'):
                self.browse()._sacco_check_national_id_free(vals['national_id'], company)
            vals['number'] = self.env['ir.sequence'].with_company(company).next_by_code('ddcpts.sacco.member')
        members = super(DdcptsSaccoMember, self.with_context(sacco_nominee_batch=True)).create(vals_list)
        members = members.with_context(sacco_nominee_batch=False)
        for member in members:
            if member.partner_id:  # an existing contact applies (portal): it gets the membership number
                member.partner_id.sudo().write({'ref': member.number,
                                                'mobile': member.partner_id.mobile or member.phone})
            else:
                member.partner_id = self.env['res.partner'].sudo().create(member._sacco_partner_values())
        for member in members:
            self.env['ddcpts.webhook.endpoint']._ddcpts_emit('member.created', member._sacco_webhook_data(),
                                                             record=member)
        return members

    def write(self, vals):
        if 'number' in vals or 'company_id' in vals:
            raise UserError(_("A membership number and company never change."))
        # nominees edited through the member are checked together, once all of them are written
        vals = self._sacco_clean_kyc(dict(vals))
        if vals.get('national_id'):
            for member in self:
                member._sacco_check_national_id_free(vals['national_id'], member.company_id)
        result = super(DdcptsSaccoMember, self.with_context(sacco_nominee_batch=True)).write(vals)
        if {'name', 'phone', 'email'} & set(vals):
            for member in self:
                member.partner_id.sudo().write(member._sacco_partner_values())
        return result

    def _sacco_partner_values(self):
        self.ensure_one()
        return {'name': self.name, 'mobile': self.phone, 'email': self.email, 'ref': self.number,
                'company_id': self.company_id.id}

    @api.ondelete(at_uninstall=False)
    def _unlink_only_applicants(self):
        if self.filtered(lambda member: member.state != 'applicant' or member.account_ids):
            raise UserError(_("Only applicants without accounts can be deleted; exit the membership instead."))

    @api.depends('number', 'name')
    def _compute_display_name(self):
        for member in self:
            member.display_name = f"{member.number} {member.name}" if member.number else member.name

    # ------------------------------------------------------------------
    # Lifecycle
    # ------------------------------------------------------------------

    def _sacco_check_state(self, allowed, action):
        wrong = self.filtered(lambda member: member.state not in allowed)
        if wrong:
            raise UserError(_("%(member)s is %(state)s: cannot %(action)s.", member=wrong[0].display_name,
                              state=dict(const.MEMBER_STATES)[wrong[0].state].lower(), action=action))

    def action_activate(self):
        """Admit an applicant: complete KYC and the registration fee paid; opens the product accounts."""
        self._sacco_check_state(('applicant',), _("activate the membership"))
        for member in self:
            missing = [label for field, label in (('birthdate', _("date of birth")), ('kra_pin', _("KRA PIN")))
                       if not member[field]]
            if missing:
                raise UserError(_("Complete the KYC of %(member)s first: %(missing)s.", member=member.display_name,
                                  missing=", ".join(missing)))
            currency = member.currency_id
            if currency.compare_amounts(member.registration_fee_paid, member.registration_fee) < 0:
                raise UserError(_("%(member)s has paid %(paid)s of the registration fee of %(fee)s.",
                                  member=member.display_name, paid=currency.format(member.registration_fee_paid),
                                  fee=currency.format(member.registration_fee)))
        self.write({'state': 'active', 'joined_on': fields.Date.context_today(self)})
        self._sacco_open_accounts()
        return True

    def action_mark_dormant(self):
        self._sacco_check_state(('active',), _("mark the membership dormant"))
        self.write({'state': 'dormant'})

    def action_reactivate(self):
        self._sacco_check_state(('dormant',), _("reactivate the membership"))
        self.write({'state': 'active'})

    def action_mark_deceased(self):
        self._sacco_check_state(('applicant', 'active', 'dormant'), _("record the death"))
        self.write({'state': 'deceased', 'left_on': fields.Date.context_today(self)})
        self._message_log(body=_("Death recorded: the nominees' claims are settled from the accounts."))

    def action_request_exit(self):
        """The member gives notice: nothing may hold them (loans, guarantees), the refund is due after the
        notice period."""
        self._sacco_check_state(('active', 'dormant'), _("give notice to leave"))
        for member in self:
            blockers = member._sacco_exit_blockers()
            if blockers:
                raise UserError(_("%(member)s cannot leave yet: %(reasons)s", member=member.display_name,
                                  reasons="; ".join(blockers)))
        today = fields.Date.context_today(self)
        for member in self:
            member.write({'exit_requested_on': today,
                          'exit_due_on': fields.Date.add(today, days=member.company_id.sacco_exit_notice_days)})
        return True

    def _sacco_exit_blockers(self):
        """Reasons a member cannot leave. Loans and guarantees (part 2 of the SACCO addon) extend this."""
        self.ensure_one()
        return []

    def action_exit_refund(self, journal=None):
        """Request the refund of every account with money through payouts (approved by a second person).

        Share capital is not refunded: it is transferred to another member first.
        """
        self.ensure_one()
        if not self.exit_requested_on or self.state not in ('active', 'dormant'):
            raise UserError(_("%s has not given notice to leave.", self.display_name))
        blockers = self._sacco_exit_blockers()
        if blockers:
            raise UserError(_("%(member)s cannot leave yet: %(reasons)s", member=self.display_name,
                              reasons="; ".join(blockers)))
        shares = self.account_ids.filtered(lambda account: account.kind == 'share')
        if any(not self.currency_id.is_zero(balance) for balance in shares._sacco_balances().values()):
            raise UserError(_("Transfer the share capital of %s to another member before the refund.",
                              self.display_name))
        journal = journal or self.env['account.journal'].search(
            [('type', '=', 'bank'), ('company_id', '=', self.company_id.id)], limit=1)
        payouts = self.env['ddcpts.payout']
        for account in self.account_ids - shares:
            free = account._sacco_free_balance()
            if self.currency_id.compare_amounts(free, 0) > 0:
                payouts |= account._sacco_request_payout(free, journal, _("Exit refund %s", account.name))
        if not payouts:
            self._sacco_complete_exit()
        return payouts

    def _sacco_complete_exit(self):
        """Close the membership once the notice was given and every account is empty."""
        for member in self.filtered(lambda m: m.exit_requested_on and m.state in ('active', 'dormant')):
            if all(member.currency_id.is_zero(balance) for balance in member.account_ids._sacco_balances().values()):
                member.write({'state': 'exited', 'left_on': fields.Date.context_today(member)})

    def _cron_sacco_send_arrears_reminders(self):
        """Monthly: an SMS (template "SACCO: contributions in arrears") to every active member behind."""
        template = self.env.ref('ddcpts_sacco.sms_template_sacco_arrears', raise_if_not_found=False)
        if not template:
            return
        members = self.search([('state', '=', 'active')])
        arrears = members.account_ids._sacco_arrears()
        behind = members.filtered(lambda member: any(arrears[account] for account in member.account_ids))
        for member in behind:
            member._message_sms_with_template(template=template, partner_ids=member.partner_id.ids)
        return behind

    def _sacco_total_arrears(self):
        """Used by the reminder template: the member's arrears over all accounts today."""
        self.ensure_one()
        return sum(self.account_ids._sacco_arrears().values())

    def _sacco_open_accounts(self):
        """Open an account of every product opened for new members that the member does not have yet."""
        Account = self.env['ddcpts.sacco.account']
        products = self.env['ddcpts.sacco.product'].search([('auto_open', '=', True),
                                                            ('company_id', 'in', self.company_id.ids)])
        Account.create([{'member_id': member.id, 'product_id': product.id}
                        for member in self for product in products.filtered(
                            lambda p, m=member: p.company_id == m.company_id and p not in m.account_ids.product_id)])

    def _sacco_account(self, product):
        """The member's account of ``product``, opened on first use."""
        self.ensure_one()
        account = self.account_ids.filtered(lambda acc: acc.product_id == product)
        return account or self.env['ddcpts.sacco.account'].create({'member_id': self.id, 'product_id': product.id})

    def _sacco_post_entry(self, account, counterpart_account, amount, journal=None, date=None, ref=None,
                          counterpart_partner=None):
        """Post ``amount`` to the credit of ``account`` (debit if negative) with the member as partner.

        Posting is done as superuser: officers book through the SACCO's screens, which check their
        rights, without needing the accountant's rights on journal entries.
        """
        self.ensure_one()
        journal = journal or self.company_id._sacco_journal()
        label = ref or self.number
        move = self.env['account.move'].sudo().with_company(self.company_id).create({
            'move_type': 'entry',
            'journal_id': journal.id,
            'date': date or fields.Date.context_today(self),
            'ref': label,
            'line_ids': [
                Command.create({'account_id': account.id, 'partner_id': self.partner_id.id, 'name': label,
                                'balance': -amount}),
                Command.create({'account_id': counterpart_account.id, 'name': label, 'balance': amount,
                                'partner_id': (counterpart_partner or self.partner_id).id}),
            ],
        })
        move.action_post()
        self.env['ddcpts.sacco.account'].invalidate_model(['balance'])  # balances are read from the ledger
        return move

    def _sacco_webhook_data(self):
        self.ensure_one()
        return {'number': self.number, 'name': self.name, 'phone': self.phone, 'state': self.state,
                'company': self.company_id.name}


    # ------------------------------------------------------------------
    # External API (JSON-RPC, docs/api.md): read with the caller's rights and companies
    # ------------------------------------------------------------------

    @api.model
    def sacco_lookup(self, query, limit=20):
        """Members whose number, national ID, mobile number or staff number is ``query`` (or whose name
        contains it)."""
        if not isinstance(query, str) or not query.strip() or len(query) > 64:
            raise UserError(_("Give a membership number, national ID, phone number or name to look up."))
        query = query.strip()
        domain = [('number', '=', query.upper())]
        for field in ('national_id', 'staff_number'):
            domain = ['|', (field, '=', ''.join(query.split()).upper())] + domain
        try:
            domain = ['|', ('phone', '=', identity.normalize_msisdn(query, self.env.company.country_id.code))] + domain
        except UserError:
            domain = ['|', ('name', 'ilike', query)] + domain
        members = self.search(domain, limit=min(int(limit), 100))
        return [member._sacco_api_summary() for member in members]

    def _sacco_api_summary(self):
        self.ensure_one()
        return {'id': self.id, 'number': self.number, 'name': self.name, 'state': self.state,
                'phone': self.phone, 'company': self.company_id.name}

    @api.model
    def sacco_balances(self, number):
        """Balances of a member's accounts: ``{'member': …, 'accounts': [{account, product, kind, balance}]}``."""
        member = self._sacco_api_member(number)
        balances = member.account_ids._sacco_balances()
        return {
            'member': member._sacco_api_summary(),
            'currency': member.currency_id.name,
            'accounts': [{'account': account.name, 'product': account.product_id.code, 'kind': account.kind,
                          'balance': balances[account]} for account in member.account_ids],
        }

    @api.model
    def sacco_statement(self, account, date_from=None, date_to=None, offset=0, limit=100):
        """Statement lines of an account (``M0042-DEP``) with opening, closing and running balances, by page."""
        if not isinstance(account, str) or not isinstance(offset, int) or not isinstance(limit, int) \
                or offset < 0 or not 0 < limit <= 1000:
            raise UserError(_("Give the account (e.g. M0042-DEP), an offset of 0 or more and a limit of 1 to 1000."))
        record = self.env['ddcpts.sacco.account'].search([('name', '=', account.strip().upper())], limit=1)
        if not record:
            raise UserError(_("There is no account %s.", account))
        try:
            statement = record._sacco_statement(date_from, date_to, offset=offset, limit=limit)
        except ValueError as error:
            raise UserError(_("Dates are written YYYY-MM-DD.")) from error
        return dict(statement, date_from=fields.Date.to_string(statement['date_from']),
                    date_to=fields.Date.to_string(statement['date_to']),
                    lines=[dict(line, date=fields.Date.to_string(line['date'])) for line in statement['lines']])

    @api.model
    def sacco_financial_summary(self, date_from=None, date_to=None):
        """Members by state, money held per kind of product, and what members paid in during the period."""
        company = self.env.company
        date_to = fields.Date.to_date(date_to) or fields.Date.context_today(self)
        date_from = fields.Date.to_date(date_from) or date_to.replace(day=1)
        members = dict(self._read_group([('company_id', '=', company.id)], ['state'], ['__count']))
        products = self.env['ddcpts.sacco.product'].search([('company_id', '=', company.id)])
        MoveLine = self.env['account.move.line'].sudo()
        base = [('company_id', '=', company.id), ('parent_state', '=', 'posted')]
        held = dict(MoveLine._read_group(base + [('account_id', 'in', products.account_id.ids),
                                                 ('date', '<=', date_to)], ['account_id'], ['balance:sum']))
        paid_in = dict(MoveLine._read_group(base + [('account_id', 'in', products.account_id.ids),
                                                    ('date', '>=', date_from), ('date', '<=', date_to),
                                                    ('credit', '>', 0)], ['account_id'], ['credit:sum']))
        totals = dict.fromkeys(('share', 'deposit', 'savings'), 0.0)
        for product in products:
            totals[product.kind] = totals.get(product.kind, 0.0) - held.get(product.account_id, 0.0)
        return {
            'company': company.name, 'currency': company.currency_id.name,
            'date_from': fields.Date.to_string(date_from), 'date_to': fields.Date.to_string(date_to),
            'members': {state: members.get(state, 0) for state, _label in const.MEMBER_STATES},
            'shares': totals['share'], 'deposits': totals['deposit'], 'savings': totals['savings'],
            'collections': sum(paid_in.values()),
        }

    @api.model
    def _sacco_api_member(self, number):
        if not isinstance(number, str) or not number.strip():
            raise UserError(_("Give a membership number, e.g. M0042."))
        member = self.search([('number', '=', number.strip().upper())], limit=1)
        if not member:
            raise UserError(_("There is no member %s.", number))
        return member
