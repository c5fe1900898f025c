from dateutil.relativedelta import relativedelta

from odoo import _, api, fields, models


class DdcptsDashboard(models.AbstractModel):
    _inherit = 'ddcpts.dashboard'

    @api.model
    def _ddcpts_dashboard_tiles(self):
        return super()._ddcpts_dashboard_tiles() + [self._ddcpts_sms_dashboard_tile()]

    @api.model
    def _ddcpts_sms_dashboard_tile(self):
        """Balance of each gateway and the delivery rate of the last 7 days."""
        if not self._ddcpts_can_read('ddcpts.sms.message'):
            return None
        company = [('company_id', 'in', self.env.companies.ids + [False])]
        lines = []
        if self._ddcpts_can_read('ddcpts.sms.gateway'):
            for gateway in self.env['ddcpts.sms.gateway'].search(company):
                lines.append(self._ddcpts_line(
                    _("%s balance", gateway.name), gateway.balance or _("not read yet"),
                    {'type': 'ir.actions.act_window', 'res_model': 'ddcpts.sms.gateway', 'res_id': gateway.id,
                     'views': [(False, 'form')]}))
        week = company + [('sent_at', '>=', fields.Datetime.now() - relativedelta(days=7))]
        counts = dict(self.env['ddcpts.sms.message']._read_group(week, ['state'], ['__count']))
        finished = counts.get('delivered', 0) + counts.get('failed', 0)
        rate = counts.get('delivered', 0) * 100 // finished if finished else None
        lines.append(self._ddcpts_line(
            _("Delivered (7 days)"), f"{rate} %" if rate is not None else _("no report yet"),
            self._ddcpts_list_action(_("SMS of the last 7 days"), 'ddcpts.sms.message', week),
            level=rate is not None and ('success' if rate >= 90 else 'warning')))
        lines.append(self._ddcpts_count_line(_("Failed (7 days)"), 'ddcpts.sms.message',
                                             week + [('state', '=', 'failed')], _("Failed SMS"),
                                             level_if_any='danger'))
        return self._ddcpts_tile('sms', _("SMS"), lines, sequence=40, icon='fa-mobile')
