{
    'name': "DDCPTS USSD: Africa's Talking and MTN USSD Menus",
    'version': '18.0.1.0.0',
    'category': 'Marketing',
    'summary': "USSD services answered by Odoo: Africa's Talking and MTN (aggregator JSON, MADAPI) gateways, "
               "sessions kept for audit, PIN-protected menus that other addons extend in Python.",
    'author': "DDCPTS",
    'website': "https://github.com/ddcpts/ddcpts",
    'depends': ['ddcpts_base'],
    'external_dependencies': {
        'python': ['passlib', 'requests'],
    },
    'data': [
        'security/ddcpts_ussd_security.xml',
        'security/ir.model.access.csv',
        'data/ir_cron_data.xml',
        'views/ddcpts_ussd_service_views.xml',
        'views/ddcpts_ussd_session_views.xml',
        'views/ddcpts_ussd_pin_views.xml',
        'views/ddcpts_ussd_menus.xml',
    ],
    'demo': [
        'demo/ddcpts_ussd_demo.xml',
    ],
    'assets': {
        'web.assets_tests': [
            'ddcpts_ussd/static/tests/tours/**/*',
        ],
    },
    'license': 'LGPL-3',
}
