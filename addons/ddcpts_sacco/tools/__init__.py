from . import loan_schedule
from . import pro_rata
