from . import actions
from . import crypto
from . import display
from . import identity
from . import locking
from . import redaction
from . import schema
from . import signature
