from . import test_stock_reporting
