{
    'name': "DDCPTS: KRA eTIMS Stock",
    'version': '18.0.1.0.0',
    'category': 'Inventory/Inventory',
    'summary': "Report validated stock movements (insertStockIO) and remaining quantities (saveStockMaster) "
               "to KRA eTIMS.",
    'author': "DDCPTS",
    'website': "https://github.com/ddcpts/ddcpts",
    'depends': ['ddcpts_kra_etims', 'stock'],
    'data': [
        'views/stock_picking_type_views.xml',
        'views/stock_picking_views.xml',
    ],
    'auto_install': True,
    'license': 'LGPL-3',
}
