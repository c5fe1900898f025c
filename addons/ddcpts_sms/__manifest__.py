{
    'name': "DDCPTS SMS: African SMS Gateways",
    'version': '18.0.1.0.0',
    'category': 'Marketing/SMS Marketing',
    'summary': "Send Odoo's SMS through Africa's Talking, MTN, Twilio or Infobip with failover, delivery reports "
               "and opt-outs; notification templates.",
    'author': "DDCPTS",
    'website': "https://github.com/ddcpts/ddcpts",
    'depends': ['ddcpts_base', 'sms'],
    'external_dependencies': {
        'python': ['africastalking', 'requests', 'phonenumbers'],
    },
    'data': [
        'security/ddcpts_sms_security.xml',
        'security/ir.model.access.csv',

        'data/ir_cron_data.xml',
        'data/sms_template_data.xml',
        'data/mail_template_data.xml',

        'views/ddcpts_sms_gateway_views.xml',
        'views/ddcpts_sms_message_views.xml',
        'views/ddcpts_sms_incoming_views.xml',
        'views/ddcpts_sms_report_views.xml',
        'wizard/ddcpts_sms_gateway_test_views.xml',
        'views/ddcpts_sms_menus.xml',
    ],
    'demo': [
        'demo/ddcpts_sms_demo.xml',
    ],
    'assets': {
        'web.assets_tests': [
            'ddcpts_sms/static/tests/tours/**/*',
        ],
    },
    'license': 'LGPL-3',
}
