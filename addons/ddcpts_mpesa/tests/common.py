"""Shared setup of the M-Pesa tests: a provider pointed at the simulator, KES invoices, Daraja payloads.

The official example payloads of Safaricom's documentation (docs/providers/daraja.md) are kept here
verbatim (as text) and sent as is.
"""
import base64
import datetime
import json

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import NameOID

from odoo import Command

from odoo.addons.ddcpts_base.tests.common import DdcptsHttpCase, MobileMoneyCommon, sandbox_url
from odoo.addons.ddcpts_mpesa import const
from odoo.addons.payment.tests.http_common import PaymentHttpCommon

# Safaricom's documented examples (docs/providers/daraja.md), verbatim
STK_SUCCESS_CALLBACK = '{"Body":{"stkCallback":{"MerchantRequestID":"29115-34620561-1","CheckoutRequestID":"ws_CO_191220191020363925","ResultCode":0,"ResultDesc":"The service request is processed successfully.","CallbackMetadata":{"Item":[{"Name":"Amount","Value":1.00},{"Name":"MpesaReceiptNumber","Value":"NLJ7RT61SV"},{"Name":"TransactionDate","Value":20191219102115},{"Name":"PhoneNumber","Value":254708374149}]}}}}'  # noqa: E501
STK_CANCELLED_CALLBACK = '{"Body":{"stkCallback":{"MerchantRequestID":"f1e2-4b95-a71d-b30d3cdbb7a7942864","CheckoutRequestID":"ws_CO_21072024125243250722943992","ResultCode":1032,"ResultDesc":"Request cancelled by user"}}}'  # noqa: E501
C2B_PAYMENT = '{"TransactionType":"Pay Bill","TransID":"RKL51ZDR4F","TransTime":"20231121121325","TransAmount":"5.00","BusinessShortCode":"600966","BillRefNumber":"Sample Transaction","InvoiceNumber":"","OrgAccountBalance":"25.00","ThirdPartyTransID":"","MSISDN":"2547 ***** 126","FirstName":"NICHOLAS","MiddleName":"","LastName":""}'  # noqa: E501
B2C_SUCCESS_RESULT = '{"Result":{"ResultType":0,"ResultCode":0,"ResultDesc":"The service request is processed successfully.","OriginatorConversationID":"53e3-4aa8-9fe0-8fb5e4092cdd3533373","ConversationID":"AG_20240706_2010364430d9bbdaf872","TransactionID":"SG632NMUAB","ResultParameters":{"ResultParameter":[{"Key":"TransactionAmount","Value":10},{"Key":"TransactionReceipt","Value":"SG632NMUAB"},{"Key":"ReceiverPartyPublicName","Value":"254705912645 - NICHOLAS JOHN SONGOK"},{"Key":"TransactionCompletedDateTime","Value":"06.07.2024 22:48:52"},{"Key":"B2CUtilityAccountAvailableFunds","Value":8959269.60},{"Key":"B2CWorkingAccountAvailableFunds","Value":1199371.00},{"Key":"B2CRecipientIsRegisteredCustomer","Value":"Y"},{"Key":"B2CChargesPaidAccountAvailableFunds","Value":-1980.00}]},"ReferenceData":{"ReferenceItem":{"Key":"QueueTimeoutURL","Value":"https://internalsandbox.safaricom.co.ke/mpesa/b2cresults/v1/submit"}}}}'  # noqa: E501
B2C_FAILURE_RESULT = '{"Result":{"ResultType":0,"ResultCode":2001,"ResultDesc":"The initiator information is invalid.","OriginatorConversationID":"53e3-4aa8-9fe0-8fb5e4092cdd3544366","ConversationID":"AG_20240707_201062f6f6f5804f7a33","TransactionID":"SG722NMVXQ","ReferenceData":{"ReferenceItem":{"Key":"QueueTimeoutURL","Value":"https://internalsandbox.safaricom.co.ke/mpesa/b2cresults/v1/submit"}}}}'

SHORTCODE = '174379'
PASSKEY = 'test-passkey'
INITIATOR_PASSWORD = 'Safaricom999!*!'
CUSTOMER_MSISDN = '254708374149'


