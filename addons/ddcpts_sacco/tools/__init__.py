from . import loan_schedule
