{
    'name': "DDCPTS MTN Mobile Money",
    'version': '18.0.1.0.0',
    'category': 'Accounting/Payment Providers',
    'summary': "MTN MoMo Request-to-Pay payments settled by status query, disbursement payouts, balance and "
               "sandbox provisioning through the MoMo Open API.",
    'author': "DDCPTS",
    'website': "https://github.com/ddcpts/ddcpts",
    'depends': ['ddcpts_base', 'payment', 'account_payment'],
    'external_dependencies': {
        'python': ['requests', 'phonenumbers'],
    },
    'data': [
        'security/ir.model.access.csv',

        'views/payment_momo_templates.xml',  # before the provider that points at the inline form

        'data/account_payment_method_data.xml',
        'data/payment_method_data.xml',
        'data/payment_provider_data.xml',
        'data/ir_cron_data.xml',

        'views/payment_provider_views.xml',
        'views/payment_transaction_views.xml',
        'views/account_move_views.xml',
        'views/ddcpts_payout_views.xml',
        'wizard/ddcpts_momo_sandbox_setup_views.xml',
    ],
    'demo': [
        'demo/momo_demo.xml',
    ],
    'assets': {
        'web.assets_frontend': [
            'ddcpts_momo/static/src/js/payment_form.js',
        ],
        'web.assets_tests': [
            'ddcpts_momo/static/tests/tours/**/*',
        ],
    },
    'post_init_hook': 'post_init_hook',
    'uninstall_hook': 'uninstall_hook',
    'license': 'LGPL-3',
}
