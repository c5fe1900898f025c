from . import test_product
from . import test_application
from . import test_guarantor
from . import test_risk
