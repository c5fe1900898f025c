from . import test_product
from . import test_application
from . import test_guarantor
from . import test_disbursement
from . import test_repayment
from . import test_daily_job
from . import test_risk
