"""Sign and verify webhook deliveries with the senders' own Python libraries.

Used by tests/interop.rs. Reads one JSON request on stdin and writes one JSON answer on stdout:

  {"op": "sign", "sender": S, "secret": K, "body": B, "id": I, "timestamp": T}
      -> {"headers": {name: value, ...}}
  {"op": "verify", "sender": S, "secret": K, "body": B, "headers": {...}}
      -> {"ok": true} or {"ok": false, "error": "..."}

S is one of standard (standardwebhooks), svix (svix), coinbase_commerce
(coinbase-commerce: `WebhookSignature._compute_signature` signs, `Webhook.construct_event`
verifies), square (verified with `squareup`'s
`verify_signature`, signed with `hmac`; both take "url", the notification URL), hubspot
(hubspot-api-client's `Signature`, v3; takes "url" and "method", the timestamp in milliseconds),
twitch (verified with twitchAPI's webhook check, signed with `hmac`; the timestamp is RFC 3339),
mailgun (verified with the `mailgun` SDK's `SecurityGuard.verify_webhook`, signed with `hmac`
into the body, which signing answers as "body"), stripe (stripe), slack (slack_sdk),
discord (PyNaCl, as Discord's documentation verifies interactions), sendgrid (signed with
`cryptography`, verified with the `sendgrid` package's EventWebhook helper, which also names
the headers), twilio (the `twilio` package's RequestValidator; signing and verifying also take
"url", the full URL Twilio addresses, and "json": true for a JSON body, whose signing answers
the URL with Twilio's `bodySHA256` query parameter added as "url"), paypal (signed with `cryptography` only: PayPal's SDKs verify by calling PayPal).
K is the secret as that sender's library takes it (whsec_<base64> for standard and svix); for
discord, sendgrid and paypal, signing takes no secret: a fresh key pair is made and its public
half answered as "public_key" (hex for discord; base64 of the SubjectPublicKeyInfo DER for
sendgrid, as SendGrid's settings show it; a self-signed certificate in PEM for paypal, which
serves certificates). Verifying takes that public key. paypal signing also takes "webhook_id"
and optionally "transmission_time" (RFC 3339, default now); the id is the transmission id.
paddle (paddle-python-sdk: its Verifier, with its five seconds of allowed drift; signing uses
the HMAC helper of its PaddleSignature, as the SDK has no signer), box (boxsdk's box_sdk_gen:
WebhooksManager.validate_message; signing uses its compute_webhook_signature; both take an
optional "secondary" key besides the secret, the primary key).
"""

import json
import sys
from datetime import datetime, timezone


def sendgrid_headers():
    """SendGrid's own names of its signature and timestamp headers, lower-cased."""
    from sendgrid.helpers.eventwebhook.eventwebhook_header import EventWebhookHeader

    return EventWebhookHeader.SIGNATURE.lower(), EventWebhookHeader.TIMESTAMP.lower()


def b64(data):
    import base64

    return base64.b64encode(data).decode()


class FormParams(dict):
    """Form parameters name -> [values], read by RequestValidator through `getlist`."""

    def getlist(self, name):
        return self[name]


def form_params(body):
    from urllib.parse import parse_qs

    return FormParams(parse_qs(body, keep_blank_values=True))


