from . import test_loan_menu, test_sacco_menu
