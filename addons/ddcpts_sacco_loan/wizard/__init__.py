from . import ddcpts_sacco_loan_repay
