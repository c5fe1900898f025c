from . import test_sacco_menu
