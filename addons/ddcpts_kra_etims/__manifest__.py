{
    'name': "DDCPTS: KRA eTIMS (OSCU)",
    'version': '18.0.1.0.0',
    'category': 'Accounting/Localizations/EDI',
    'summary': "Fiscalize Kenyan invoices and credit notes with KRA eTIMS OSCU: signed receipts and QR codes, "
               "reference data, item registration, supplier invoices, customs imports.",
    'author': "DDCPTS",
    'website': "https://github.com/ddcpts/ddcpts",
    'depends': ['ddcpts_base', 'account', 'product', 'l10n_ke'],
    'external_dependencies': {
        'python': ['requests', 'qrcode'],
    },
    'data': [
        'security/ddcpts_kra_etims_security.xml',
        'security/ir.model.access.csv',

        'data/ddcpts_etims_code_data.xml',
        'data/uom_uom_data.xml',
        'data/ir_sequence_data.xml',
        'data/ir_cron_data.xml',
        'data/ddcpts_webhook_event_data.xml',

        'views/ddcpts_etims_device_views.xml',
        'views/ddcpts_etims_reference_views.xml',
        'views/ddcpts_etims_import_item_views.xml',
        'views/account_move_views.xml',
        'views/account_tax_views.xml',
        'views/account_journal_views.xml',
        'views/res_partner_views.xml',
        'views/product_template_views.xml',
        'views/uom_uom_views.xml',
        'views/res_config_settings_views.xml',
        'views/ddcpts_kra_etims_menus.xml',
        'wizard/account_move_reversal_views.xml',
        'report/report_invoice.xml',
    ],
    'demo': [
        'demo/ddcpts_kra_etims_demo.xml',
    ],
    'assets': {
        'web.assets_backend': [
            'ddcpts_kra_etims/static/src/**/*',
        ],
        'web.assets_tests': [
            'ddcpts_kra_etims/static/tests/tours/**/*',
        ],
    },
    'license': 'LGPL-3',
}
