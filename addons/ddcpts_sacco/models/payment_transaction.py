from odoo import _, api, models


class PaymentTransaction(models.Model):
    """Mobile money for members: paybill references such as M0042-DEP credit the member's account.

    Whatever the provider (M-Pesa, MoMo), the money reaches a member account through the generic
    hooks of ddcpts_base: ``_ddcpts_match_reference`` claims the reference, ``_ddcpts_post_process_origin``
    moves the confirmed payment from the member's receivable to the product account.
    """
    _inherit = 'payment.transaction'

    @api.model
    def _selection_ddcpts_origin(self):
        return super()._selection_ddcpts_origin() + [('ddcpts.sacco.account', "SACCO Account")]

    @api.model
    def _ddcpts_match_reference(self, reference, company, msisdn=None):
        account = self.env['ddcpts.sacco.account']._sacco_find_by_reference(reference, company)
        if account:
            return {'partner_id': account.partner_id.id, 'ddcpts_origin': f'{account._name},{account.id}'}
        return super()._ddcpts_match_reference(reference, company, msisdn=msisdn)

    def _ddcpts_post_process_origin(self):
        super()._ddcpts_post_process_origin()
        account = self.ddcpts_origin
        if account._name != 'ddcpts.sacco.account' or not self.payment_id:
            return
        payment = self.payment_id
        receivable = payment.move_id.line_ids.filtered(
            lambda line: line.account_id == payment.destination_account_id and not line.reconciled)
        if not receivable:
            return  # applied already (post-processing ran twice)
        receivable_account = payment.destination_account_id
        # in the company's currency: member accounts are kept in it, whatever currency the money came in
        move = account.with_company(self.company_id)._sacco_post(
            -sum(receivable.mapped('balance')), receivable_account, date=payment.date,
            ref=_("%(account)s (%(payment)s)", account=account.name, payment=self.provider_reference or self.reference))
        (receivable | move.line_ids.filtered(lambda line: line.account_id == receivable_account)).reconcile()

