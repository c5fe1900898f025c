{
    'name': "DDCPTS SACCO over M-Pesa",
    'version': '18.0.1.0.0',
    'category': 'Accounting/Accounting',
    'summary': "Bridge of the SACCO and M-Pesa addons: demo members whose contributions came in on the M-Pesa "
               "paybill, booked by the C2B confirmation pipeline.",
    'author': "DDCPTS",
    'website': "https://github.com/ddcpts/ddcpts",
    'depends': ['ddcpts_sacco', 'ddcpts_mpesa'],
    'demo': [
        'demo/ddcpts_sacco_mpesa_demo.xml',
    ],
    'auto_install': True,
    'license': 'LGPL-3',
}
