from odoo import _, api, models


class DdcptsDashboard(models.AbstractModel):
    _inherit = 'ddcpts.dashboard'

    @api.model
    def _ddcpts_dashboard_tiles(self):
        return super()._ddcpts_dashboard_tiles() + [self._etims_dashboard_tile()]

    @api.model
    def _etims_dashboard_tile(self):
        """The eTIMS queue and what a clerk must fix."""
        company = [('company_id', 'in', self.env.companies.ids)]
        return self._ddcpts_tile('etims', _("KRA eTIMS"), [
            self._ddcpts_count_line(_("Queued for KRA"), 'account.move',
                                    company + [('etims_state', 'in', ('to_send', 'sending'))], _("eTIMS queue")),
            self._ddcpts_count_line(_("Errors"), 'account.move', company + [('etims_state', '=', 'error')],
                                    _("eTIMS errors"), level_if_any='danger'),
            self._ddcpts_count_line(_("To confirm from the eTIMS portal"), 'account.move',
                                    company + [('etims_state', '=', 'to_confirm')], level_if_any='warning'),
            self._ddcpts_count_line(_("Not sent (waiting for the button)"), 'account.move',
                                    company + [('etims_state', '=', 'pending')]),
            self._ddcpts_count_line(_("Devices not initialized"), 'ddcpts.etims.device',
                                    company + [('state', '!=', 'ready')], level_if_any='warning'),
        ], sequence=30, icon='fa-certificate')
