from odoo import api, fields, models

from odoo.addons.ddcpts_kra_etims.tools.kra_format import parse_kra_datetime


class DdcptsEtimsNotice(models.Model):
    """A notice KRA publishes to eTIMS taxpayers (selectNoticeList), e.g. planned downtime."""
    _name = 'ddcpts.etims.notice'
    _inherit = ['ddcpts.etims.reference.mixin']
    _description = "eTIMS notice"
    _order = 'published_at desc, notice_number desc'
    _rec_name = 'title'

    notice_number = fields.Char(required=True, index=True)
    title = fields.Char(required=True)
    content = fields.Text()
    detail_url = fields.Char("Details")
    published_by = fields.Char()
    published_at = fields.Datetime()

    _sql_constraints = [('number_unique', 'UNIQUE(notice_number)', "A notice number is unique.")]

    @api.model
    def _etims_import(self, data):
        vals_list = []
        for entry in data.get('noticeList') or []:
            number = str(entry.get('noticeNo') or '').strip()
            if not number:
                continue
            vals_list.append({
                'notice_number': number,
                'title': entry.get('title') or number,
                'content': entry.get('cont'),
                'detail_url': entry.get('dtlUrl'),
                'published_by': entry.get('regrNm'),
                'published_at': parse_kra_datetime(entry.get('regDt')),
            })
        self._etims_upsert(['notice_number'], vals_list)
