from . import test_member
from . import test_accounts
from . import test_security
from . import test_statement
from . import test_money_out
from . import test_checkoff
