from odoo import api, fields, models

from odoo.addons.ddcpts_kra_etims import const


class AccountMoveReversal(models.TransientModel):
    _inherit = 'account.move.reversal'

    etims_refund_reason = fields.Selection(const.REFUND_REASONS, "KRA Credit Note Reason",
                                           help="rfdRsnCd sent to eTIMS with the credit note.")
    etims_applicable = fields.Boolean(compute='_compute_etims_applicable')

    @api.depends('move_ids')
    def _compute_etims_applicable(self):
        for wizard in self:
            wizard.etims_applicable = any(move.etims_state for move in wizard.move_ids)

    def _prepare_default_reversal(self, move):
        values = super()._prepare_default_reversal(move)
        if self.etims_refund_reason and move.move_type == 'out_invoice':
            values['etims_refund_reason'] = self.etims_refund_reason
        return values
