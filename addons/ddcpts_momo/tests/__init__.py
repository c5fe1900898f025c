from . import test_callbacks
from . import test_payouts
from . import test_polling
from . import test_polling_concurrency
from . import test_portal_tour
from . import test_provisioning
from . import test_request_to_pay
