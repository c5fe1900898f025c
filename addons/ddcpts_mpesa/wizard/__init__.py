from . import ddcpts_mpesa_review_assign
from . import ddcpts_mpesa_statement_import
