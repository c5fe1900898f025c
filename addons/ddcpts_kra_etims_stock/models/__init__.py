from . import ddcpts_etims_device
from . import ddcpts_etims_payload
from . import stock_picking_type
from . import stock_picking
