from datetime import datetime, time

import pytz
from dateutil.relativedelta import relativedelta

from odoo import _, api, fields, models
from odoo.tools.misc import formatLang


class DdcptsDashboard(models.AbstractModel):
    """The East Africa overview (client action ``ddcpts_dashboard``), computed when it is opened.

    Each addon adds its tiles by extending ``_ddcpts_dashboard_tiles`` (call super, append tiles
    built with ``_ddcpts_tile``). A tile is ``{'key', 'sequence', 'title', 'icon', 'lines'}``; a line
    is ``{'label', 'value', 'level', 'action'}``: ``level`` ('danger', 'warning', 'success' or False)
    colours the value, ``action`` (a window action, see ``_ddcpts_list_action``) opens the records
    behind it. Tiles of models the user cannot read are left out.
    """
    _name = 'ddcpts.dashboard'
    _description = "East Africa overview"

    @api.model
    def ddcpts_get_tiles(self):
        """Called by the web client: the tiles of the user's current companies, in order."""
        tiles = [tile for tile in self._ddcpts_dashboard_tiles() if tile and tile['lines']]
        return sorted(tiles, key=lambda tile: (tile['sequence'], tile['key']))

    @api.model
    def _ddcpts_dashboard_tiles(self):
        return [
            self._ddcpts_collections_tile(),
            self._ddcpts_payouts_tile(),
            self._ddcpts_monitoring_tile(),
        ]

    # ------------------------------------------------------------------
    # Helpers for the tiles of every addon
    # ------------------------------------------------------------------

    @api.model
    def _ddcpts_tile(self, key, title, lines, sequence=50, icon='fa-circle-o'):
        return {'key': key, 'title': title, 'lines': [line for line in lines if line], 'sequence': sequence,
                'icon': icon}

    @api.model
    def _ddcpts_line(self, label, value, action=None, level=False):
        return {'label': label, 'value': value, 'action': action or False, 'level': level}

    @api.model
    def _ddcpts_count_line(self, label, model, domain, action_name=None, level_if_any=False, views='list,form'):
        """A line counting ``model`` records of ``domain``; None when the user cannot read them."""
        if not self._ddcpts_can_read(model):
            return None
        count = self.env[model].search_count(domain)
        return self._ddcpts_line(label, count, self._ddcpts_list_action(action_name or label, model, domain, views),
                                 level_if_any if count else False)

    @api.model
    def _ddcpts_list_action(self, name, model, domain, views='list,form', context=None):
        return {
            'type': 'ir.actions.act_window', 'name': name, 'res_model': model, 'domain': domain,
            'views': [(False, view) for view in views.split(',')], 'context': context or {},
        }

    @api.model
    def _ddcpts_can_read(self, model):
        return self.env[model].has_access('read')

    @api.model
    def _ddcpts_period_starts(self):
        """Start of today and of this month in the user's time zone, as naive UTC datetimes."""
        tz = pytz.timezone(self.env.user.tz or 'Africa/Nairobi')
        today = fields.Datetime.now().replace(tzinfo=pytz.utc).astimezone(tz).date()

        def utc(day):
            return tz.localize(datetime.combine(day, time.min)).astimezone(pytz.utc).replace(tzinfo=None)
        return utc(today), utc(today.replace(day=1))

    # ------------------------------------------------------------------
    # Tiles of ddcpts_base
    # ------------------------------------------------------------------

    @api.model
    def _ddcpts_collections_tile(self):
        """Online payments confirmed today and this month, per payment provider (M-Pesa, MoMo, …)."""
        if not self._ddcpts_can_read('payment.transaction'):
            return None
        today, month = self._ddcpts_period_starts()
        domain = [('state', '=', 'done'), ('operation', '!=', 'refund'), ('company_id', 'in', self.env.companies.ids),
                  ('last_state_change', '>=', month)]
        Transaction = self.env['payment.transaction']
        groups = Transaction._read_group(domain, ['provider_id', 'currency_id'], ['amount:sum'])
        today_groups = {(provider, currency): amount for provider, currency, amount in Transaction._read_group(
            domain + [('last_state_change', '>=', today)], ['provider_id', 'currency_id'], ['amount:sum'])}
        lines = []
        for provider, currency, amount in groups:
            provider_domain = domain + [('provider_id', '=', provider.id), ('currency_id', '=', currency.id)]
            lines.append(self._ddcpts_line(
                _("%s today", provider.name), formatLang(self.env, today_groups.get((provider, currency), 0.0),
                                                          currency_obj=currency),
                self._ddcpts_list_action(_("%s payments today", provider.name), 'payment.transaction',
                                         provider_domain + [('last_state_change', '>=', today)]),
                level='success'))
            lines.append(self._ddcpts_line(
                _("%s this month", provider.name), formatLang(self.env, amount, currency_obj=currency),
                self._ddcpts_list_action(_("%s payments this month", provider.name), 'payment.transaction',
                                         provider_domain)))
        if not lines:
            lines.append(self._ddcpts_line(_("Collected this month"), 0))
        lines.append(self._ddcpts_line(
            _("Collections and success rates"), _("Report"),
            self.env['ir.actions.act_window']._for_xml_id('ddcpts_base.ddcpts_collection_report_action')))
        return self._ddcpts_tile('collections', _("Collections"), lines, sequence=10, icon='fa-money')

    @api.model
    def _ddcpts_payouts_tile(self):
        company = [('company_id', 'in', self.env.companies.ids)]
        return self._ddcpts_tile('payouts', _("Payouts"), [
            self._ddcpts_count_line(_("Waiting for my approval"), 'ddcpts.payout', company + [
                ('state', '=', 'to_approve'), ('activity_user_id', '=', self.env.uid)], level_if_any='warning'),
            self._ddcpts_count_line(_("Waiting for approval"), 'ddcpts.payout',
                                    company + [('state', '=', 'to_approve')]),
            self._ddcpts_count_line(_("On their way"), 'ddcpts.payout',
                                    company + [('state', 'in', ('approved', 'sent'))]),
            self._ddcpts_count_line(_("Failed"), 'ddcpts.payout', company + [('state', '=', 'failed')],
                                    _("Failed payouts"), level_if_any='danger'),
        ], sequence=20, icon='fa-paper-plane')

    @api.model
    def _ddcpts_monitoring_tile(self):
        since = fields.Datetime.now() - relativedelta(days=1)
        return self._ddcpts_tile('monitoring', _("Callbacks and Providers"), [
            self._ddcpts_count_line(_("Failed callbacks"), 'ddcpts.callback', [('state', '=', 'failed')],
                                    level_if_any='danger'),
            self._ddcpts_count_line(_("Rejected callbacks (24 h)"), 'ddcpts.callback', [
                ('state', '=', 'rejected'), ('received_at', '>=', since)], level_if_any='warning'),
            self._ddcpts_count_line(_("Failing providers"), 'ddcpts.health.status', [('state', '=', 'failing')],
                                    level_if_any='danger', views='list'),
            self._ddcpts_count_line(_("Failed provider calls (24 h)"), 'ddcpts.provider.call', [
                ('success', '=', False), ('create_date', '>=', since)], level_if_any='warning'),
        ], sequence=90, icon='fa-heartbeat')
