from . import callback
from . import health
