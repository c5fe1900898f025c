from . import test_callback_routes
from . import test_callback_concurrency
from . import test_payout_adapter
from . import test_health_checks
from . import test_tour
