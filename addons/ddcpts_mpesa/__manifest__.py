{
    'name': "DDCPTS M-Pesa (Safaricom Daraja)",
    'version': '18.0.1.0.0',
    'category': 'Accounting/Payment Providers',
    'summary': "M-Pesa STK push payments, paybill/till collections matched to invoices, B2C payouts, status, "
               "balance, reversals and till statement reconciliation through Safaricom Daraja.",
    'author': "DDCPTS",
    'website': "https://github.com/ddcpts/ddcpts",
    'depends': ['ddcpts_base', 'payment', 'account_payment', 'l10n_ke'],
    'external_dependencies': {
        'python': ['cryptography', 'requests', 'openpyxl'],
    },
    'data': [
        'security/ddcpts_mpesa_security.xml',
        'security/ir.model.access.csv',

        'views/payment_mpesa_templates.xml',  # before the provider that points at the inline form

        'data/account_payment_method_data.xml',
        'data/payment_provider_data.xml',
        'data/res_partner_data.xml',
        'data/ir_cron_data.xml',

        'views/payment_provider_views.xml',
        'views/payment_transaction_views.xml',
        'views/account_move_views.xml',
        'views/account_bank_statement_line_views.xml',
        'views/ddcpts_mpesa_request_views.xml',
        'views/ddcpts_payout_views.xml',
        'wizard/ddcpts_mpesa_review_assign_views.xml',
        'wizard/ddcpts_mpesa_statement_import_views.xml',
        'views/ddcpts_mpesa_menus.xml',
    ],
    'demo': [
        'demo/mpesa_demo.xml',
    ],
    'assets': {
        'web.assets_frontend': [
            'ddcpts_mpesa/static/src/js/payment_form.js',
        ],
        'web.assets_tests': [
            'ddcpts_mpesa/static/tests/tours/**/*',
        ],
    },
    'post_init_hook': 'post_init_hook',
    'uninstall_hook': 'uninstall_hook',
    'license': 'LGPL-3',
}