def sign(sender, secret, body, msg_id, timestamp, extra):
    if sender == "twilio":
        from twilio.request_validator import RequestValidator

        validator = RequestValidator(secret)
        url = extra["url"]
        if extra.get("json"):
            url += ("&" if "?" in url else "?") + "bodySHA256=" + validator.compute_hash(body)
            return {"x-twilio-signature": validator.compute_signature(url, {}), "_url": url}
        return {"x-twilio-signature": validator.compute_signature(url, form_params(body))}
    if sender == "standard":
        from standardwebhooks.webhooks import Webhook

        when = datetime.fromtimestamp(timestamp, tz=timezone.utc)
        signature = Webhook(secret).sign(msg_id=msg_id, timestamp=when, data=body)
        return {
            "webhook-id": msg_id,
            "webhook-timestamp": str(timestamp),
            "webhook-signature": signature,
        }
    if sender == "svix":
        from svix.webhooks import Webhook

        when = datetime.fromtimestamp(timestamp, tz=timezone.utc)
        signature = Webhook(secret).sign(msg_id=msg_id, timestamp=when, data=body)
        return {
            "svix-id": msg_id,
            "svix-timestamp": str(timestamp),
            "svix-signature": signature,
        }
    if sender == "stripe":
        from stripe import WebhookSignature

        header = WebhookSignature.generate_signature_header(body, secret, timestamp=timestamp)
        return {"stripe-signature": header}
    if sender == "slack":
        from slack_sdk.signature import SignatureVerifier

        signature = SignatureVerifier(secret).generate_signature(timestamp=str(timestamp), body=body)
        return {"x-slack-signature": signature, "x-slack-request-timestamp": str(timestamp)}
    if sender == "discord":
        from nacl.signing import SigningKey

        key = SigningKey.generate()
        signed = key.sign(f"{timestamp}{body}".encode())
        return {
            "x-signature-ed25519": signed.signature.hex(),
            "x-signature-timestamp": str(timestamp),
            "public_key": key.verify_key.encode().hex(),
        }
    if sender == "sendgrid":
        from cryptography.hazmat.primitives import hashes, serialization
        from cryptography.hazmat.primitives.asymmetric import ec

        key = ec.generate_private_key(ec.SECP256R1())
        signature = key.sign(f"{timestamp}{body}".encode(), ec.ECDSA(hashes.SHA256()))
        spki = key.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        sig_name, ts_name = sendgrid_headers()
        return {sig_name: b64(signature), ts_name: str(timestamp), "public_key": b64(spki)}
    if sender == "paypal":
        import zlib
        from datetime import timedelta

        from cryptography import x509
        from cryptography.hazmat.primitives import hashes, serialization
        from cryptography.hazmat.primitives.asymmetric import padding, rsa
        from cryptography.x509.oid import NameOID

        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "interop paypal signer")])
        now = datetime.now(timezone.utc)
        cert = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(days=1))
            .not_valid_after(now + timedelta(days=1))
            .sign(key, hashes.SHA256())
        )
        # PayPal's documented message: <transmission id>|<transmission time>|<webhook id>|
        # <CRC32 of the raw body as an unsigned decimal> (zlib's CRC32, unsigned in Python 3).
        crc = zlib.crc32(body.encode())
        when = extra.get("transmission_time") or now.strftime("%Y-%m-%dT%H:%M:%SZ")
        message = f"{msg_id}|{when}|{extra['webhook_id']}|{crc}"
        signature = key.sign(message.encode(), padding.PKCS1v15(), hashes.SHA256())
        return {
            "paypal-transmission-id": msg_id,
            "paypal-transmission-time": when,
            "paypal-transmission-sig": b64(signature),
            "paypal-auth-algo": "SHA256withRSA",
            "paypal-cert-url": "https://api.paypal.com/v1/notifications/certs/CERT-interop",
            "public_key": cert.public_bytes(serialization.Encoding.PEM).decode(),
        }
    if sender == "coinbase_commerce":
        return coinbase_commerce_sign(secret, body)
    if sender == "paddle":
        # Paddle's SDK has no signer: its verifier's own HMAC helper makes the `h1=` value.
        from paddle_billing.Notifications.PaddleSignature import PaddleSignature

        h1 = PaddleSignature.calculate_hmac(secret, f"{timestamp}:{body}".encode()).hexdigest()
        return {"paddle-signature": f"ts={timestamp};h1={h1}"}
    if sender == "box":
        # Box's SDK has no signer either: its validate_message computes each signature with
        # compute_webhook_signature, used here with the primary key (the secret) and a
        # secondary key of the request's ("secondary", default another string). The timestamp
        # is written at UTC-08:00, as Box's examples show an offset.
        from datetime import timedelta

        from box_sdk_gen.internal.utils import compute_webhook_signature

        when = datetime.fromtimestamp(timestamp, tz=timezone(timedelta(hours=-8)))
        headers = {
            "box-delivery-id": "673a081b-bb4b-4d45-b4f1-4131a29c1d07",
            "box-delivery-timestamp": when.isoformat(timespec="seconds"),
            "box-signature-version": "1",
            "box-signature-algorithm": "HmacSHA256",
        }
        secondary = extra.get("secondary") or "box-secondary-key-not-configured"
        headers["box-signature-primary"] = compute_webhook_signature(body, headers, secret)
        headers["box-signature-secondary"] = compute_webhook_signature(body, headers, secondary)
        return headers
    if sender in MORE_SIGNERS:
        return MORE_SIGNERS[sender](secret, body, msg_id, timestamp, extra)
    raise ValueError("unknown sender " + sender)


