from . import actions
from . import crypto
from . import identity
from . import redaction
from . import signature
