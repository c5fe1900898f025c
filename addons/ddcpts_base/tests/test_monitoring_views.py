from lxml import etree

from odoo.tests import tagged

from odoo.addons.ddcpts_base.tests.common import DdcptsCase


def list_columns(model, view_xmlid):
    """The columns a clerk sees in a list view: ``[(field name, label)]``, hidden fields left out."""
    view = model.env.ref(view_xmlid)
    arch = etree.fromstring(model.get_view(view.id, 'list')['arch'])
    labels = model.fields_get(attributes=['string'])
    return [(node.get('name'), node.get('string') or labels[node.get('name')]['string'])
            for node in arch.xpath('/list/field')
            if node.get('column_invisible') not in ('1', 'True') and node.get('optional') != 'hide']


def web_client_aggregates(model, view_xmlid):
    """What the web client asks ``web_read_group`` to total in a grouped list (its ``_webReadGroup``):
    ``field:aggregator`` of every column whose field has an aggregator."""
    fields = model.fields_get(attributes=['aggregator'])
    return [f"{name}:{fields[name]['aggregator']}" for name, _label in list_columns(model, view_xmlid)
            if fields[name].get('aggregator')]


@tagged('post_install', '-at_install')
class TestMonitoringViews(DdcptsCase):
    """The monitoring lists as the web client shows them to a clerk."""

    def test_health_list_names_the_provider_and_its_company(self):
        branch = self.env['res.company'].create({'name': "Umoja Traders Mombasa"})
        admin = self.env.ref('base.user_admin')
        admin.company_ids |= branch
        endpoints = self.env['ddcpts.webhook.endpoint'].create([
            {'name': "Sales hook", 'url': 'https://erp.example.com/hook', 'company_id': company.id}
            for company in (self.env.company, branch)])
        Health = self.env['ddcpts.health.status']
        Health._ddcpts_record_result(endpoints[0], success=True)
        Health._ddcpts_record_result(endpoints[1], success=False, error="connection refused")

        columns = list_columns(Health, 'ddcpts_base.ddcpts_health_status_view_list')
        self.assertEqual(columns[:4], [('name', "Provider"), ('kind', "Type"), ('company_id', "Company"),
                                       ('state', "State")])
        self.assertNotIn('provider', dict(columns), "the integration's technical code is not a column")
        specification = {name: {'fields': {'display_name': {}}} if name == 'company_id' else {}
                         for name, _label in columns}
        rows = Health.with_user(admin).with_context(allowed_company_ids=[self.env.company.id, branch.id]) \
            .web_search_read([('res_model', '=', endpoints._name), ('res_id', 'in', endpoints.ids)],
                             specification)['records']
        self.assertEqual(
            sorted((row['name'], row['kind'], row['company_id']['display_name'], row['state']) for row in rows),
            sorted([("Sales hook", "Webhook endpoint", self.env.company.name, 'ok'),
                    ("Sales hook", "Webhook endpoint", "Umoja Traders Mombasa", 'failing')]),
            "two providers of the same name are told apart by their company",
        )

    def test_call_log_totals_only_what_adds_up(self):
        Call = self.env['ddcpts.provider.call']
        view = 'ddcpts_base.ddcpts_provider_call_view_list'
        calls = Call.create([
            {'provider': 'webhook', 'endpoint': 'ping', 'method': 'POST', 'url': 'https://erp.example.com/hook',
             'status_code': status, 'success': status == 200, 'duration_ms': duration, 'attempt': attempt}
            for status, duration, attempt in ((200, 100, 1), (200, 300, 1), (503, 200, 2))])
        arch = etree.fromstring(Call.get_view(self.env.ref(view).id, 'list')['arch'])
        self.assertFalse(arch.xpath('//field[@sum or @avg]'), "no total row under the ungrouped list")
        # grouped by provider: the average duration, no sum of durations, HTTP statuses or attempt numbers
        self.assertEqual(web_client_aggregates(Call, view), ['duration_ms:avg'])
        [group] = Call.web_read_group([('id', 'in', calls.ids)], web_client_aggregates(Call, view),
                                      ['provider'])['groups']
        self.assertEqual((group['provider'], group['provider_count'], group['duration_ms']), ('webhook', 3, 200))
        self.assertNotIn('status_code', group)