def verify(sender, secret, body, headers, extra):
    if sender == "twilio":
        from twilio.request_validator import RequestValidator

        # A JSON body goes to the validator as text (it then checks `bodySHA256`), a form
        # body as its parameters.
        params = body if extra.get("json") else form_params(body)
        if not RequestValidator(secret).validate(extra["url"], params, headers["x-twilio-signature"]):
            raise ValueError("twilio RequestValidator: signature is not valid")
        return
    if sender == "standard":
        from standardwebhooks.webhooks import Webhook

        Webhook(secret).verify(body, headers)
        return
    if sender == "svix":
        from svix.webhooks import Webhook

        Webhook(secret).verify(body, headers)
        return
    if sender == "stripe":
        import stripe

        stripe.Webhook.construct_event(body, headers["stripe-signature"], secret, tolerance=300)
        return
    if sender == "slack":
        from slack_sdk.signature import SignatureVerifier

        if not SignatureVerifier(secret).is_valid_request(body, headers):
            raise ValueError("slack_sdk: signature is not valid")
        return
    if sender == "discord":
        from nacl.signing import VerifyKey

        signature = headers["x-signature-ed25519"]
        timestamp = headers["x-signature-timestamp"]
        VerifyKey(bytes.fromhex(secret)).verify(
            f"{timestamp}{body}".encode(), bytes.fromhex(signature)
        )
        return
    if sender == "sendgrid":
        from sendgrid.helpers.eventwebhook import EventWebhook

        sig_name, ts_name = sendgrid_headers()
        lower = {k.lower(): v for k, v in headers.items()}
        helper = EventWebhook()
        key = helper.convert_public_key_to_ecdsa(secret)
        if not helper.verify_signature(body, lower[sig_name], lower[ts_name], key):
            raise ValueError("sendgrid EventWebhook: signature is not valid")
        return
    if sender == "coinbase_commerce":
        return coinbase_commerce_verify(secret, body, headers)
    if sender == "paddle":
        from paddle_billing.Notifications.Secret import Secret
        from paddle_billing.Notifications.Verifier import Verifier

        class Request:
            """What Paddle's Verifier reads: `headers.get("Paddle-Signature")` and `body`."""

            def __init__(self):
                self.headers = {"Paddle-Signature": headers["paddle-signature"]}
                self.body = body.encode()

        # Paddle's default drift of five seconds applies.
        if not Verifier().verify(Request(), Secret(secret)):
            raise ValueError("paddle_billing Verifier: signature is not valid")
        return
    if sender == "box":
        from box_sdk_gen.managers.webhooks import WebhooksManager

        # Box's own check: the timestamp within ten minutes, then the primary signature with
        # the primary key (the secret), or the secondary with "secondary" where given.
        if not WebhooksManager.validate_message(
            body, headers, secret, secondary_key=extra.get("secondary")
        ):
            raise ValueError("box_sdk_gen WebhooksManager.validate_message: not valid")
        return
    if sender in MORE_VERIFIERS:
        MORE_VERIFIERS[sender](secret, body, headers, extra)
        return
    raise ValueError("unknown sender " + sender)


# Senders added later, each a signer and a verifier registered by name (see the end of the file).
MORE_SIGNERS = {}
MORE_VERIFIERS = {}


def main():
    req = json.load(sys.stdin)
    if req["op"] == "sign":
        headers = sign(
            req["sender"], req["secret"], req["body"], req.get("id"), req.get("timestamp"), req
        )
        answer = {"headers": headers}
        if "_url" in headers:
            answer["url"] = headers.pop("_url")
        if "_body" in headers:
            answer["body"] = headers.pop("_body")
        json.dump(answer, sys.stdout)
        return
    try:
        verify(req["sender"], req["secret"], req["body"], req["headers"], req)
        json.dump({"ok": True}, sys.stdout)
    except Exception as e:  # any refusal of the library is an answer, not a crash
        json.dump({"ok": False, "error": type(e).__name__ + ": " + str(e)}, sys.stdout)


def coinbase_commerce_sign(secret, body):
    """The coinbase-commerce package's own signer (the one its verifier compares with)."""
    from coinbase_commerce.webhook import WebhookSignature

    return {"x-cc-webhook-signature": WebhookSignature._compute_signature(body, secret)}


def coinbase_commerce_verify(secret, body, headers):
    """Webhook.construct_event, as Coinbase Commerce's Python library tells receivers to call it."""
    from coinbase_commerce.webhook import Webhook

    lower = {k.lower(): v for k, v in headers.items()}
    event = Webhook.construct_event(body, lower["x-cc-webhook-signature"], secret)
    if not event.get("id"):
        raise ValueError("coinbase_commerce: the event has no id")
# square: Square's Python SDK (`squareup`) only verifies (`square.utils.webhooks_helper.
# verify_signature`); its signature is made here with `hmac` over the notification URL ("url")
# followed by the body, as that function computes it.
def square_sign(secret, body, msg_id, timestamp, extra):
    import base64
    import hashlib
    import hmac

    mac = hmac.new(secret.encode(), (extra["url"] + body).encode(), hashlib.sha256)
    return {"x-square-hmacsha256-signature": base64.b64encode(mac.digest()).decode()}


