from . import ddcpts_etims_device
from . import stock_picking_type
from . import stock_picking
