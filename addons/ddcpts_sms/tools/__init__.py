from . import africastalking_sdk, outcomes, sms_length, twilio_signature
