from . import callbacks
from . import checkout
