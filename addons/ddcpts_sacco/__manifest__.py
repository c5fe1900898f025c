{
    'name': "DDCPTS SACCO: Members, Shares, Deposits and Savings",
    'version': '18.0.1.0.0',
    'category': 'Accounting/Accounting',
    'summary': "Run a SACCO's members and their money in Odoo: membership, KYC, share capital, deposits and "
               "savings posted to the general ledger, receipts and mobile-money allocation by paybill reference.",
    'author': "DDCPTS",
    'website': "https://github.com/ddcpts/ddcpts",
    'depends': ['ddcpts_base', 'account', 'payment', 'portal', 'ddcpts_sms', 'l10n_ke'],
    'external_dependencies': {
        'python': ['python-stdnum', 'phonenumbers', 'openpyxl'],
    },
    'data': [
        'security/ddcpts_sacco_security.xml',
        'security/ir.model.access.csv',

        'data/ir_sequence_data.xml',
        'data/ddcpts_webhook_event_data.xml',
        'data/ir_cron_data.xml',
        'data/sms_template_data.xml',

        'report/ddcpts_sacco_statement_templates.xml',
        'wizard/ddcpts_sacco_receipt_views.xml',
        'wizard/ddcpts_sacco_statement_views.xml',
        'wizard/ddcpts_sacco_withdrawal_views.xml',
        'views/ddcpts_sacco_member_views.xml',
        'views/ddcpts_sacco_account_views.xml',
        'views/ddcpts_sacco_product_views.xml',
        'views/ddcpts_sacco_checkoff_views.xml',
        'views/ddcpts_sacco_interest_run_views.xml',
        'views/ddcpts_sacco_susu_group_views.xml',
        'views/res_config_settings_views.xml',
        'views/ddcpts_sacco_portal_templates.xml',
        'views/ddcpts_sacco_menus.xml',
    ],
    'demo': [
        'demo/ddcpts_sacco_demo.xml',
    ],
    'assets': {
        'web.assets_tests': [
            'ddcpts_sacco/static/tests/tours/**/*',
        ],
    },
    'license': 'LGPL-3',
}
