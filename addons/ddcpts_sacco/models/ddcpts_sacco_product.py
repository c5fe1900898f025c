from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

from odoo.addons.ddcpts_base.tools.actions import notification
from odoo.addons.ddcpts_sacco import const


class DdcptsSaccoProduct(models.Model):
    """A kind of member account (Fineract "savings/share product"): which general-ledger account holds the
    members' money, whether it can be withdrawn and what members owe each month.

    The product's account is a sub-ledger by partner: the balance of a member account is the sum of the
    posted journal items on it with the member as partner (docs/sacco.md).
    """
    _name = 'ddcpts.sacco.product'
    _inherit = ['ddcpts.sacco.code.mixin']
    _description = "SACCO Product"
    _order = 'sequence, id'
    _check_company_auto = True

    name = fields.Char(required=True, translate=True)
    code = fields.Char(required=True, help="Short code members type after their number when they pay, e.g. DEP.")
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    kind = fields.Selection(const.PRODUCT_KINDS, required=True, default='deposit')
    company_id = fields.Many2one('res.company', required=True, default=lambda self: self.env.company)
    currency_id = fields.Many2one(related='company_id.currency_id')
    account_id = fields.Many2one(
        'account.account', "GL Account", required=True, check_company=True,
        help="General-ledger account of the members' balances of this product (one product per account).")
    withdrawable = fields.Boolean(compute='_compute_withdrawable', store=True, readonly=False,
                                  help="Members may take the money out (savings); shares and deposits stay.")
    minimum_balance = fields.Monetary(help="Balance a member must keep (the by-laws' minimum share capital).")
    monthly_contribution = fields.Monetary(help="What an active member owes each month on this product.")
    auto_open = fields.Boolean("Open for New Members", default=True,
                               help="Every member gets an account of this product when the membership is activated.")
    account_count = fields.Integer(compute='_compute_account_count')

    _sql_constraints = [
        ('code_company_uniq', 'unique(code, company_id)', "Each product needs its own code."),
        ('account_company_uniq', 'unique(account_id, company_id)',
         "Two products cannot share a general-ledger account: their member balances would mix."),
    ]

    @api.depends('kind')
    def _compute_withdrawable(self):
        for product in self:
            product.withdrawable = product.kind == 'savings'

    def _compute_account_count(self):
        counts = dict(self.env['ddcpts.sacco.account']._read_group(
            [('product_id', 'in', self.ids)], ['product_id'], ['__count']))
        for product in self:
            product.account_count = counts.get(product, 0)

    @api.constrains('kind', 'account_id')
    def _check_account_type(self):
        for product in self:
            allowed = const.PRODUCT_ACCOUNT_TYPES[product.kind]
            if product.account_id.account_type not in allowed:
                raise ValidationError(_(
                    "%(product)s must post to an account of type %(types)s, not %(account)s.",
                    product=product.name, account=product.account_id.display_name,
                    types=", ".join(dict(self.env['account.account']._fields['account_type']._description_selection(
                        self.env)).get(kind, kind) for kind in allowed)))

    # ------------------------------------------------------------------
    # Reconciliation of the sub-ledger with the general ledger
    # ------------------------------------------------------------------

    def _sacco_reconciliation(self):
        """Per product: the general-ledger balance of its account and the sum of its member balances.

        Both are read from posted journal items; they differ when something was posted on the account
        without a member as partner (or with a partner who has no account of the product).
        :return: {product: (gl_balance, members_total)} as credit-positive amounts
        """
        result = {}
        MoveLine = self.env['account.move.line'].sudo()
        for product in self:
            [[gl]] = MoveLine._read_group(
                [('account_id', '=', product.account_id.id), ('company_id', '=', product.company_id.id),
                 ('parent_state', '=', 'posted')], aggregates=['balance:sum'])
            accounts = self.env['ddcpts.sacco.account'].sudo().search([('product_id', '=', product.id)])
            members_total = sum(accounts._sacco_balances().values())
            result[product] = (-(gl or 0.0), members_total)
        return result

    def action_check_reconciliation(self):
        """Button: prove that the members' balances add up to the general ledger, product by product."""
        lines, ok = [], True
        for product, (gl, members) in self._sacco_reconciliation().items():
            matches = product.currency_id.compare_amounts(gl, members) == 0
            ok &= matches
            lines.append(_("%(product)s: general ledger %(gl)s, members %(members)s%(verdict)s",
                           product=product.name, gl=product.currency_id.format(gl),
                           members=product.currency_id.format(members),
                           verdict="" if matches else _(" (difference %s)",
                                                        product.currency_id.format(gl - members))))
        title = _("Member balances agree with the general ledger") if ok \
            else _("Member balances differ from the general ledger")
        return notification("\n".join(lines), title, 'success' if ok else 'danger', sticky=not ok)

    def action_view_accounts(self):
        self.ensure_one()
        action = self.env['ir.actions.act_window']._for_xml_id('ddcpts_sacco.ddcpts_sacco_account_action')
        action['domain'] = [('product_id', '=', self.id)]
        return action