def square_verify(secret, body, headers, extra):
    from square.utils.webhooks_helper import verify_signature

    if not verify_signature(
        request_body=body,
        signature_header=headers["x-square-hmacsha256-signature"],
        signature_key=secret,
        notification_url=extra["url"],
    ):
        raise ValueError("square verify_signature: signature is not valid")


MORE_SIGNERS["square"] = square_sign
MORE_VERIFIERS["square"] = square_verify


# hubspot: hubspot-api-client's `hubspot.utils.signature.Signature`, v3: signs with
# `get_signature` and verifies with `is_valid` (which also refuses a timestamp older than 5
# minutes); both take "url" (the full URI) and "method", the timestamp in milliseconds.
def hubspot_sign(secret, body, msg_id, timestamp, extra):
    from hubspot.utils.signature import Signature

    signature = Signature.get_signature(
        secret, body, "v3", extra["url"], extra.get("method", "POST"), str(timestamp)
    )
    return {"x-hubspot-signature-v3": signature, "x-hubspot-request-timestamp": str(timestamp)}


def hubspot_verify(secret, body, headers, extra):
    from hubspot.utils.signature import Signature

    if not Signature.is_valid(
        signature=headers["x-hubspot-signature-v3"],
        client_secret=secret,
        request_body=body,
        http_uri=extra["url"],
        http_method=extra.get("method", "POST"),
        signature_version="v3",
        timestamp=headers["x-hubspot-request-timestamp"],
    ):
        raise ValueError("hubspot Signature.is_valid: signature is not valid")


MORE_SIGNERS["hubspot"] = hubspot_sign
MORE_VERIFIERS["hubspot"] = hubspot_verify


# twitch: twitchAPI's EventSub webhook checks a message's signature in
# `EventSubWebhook._verify_signature(request)` (a method of its aiohttp server, reading the
# secret from `self.secret`); it is called here on a bare instance with a stand-in request. There
# is no signer: the signature is made with `hmac` over message id, timestamp and body.
def twitch_sign(secret, body, msg_id, timestamp, extra):
    import hashlib
    import hmac

    message = (msg_id + timestamp + body).encode()
    return {
        "twitch-eventsub-message-id": msg_id,
        "twitch-eventsub-message-timestamp": timestamp,
        "twitch-eventsub-message-signature": "sha256="
        + hmac.new(secret.encode(), message, hashlib.sha256).hexdigest(),
        "twitch-eventsub-message-type": "notification",
        "twitch-eventsub-subscription-type": "channel.follow",
    }


def twitch_verify(secret, body, headers, extra):
    import asyncio

    from twitchAPI.eventsub.webhook import EventSubWebhook

    class Request:
        def __init__(self, headers, body):
            # aiohttp's headers are case-insensitive; Twitch's names are written capitalized.
            self.headers = {"-".join(p.capitalize() for p in k.split("-")): v for k, v in headers.items()}
            self.body = body

        async def text(self):
            return self.body

    hook = object.__new__(EventSubWebhook)
    hook.secret = secret
    if not asyncio.run(hook._verify_signature(Request(headers, body))):
        raise ValueError("twitchAPI EventSubWebhook: signature is not valid")


MORE_SIGNERS["twitch"] = twitch_sign
MORE_VERIFIERS["twitch"] = twitch_verify


# mailgun: the `mailgun` SDK's `SecurityGuard.verify_webhook(signing_key, token, timestamp,
# signature)` checks the body's `signature` object; there is no signer, so the object is made
# here with `hmac` over timestamp + token and written into the body (answered as "body").
def mailgun_sign(secret, body, msg_id, timestamp, extra):
    import hashlib
    import hmac

    doc = json.loads(body)
    token = doc["signature"]["token"]
    doc["signature"]["timestamp"] = str(timestamp)
    doc["signature"]["signature"] = hmac.new(
        secret.encode(), f"{timestamp}{token}".encode(), hashlib.sha256
    ).hexdigest()
    return {"content-type": "application/json", "_body": json.dumps(doc)}


def mailgun_verify(secret, body, headers, extra):
    from mailgun.security import SecurityGuard

    sig = json.loads(body)["signature"]
    if not SecurityGuard.verify_webhook(secret, sig["token"], sig["timestamp"], sig["signature"]):
        raise ValueError("mailgun verify_webhook: signature is not valid")


MORE_SIGNERS["mailgun"] = mailgun_sign
MORE_VERIFIERS["mailgun"] = mailgun_verify


if __name__ == "__main__":
    main()
