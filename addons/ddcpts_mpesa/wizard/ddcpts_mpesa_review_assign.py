from odoo import _, api, fields, models
from odoo.exceptions import UserError


class DdcptsMpesaReviewAssign(models.TransientModel):
    """Assign M-Pesa money waiting for review to a customer, invoices or a document, and book it."""
    _name = 'ddcpts.mpesa.review.assign'
    _description = "Assign M-Pesa money"

    transaction_id = fields.Many2one('payment.transaction', required=True, readonly=True)
    company_id = fields.Many2one(related='transaction_id.company_id')
    currency_id = fields.Many2one(related='transaction_id.currency_id')
    amount = fields.Monetary(compute='_compute_amount', string="Amount Received")
    reason = fields.Char(related='transaction_id.ddcpts_review_reason')
    bill_ref = fields.Char(related='transaction_id.mpesa_bill_ref')
    payer = fields.Char(compute='_compute_payer')
    partner_id = fields.Many2one('res.partner', "Customer", compute='_compute_partner_id', store=True,
                                 readonly=False, precompute=True, check_company=True)
    invoice_ids = fields.Many2many(
        'account.move', string="Invoices", compute='_compute_invoice_ids', store=True, readonly=False, precompute=True,
        domain="[('move_type', '=', 'out_invoice'), ('state', '=', 'posted'), "
               "('payment_state', 'in', ('not_paid', 'partial')), ('company_id', '=', company_id), "
               "('commercial_partner_id', '=', commercial_partner_id)]",
    )
    commercial_partner_id = fields.Many2one(related='partner_id.commercial_partner_id')
    origin = fields.Reference(selection='_selection_origin', string="Other Document",
                              help="A document of another application this money pays (a loan, a savings account…).")

    @api.model
    def _selection_origin(self):
        return self.env['payment.transaction']._selection_ddcpts_origin()

    @api.depends('transaction_id')
    def _compute_amount(self):
        for wizard in self:
            tx = wizard.transaction_id
            wizard.amount = tx.mpesa_amount_received or tx.amount

    @api.depends('transaction_id')
    def _compute_payer(self):
        for wizard in self:
            tx = wizard.transaction_id
            wizard.payer = ' '.join(filter(None, [tx.mpesa_payer_name, tx.mpesa_phone and f'({tx.mpesa_phone})']))

    @api.depends('transaction_id')
    def _compute_partner_id(self):
        unidentified = self.env.ref('ddcpts_mpesa.partner_unidentified_payer')
        for wizard in self:
            partner = wizard.transaction_id.partner_id
            wizard.partner_id = partner if partner != unidentified else False

    @api.depends('partner_id')
    def _compute_invoice_ids(self):
        """Suggest the customer's open invoice of exactly the amount received (the linked ones first)."""
        for wizard in self:
            tx = wizard.transaction_id
            if tx.invoice_ids and tx.invoice_ids.commercial_partner_id == wizard.commercial_partner_id:
                wizard.invoice_ids = tx.invoice_ids
                continue
            wizard.invoice_ids = self.env['account.move'].search([
                ('move_type', '=', 'out_invoice'), ('state', '=', 'posted'),
                ('payment_state', 'in', ('not_paid', 'partial')), ('company_id', '=', wizard.company_id.id),
                ('commercial_partner_id', '=', wizard.commercial_partner_id.id),
                ('amount_residual', '=', wizard.amount),
            ], order='invoice_date_due, id', limit=1) if wizard.partner_id else False

    def action_assign(self):
        self.ensure_one()
        tx = self.transaction_id
        if not tx.ddcpts_needs_review:
            raise UserError(_("%s was assigned already.", tx.reference))
        if not self.partner_id:
            raise UserError(_("Choose the customer who paid."))
        tx.sudo()._mpesa_assign(self.partner_id, invoices=self.invoice_ids, origin=self.origin or None)
        return {'type': 'ir.actions.act_window_close'}
