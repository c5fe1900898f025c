{
    'name': "DDCPTS Mail: Email Server Presets and Failover",
    'version': '18.0.1.0.0',
    'category': 'Hidden/Tools',
    'summary': "One-click outgoing mail servers for SendGrid, Mailgun, Amazon SES or any SMTP server, and "
               "failover to the next server when one cannot be reached.",
    'author': "DDCPTS",
    'website': "https://github.com/ddcpts/ddcpts",
    'depends': ['ddcpts_base', 'mail'],
    'data': [
        'security/ir.model.access.csv',
        'wizard/ddcpts_mail_server_preset_views.xml',
        'views/ddcpts_mail_menus.xml',
    ],
    'license': 'LGPL-3',
}
