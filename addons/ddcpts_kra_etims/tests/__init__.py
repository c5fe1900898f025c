from . import test_amounts
from . import test_sales
from . import test_device
from . import test_purchases
from . import test_concurrency
from . import test_tour
from . import test_report
from . import test_device_tour
