from . import ddcpts_sacco_statement_report
