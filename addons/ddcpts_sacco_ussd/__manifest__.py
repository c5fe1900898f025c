{
    'name': "DDCPTS SACCO USSD: Member Self-Service",
    'version': '18.0.1.0.0',
    'category': 'Accounting/Accounting',
    'summary': "SACCO members on any phone: PIN-protected USSD menu with balances, mini statement, loans "
               "(limit, apply, repay), guarantees, deposits by mobile-money push and PIN change.",
    'author': "DDCPTS",
    'website': "https://github.com/ddcpts/ddcpts",
    'depends': ['ddcpts_sacco_loan', 'ddcpts_ussd'],
    'data': [],
    'demo': [
        'demo/ddcpts_sacco_ussd_demo.xml',
    ],
    'license': 'LGPL-3',
}
