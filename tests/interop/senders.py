"""Sign and verify webhook deliveries with the senders' own Python libraries.

Used by tests/interop.rs. Reads one JSON request on stdin and writes one JSON answer on stdout:

  {"op": "sign", "sender": S, "secret": K, "body": B, "id": I, "timestamp": T}
      -> {"headers": {name: value, ...}}
  {"op": "verify", "sender": S, "secret": K, "body": B, "headers": {...}}
      -> {"ok": true} or {"ok": false, "error": "..."}

S is one of standard (standardwebhooks), svix (svix), stripe (stripe), slack (slack_sdk),
discord (PyNaCl, as Discord's documentation verifies interactions).
K is the secret as that sender's library takes it (whsec_<base64> for standard and svix); for
discord, signing takes no secret (a fresh key pair is made, its public key answered as
"public_key") and verifying takes the public key as hex.
"""

import json
import sys
from datetime import datetime, timezone


def sign(sender, secret, body, msg_id, timestamp):
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
    raise ValueError("unknown sender " + sender)


def verify(sender, secret, body, headers):
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
    raise ValueError("unknown sender " + sender)


def main():
    req = json.load(sys.stdin)
    if req["op"] == "sign":
        headers = sign(req["sender"], req["secret"], req["body"], req.get("id"), req["timestamp"])
        json.dump({"headers": headers}, sys.stdout)
        return
    try:
        verify(req["sender"], req["secret"], req["body"], req["headers"])
        json.dump({"ok": True}, sys.stdout)
    except Exception as e:  # any refusal of the library is an answer, not a crash
        json.dump({"ok": False, "error": type(e).__name__ + ": " + str(e)}, sys.stdout)


if __name__ == "__main__":
    main()
