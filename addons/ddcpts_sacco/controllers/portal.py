from psycopg2 import IntegrityError

from odoo import _, fields, http
from odoo.exceptions import AccessError, MissingError, UserError, ValidationError
from odoo.http import request

from odoo.addons.portal.controllers.portal import CustomerPortal


class SaccoPortal(CustomerPortal):
    """Members see their own accounts and statements on the portal (record rules keep everyone else's out)."""

    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if 'sacco_account_count' in counters:
            Account = request.env['ddcpts.sacco.account']
            values['sacco_account_count'] = Account.search_count([]) if Account.has_access('read') else 0
        return values

    @http.route('/my/sacco', type='http', auth='user', website=True)
    def portal_my_sacco(self, **kwargs):
        accounts = request.env['ddcpts.sacco.account'].search([('partner_id', '=', request.env.user.partner_id.id)])
        values = self._prepare_portal_layout_values()
        values.update(page_name='sacco', accounts=accounts, balances=accounts._sacco_balances(),
                      members=accounts.member_id)
        return request.render('ddcpts_sacco.portal_my_sacco', values)

    @http.route('/my/sacco/statement/<int:account_id>', type='http', auth='user', website=True)
    def portal_my_sacco_statement(self, account_id, date_from=None, date_to=None, report_type='html', **kwargs):
        account = request.env['ddcpts.sacco.account'].browse(account_id)
        try:
            account.check_access('read')
            account.name  # noqa: B018 (raises MissingError for a deleted account)
        except (AccessError, MissingError):
            return request.redirect('/my/sacco')
        today = fields.Date.context_today(account)
        try:
            date_from = fields.Date.to_date(date_from) or today.replace(month=1, day=1)
            date_to = fields.Date.to_date(date_to) or today
            statement = account._sacco_statement(date_from, date_to)
        except (ValueError, UserError):
            return request.redirect(f'/my/sacco/statement/{account.id}')
        if report_type == 'pdf':
            pdf, _type = request.env['ir.actions.report'].sudo()._render_qweb_pdf(
                'ddcpts_sacco.action_report_statement', account.ids, data={
                    'date_from': fields.Date.to_string(date_from), 'date_to': fields.Date.to_string(date_to)})
            return request.make_response(pdf, headers=[
                ('Content-Type', 'application/pdf'), ('Content-Length', len(pdf)),
                ('Content-Disposition', f'inline; filename="Statement {account.name}.pdf"')])
        values = self._prepare_portal_layout_values()
        values.update(page_name='sacco_statement', account=account, statement=statement)
        return request.render('ddcpts_sacco.portal_my_sacco_statement', values)

    @http.route('/my/sacco/apply', type='http', auth='user', methods=['GET', 'POST'], website=True)
    def portal_my_sacco_apply(self, **post):
        """A logged-in person applies for membership; an officer completes the KYC and activates it."""
        partner = request.env.user.partner_id
        Member = request.env['ddcpts.sacco.member'].sudo()
        if Member.search_count([('partner_id', '=', partner.id), ('state', '!=', 'exited')], limit=1):
            return request.redirect('/my/sacco')
        values = self._prepare_portal_layout_values()
        values.update(page_name='sacco_apply', error=False,
                      form={'name': partner.name, 'phone': partner.mobile or partner.phone or '', 'national_id': '',
                            'kra_pin': '', 'birthdate': ''})
        if request.httprequest.method == 'POST':
            form = {field: str(post.get(field) or '').strip()[:64] for field in values['form']}
            values['form'] = form
            missing = [label for field, label in (('name', _("name")), ('national_id', _("national ID")),
                                                  ('phone', _("mobile number"))) if not form[field]]
            if missing:
                values['error'] = _("Please fill in: %s.", ", ".join(missing))
                return request.render('ddcpts_sacco.portal_my_sacco_apply', values)
            national_id = ''.join(form['national_id'].split()).upper()
            if Member.search_count([('national_id', '=', national_id),
                                    ('company_id', '=', request.env.user.company_id.id)], limit=1):
                # never tell an applicant who holds a national ID
                values['error'] = _("A member with this national ID is registered already: contact the SACCO.")
                return request.render('ddcpts_sacco.portal_my_sacco_apply', values)
            try:
                with request.env.cr.savepoint():
                    member = Member.with_company(request.env.user.company_id).create({
                        'name': form['name'], 'national_id': form['national_id'], 'phone': form['phone'],
                        'kra_pin': form['kra_pin'] or False, 'birthdate': form['birthdate'] or False,
                        'partner_id': partner.id,
                    })
            except (UserError, ValidationError, ValueError) as error:
                values['error'] = error.args[0] if error.args else _("Please check the form.")
                return request.render('ddcpts_sacco.portal_my_sacco_apply', values)
            except IntegrityError:
                values['error'] = _("A member with this national ID is registered already: contact the SACCO.")
                return request.render('ddcpts_sacco.portal_my_sacco_apply', values)
            member._message_log(body=_("Application received from the portal."))
            return request.redirect('/my/sacco?applied=1')
        return request.render('ddcpts_sacco.portal_my_sacco_apply', values)
