// Verify Linear webhook deliveries with Linear's own SDK (@linear/sdk, LinearWebhookClient).
// Used by tests/interop.rs. Reads one JSON request on stdin, writes one JSON answer on stdout:
//   {"secret": K, "body": B, "signature": S} -> {"ok": true} or {"ok": false, "error": "..."}
// The SDK has no signer: it checks `linear-signature` (hex HMAC-SHA256 of the raw body) and the
// `webhookTimestamp` number of the body, within one minute of now.
import { LinearWebhookClient } from "@linear/sdk/webhooks";

let input = "";
for await (const chunk of process.stdin) input += chunk;
const req = JSON.parse(input);
let answer;
try {
  const client = new LinearWebhookClient(req.secret);
  const payload = client.parseData(Buffer.from(req.body), req.signature);
  answer = { ok: true, type: payload.type };
} catch (e) {
  answer = { ok: false, error: String(e && e.message ? e.message : e) };
}
process.stdout.write(JSON.stringify(answer));
