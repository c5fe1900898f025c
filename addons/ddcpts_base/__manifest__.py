{
    'name': "DDCPTS Base: East Africa Integrations",
    'version': '18.0.1.0.0',
    'category': 'Accounting/Payment Providers',
    'summary': "Foundation of the DDCPTS suite: encrypted secrets, provider HTTP client, callback log, "
               "webhooks, payouts with maker-checker approval, health checks, MSISDN and tax ids.",
    'author': "DDCPTS",
    'website': "https://github.com/ddcpts/ddcpts",
    'depends': ['mail', 'phone_validation', 'account_payment'],
    'external_dependencies': {
        'python': ['cryptography', 'requests', 'python-stdnum', 'phonenumbers'],
    },
    'data': [
        'security/ddcpts_security.xml',
        'security/ir.model.access.csv',

        'data/ir_sequence_data.xml',
        'data/ir_cron_data.xml',
        'data/ddcpts_webhook_event_data.xml',
        'data/mail_activity_type_data.xml',

        'views/ddcpts_menus.xml',
        'views/ddcpts_dashboard_views.xml',
        'views/ddcpts_callback_views.xml',
        'views/ddcpts_provider_call_views.xml',
        'views/ddcpts_health_status_views.xml',
        'views/ddcpts_webhook_endpoint_views.xml',
        'views/ddcpts_webhook_delivery_views.xml',
        'views/ddcpts_payout_views.xml',
        'views/res_partner_views.xml',
        'views/res_users_views.xml',
        'views/res_config_settings_views.xml',
        'wizard/ddcpts_mobile_payment_request_views.xml',
    ],
    'demo': [
        'demo/ddcpts_demo.xml',
    ],
    'assets': {
        'web.assets_backend': [
            'ddcpts_base/static/src/dashboard/**/*',
            'ddcpts_base/static/src/fields/**/*',
        ],
        'web.assets_frontend': [
            'ddcpts_base/static/src/js/mobile_payment_form.js',
        ],
        'web.assets_tests': [
            'ddcpts_base/static/tests/tours/**/*',
        ],
    },
    'application': True,
    'license': 'LGPL-3',
}
