{
    'name': "DDCPTS SACCO: Loans",
    'version': '18.0.1.0.0',
    'category': 'Accounting/Accounting',
    'summary': "SACCO loans: products, applications with guarantors, maker-checker approval, disbursement and "
               "repayment by mobile money, allocation, arrears, penalties and interest accrual.",
    'author': "DDCPTS",
    'website': "https://github.com/ddcpts/ddcpts",
    'depends': ['ddcpts_sacco'],
    'data': [
        'security/ddcpts_sacco_loan_security.xml',
        'security/ir.model.access.csv',
        'security/ddcpts_sacco_loan_risk_security.xml',

        'data/ir_sequence_data.xml',
        'data/ddcpts_webhook_event_data.xml',
        'data/ir_cron_data.xml',
        'data/sms_template_data.xml',
        'data/ddcpts_sacco_provision_cron_data.xml',

        'report/ddcpts_sacco_provision_report.xml',

        'wizard/ddcpts_sacco_loan_repay_views.xml',

        'views/ddcpts_sacco_loan_product_views.xml',
        'views/ddcpts_sacco_loan_holiday_views.xml',
        'views/ddcpts_sacco_loan_reschedule_views.xml',
        'views/ddcpts_sacco_loan_views.xml',
        'views/ddcpts_sacco_loan_guarantor_views.xml',
        'views/ddcpts_sacco_member_views.xml',
        'views/ddcpts_sacco_loan_menus.xml',
        'views/ddcpts_sacco_loan_risk_views.xml',
        'views/ddcpts_sacco_loan_portal_templates.xml',
    ],
    'demo': [
        'demo/ddcpts_sacco_loan_demo.xml',
    ],
    'assets': {
        'web.assets_tests': [
            'ddcpts_sacco_loan/static/tests/tours/**/*',
        ],
    },
    'license': 'LGPL-3',
}
