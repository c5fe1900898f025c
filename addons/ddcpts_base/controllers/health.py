from odoo import fields, http
from odoo.http import request


class DdcptsHealthController(http.Controller):

    @http.route('/ddcpts/health', type='http', auth='public', methods=['GET'], save_session=False, readonly=True)
    def ddcpts_health(self, token=None):
        """Last known state of every provider and of the queues, for monitoring tools.

        Answered to an Integration Manager's session, or to the token generated in the settings
        (``Authorization: Bearer <token>`` or ``?token=``); 401 without credentials, 403 with wrong ones.
        """
        bearer = request.httprequest.headers.get('Authorization', '')
        token = token or (bearer[7:].strip() if bearer.lower().startswith('bearer ') else None)
        env = request.env
        if token:
            if not env['res.config.settings'].sudo()._ddcpts_check_health_token(token):
                return request.make_json_response({'error': "Invalid token."}, status=403)
        elif env.user._is_public():
            return request.make_json_response({'error': "Authentication required."}, status=401)
        elif not env.user.has_group('ddcpts_base.group_ddcpts_manager'):
            return request.make_json_response({'error': "Integration Manager access required."}, status=403)
        return request.make_json_response(self._ddcpts_health_report(env(su=True)))

    @staticmethod
    def _ddcpts_health_report(env):
        statuses = env['ddcpts.health.status'].search([])
        counts = {
            'callbacks_failed': env['ddcpts.callback'].search_count([('state', '=', 'failed')]),
            'callbacks_unprocessed': env['ddcpts.callback'].search_count([('state', '=', 'received')]),
            'webhooks_pending': env['ddcpts.webhook.delivery'].search_count([('state', '=', 'pending')]),
            'webhooks_failed': env['ddcpts.webhook.delivery'].search_count([('state', '=', 'failed')]),
            'payouts_awaiting_result': env['ddcpts.payout'].search_count([('state', '=', 'sent')]),
        }
        return {
            'status': 'degraded' if any(status.state == 'failing' for status in statuses) else 'ok',
            'time': _iso(fields.Datetime.now()),
            'providers': [{
                'provider': status.provider,
                'name': status.name,
                'state': status.state,
                'last_success_at': _iso(status.last_success_at),
                'last_failure_at': _iso(status.last_failure_at),
                'last_error': status.last_error or None,
                'last_check_at': _iso(status.last_check_at),
            } for status in statuses],
            'queues': counts,
        }


def _iso(moment):
    return moment.isoformat() + 'Z' if moment else None
