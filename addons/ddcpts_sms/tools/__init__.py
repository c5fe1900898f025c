from . import africastalking_sdk, outcomes, sms_api, sms_length, twilio_signature
