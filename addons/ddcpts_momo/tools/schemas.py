"""What MTN MoMo sends (callbacks, status answers), checked field by field before anything is used.

MTN's own examples send numbers where its schema says strings (``"amount": 100``,
``"externalId": 947354``, ``"partyId": 4656473839``): both are accepted.
"""
from odoo.addons.ddcpts_base.tools import schema

UUID_PATTERN = r'[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}'


class Reason(schema.Field):
    """A failure reason: a code string (``"NOT_ENOUGH_FUNDS"``), or in older answers an object
    ``{"code": …, "message": …}``; cleaned to the upper-case code."""

    code = schema.String(max_length=100, pattern=r'[A-Za-z_]+', upper=True)
    legacy = schema.Object({'code': code, 'message': schema.String(max_length=500, required=False)})

    def clean(self, value, path):
        if isinstance(value, dict):
            return self.legacy.clean(value, path)['code']
        return self.code.clean(value, path)


def party(required=True):
    return schema.Object({
        'partyIdType': schema.String(choices={'MSISDN', 'EMAIL', 'PARTY_CODE'}, upper=True),
        'partyId': schema.String(max_length=100, accept_numbers=True),
    }, required=required)


def _status(extra, id_required):
    return schema.Object({
        'referenceId': schema.String(pattern=UUID_PATTERN, max_length=36, required=id_required),
        'externalId': schema.String(max_length=255, accept_numbers=True, required=False),
        'amount': schema.Amount(required=False, maximum=10 ** 15),
        'currency': schema.String(pattern=r'[A-Za-z]{3}', upper=True, required=False),
        'financialTransactionId': schema.String(max_length=64, accept_numbers=True, required=False),
        'payerMessage': schema.String(max_length=160, multiline=True, required=False, min_length=0),
        'payeeNote': schema.String(max_length=160, multiline=True, required=False, min_length=0),
        'status': schema.String(choices={'PENDING', 'SUCCESSFUL', 'FAILED'}, upper=True),
        'reason': Reason(required=False),
        **extra,
    })


# GET requesttopay/{id} answer and the collection callback (same body; the callback may lack the id)
REQUEST_TO_PAY_STATUS = _status({'payer': party(required=False)}, id_required=False)
# GET transfer/{id} answer and the disbursement callback
TRANSFER_STATUS = _status({'payee': party(required=False)}, id_required=False)

TOKEN = schema.Object({
    'access_token': schema.String(max_length=4096),
    'token_type': schema.String(max_length=64, required=False),
    'expires_in': schema.Integer(minimum=1, maximum=10 ** 7),
})
API_KEY = schema.Object({'apiKey': schema.String(max_length=255)})
BALANCE = schema.Object({
    'availableBalance': schema.Amount(minimum=None, maximum=10 ** 15),
    'currency': schema.String(pattern=r'[A-Za-z]{3}', upper=True),
})
ACCOUNT_HOLDER = schema.Object({'result': schema.Boolean()})
