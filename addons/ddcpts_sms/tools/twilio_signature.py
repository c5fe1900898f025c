"""``X-Twilio-Signature``: base64 HMAC-SHA1, keyed with the auth token, of the URL Twilio called
followed by each POST parameter name and value, sorted by name."""
import base64
import hashlib
import hmac


def twilio_signature(auth_token, url, params):
    payload = url + ''.join(f'{key}{value}' for key, value in sorted(params.items()))
    return base64.b64encode(hmac.new(auth_token.encode(), payload.encode(), hashlib.sha1).digest()).decode()


def is_valid_twilio_signature(auth_token, urls, params, received):
    """True when ``received`` signs ``params`` for one of ``urls`` (compared in constant time)."""
    return bool(auth_token and received) and any(
        hmac.compare_digest(twilio_signature(auth_token, url, params), received) for url in urls
    )
