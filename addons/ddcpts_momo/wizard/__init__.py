from . import ddcpts_momo_sandbox_setup
