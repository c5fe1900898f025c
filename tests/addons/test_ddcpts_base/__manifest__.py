{
    'name': "DDCPTS Base: test fixtures",
    'version': '18.0.1.0.0',
    'category': 'Hidden/Tests',
    'summary': "A fake provider, callback routes and payout adapter exercising ddcpts_base (tests only).",
    'depends': ['ddcpts_base'],
    'data': [
        'security/ir.model.access.csv',
    ],
    'assets': {
        'web.assets_tests': [
            'test_ddcpts_base/static/tests/tours/**/*',
        ],
    },
    'installable': True,
    'license': 'LGPL-3',
}