def make_certificate():
    """A throw-away RSA key and its self-signed certificate (the test decrypts what Odoo encrypted)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "DDCPTS test")])
    start = datetime.datetime(2024, 1, 1)
    certificate = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
                   .serial_number(x509.random_serial_number()).not_valid_before(start)
                   .not_valid_after(start + datetime.timedelta(days=36500)).sign(key, hashes.SHA256()))
    return key, certificate.public_bytes(serialization.Encoding.PEM)


def decrypt_credential(key, credential):
    return key.decrypt(base64.b64decode(credential), padding.PKCS1v15()).decode()


def provider_values(journal):
    return {
        'state': 'test',
        'is_published': True,
        'mpesa_environment': 'custom',
        'mpesa_custom_url': sandbox_url(),
        'mpesa_consumer_key': 'test-consumer-key',
        'mpesa_consumer_secret': 'test-consumer-secret',
        'mpesa_passkey': PASSKEY,
        'mpesa_shortcode': SHORTCODE,
        'mpesa_account_type': 'paybill',
        'mpesa_b2c_shortcode': '600996',
        'mpesa_initiator_name': 'testapi',
        'mpesa_initiator_password': INITIATOR_PASSWORD,
        'mpesa_cents_policy': 'round_up',
        'ddcpts_public_url': False,
        'ddcpts_ip_allowlist': False,
        'journal_id': journal.id,
    }


class MpesaCommon(MobileMoneyCommon):
    """The M-Pesa provider of the test company pointed at the simulator, a KES journal and a Kenyan
    customer."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.kes = cls._prepare_currency('KES')
        cls.customer = cls.env['res.partner'].create({
            'name': "Achieng Otieno", 'mobile': '0708 374 149', 'country_id': cls.env.ref('base.ke').id,
            'email': 'achieng@example.com',
        })
        cls.journal = cls.env['account.journal'].create({
            'name': "M-Pesa (tests)", 'code': 'TMPSA', 'type': 'bank', 'currency_id': cls.kes.id,
        })
        cls.private_key, certificate = make_certificate()
        cls.fee_account = cls.env['account.account'].create({
            'name': "M-Pesa charges (tests)", 'code': '629900', 'account_type': 'expense',
        })
        cls.provider = cls._prepare_provider('mpesa', update_values=dict(
            provider_values(cls.journal), mpesa_certificate_sandbox=base64.b64encode(certificate),
            mpesa_fee_account_id=cls.fee_account.id,
        ))
        # what PaymentCommon's _create_transaction uses
        cls.payment_method = cls.env.ref('payment.payment_method_mpesa')
        cls.payment_method_id = cls.payment_method.id
        cls.currency = cls.kes
        cls.partner = cls.customer

    def setUp(self):
        super().setUp()
        self.provider._ddcpts_invalidate_token()  # the simulator forgot its tokens at reset

    # ------------------------------------------------------------------
    # Documents
    # ------------------------------------------------------------------

    def create_invoice(self, amount, partner=None, post=True, move_type='out_invoice'):
        return self.init_invoice(move_type, partner=partner or self.customer, invoice_date=datetime.date.today(),
                                 amounts=[amount], currency=self.kes, taxes=self.env['account.tax'], post=post)

    def create_pending_tx(self, amount, checkout_id, invoice=None, account_reference=None):
        """A transaction waiting for the callback of the STK push ``checkout_id`` (as if Odoo had sent it)."""
        tx = self._create_transaction(
            'direct', sudo=False, reference=f'TEST-{checkout_id[-8:]}', amount=amount,
            invoice_ids=[Command.set(invoice.ids)] if invoice else [],
            mpesa_checkout_request_id=checkout_id, provider_reference=checkout_id,
            mpesa_account_reference=account_reference or 'TEST', mpesa_source='stk',
        )
        tx._set_pending()
        return tx

    # ------------------------------------------------------------------
    # Callbacks
    # ------------------------------------------------------------------

    def callback_path(self, event, provider=None, token=None):
        url = (provider or self.provider)._mpesa_callback_url(event)
        path = const.CALLBACK_PREFIX + url.split(const.CALLBACK_PREFIX, 1)[1]
        if token is not None:
            prefix, _token, name = path.rsplit('/', 2)
            path = f'{prefix}/{token}/{name}'
        return path

    def post_callback(self, event, body, token=None):
        """POST ``body`` (a dict, or text sent byte for byte) to a callback route over real HTTP."""
        data = body if isinstance(body, (str, bytes)) else json.dumps(body)
        return self.opener.post(self.base_url() + self.callback_path(event, token=token), data=data,
                                headers={'Content-Type': 'application/json'}, timeout=60)

    def stk_callback(self, checkout_id, code=0, amount=None, receipt=None, phone=CUSTOMER_MSISDN, desc=None):
        callback = {
            'MerchantRequestID': '29115-34620561-1', 'CheckoutRequestID': checkout_id, 'ResultCode': code,
            'ResultDesc': desc or ("The service request is processed successfully." if str(code) == '0' else "Failed"),
        }
        if str(code) == '0':
            callback['CallbackMetadata'] = {'Item': [
                {'Name': 'Amount', 'Value': amount},
                {'Name': 'MpesaReceiptNumber', 'Value': receipt},
                {'Name': 'Balance'},
                {'Name': 'TransactionDate', 'Value': 20240706224852},
                {'Name': 'PhoneNumber', 'Value': int(phone)},
            ]}
        return {'Body': {'stkCallback': callback}}

    def c2b_payment(self, trans_id, amount, bill_ref, msisdn='2547 ***** 149', first_name='ACHIENG'):
        payment = json.loads(C2B_PAYMENT)
        payment.update(TransID=trans_id, TransAmount=amount, BillRefNumber=bill_ref, MSISDN=msisdn,
                       FirstName=first_name, BusinessShortCode=SHORTCODE)
        return payment

    def callbacks_of(self, reference):
        return self.env['ddcpts.callback'].search([('reference', '=', reference)], order='id')


class MpesaHttpCommon(MpesaCommon, PaymentHttpCommon, DdcptsHttpCase):
    """The M-Pesa setup with Odoo's HTTP test server: callbacks reach the routes over real HTTP."""
