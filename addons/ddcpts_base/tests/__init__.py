from . import test_identity
from . import test_secrets
from . import test_provider_client
from . import test_webhooks
from . import test_payouts
from . import test_health
from . import test_neutralize
from . import test_payout_tour
