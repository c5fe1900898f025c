{
    'name': "DDCPTS SMS: Notification Automation Rules",
    'version': '18.0.1.0.0',
    'category': 'Marketing/SMS Marketing',
    'summary': "Ready-made automation rules (inactive) sending the DDCPTS SMS and email notifications: invoice "
               "posted with its pay link, payment received over mobile money, payout done.",
    'author': "DDCPTS",
    'website': "https://github.com/ddcpts/ddcpts",
    'depends': ['ddcpts_sms', 'base_automation'],
    'data': [
        'data/base_automation_data.xml',
    ],
    'auto_install': True,
    'license': 'LGPL-3',
}
