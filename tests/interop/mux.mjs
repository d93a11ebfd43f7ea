// Sign and verify Mux webhook deliveries with Mux's own Node library (@mux/mux-node), for
// tests/interop.rs. Reads one JSON request on stdin, writes one JSON answer on stdout:
//
//   {"op": "sign", "secret": K, "body": B, "timestamp": T}
//       -> {"headers": {"mux-signature": "t=<T>,v1=<hex>"}}
//   {"op": "verify", "secret": K, "body": B, "headers": {...}}
//       -> {"ok": true} or {"ok": false, "error": "..."}
//
// The library has no signer: signing uses `webhooks.computeSignature`, the HMAC its
// `verifySignature` compares with. Verifying is `webhooks.verifySignature`, with its own
// 300-second tolerance.
import Mux from '@mux/mux-node';

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const req = JSON.parse(Buffer.concat(chunks).toString('utf8'));
const mux = new Mux({ tokenId: 'unused', tokenSecret: 'unused' });

if (req.op === 'sign') {
  const hex = await mux.webhooks.computeSignature(`${req.timestamp}.${req.body}`, req.secret);
  process.stdout.write(
    JSON.stringify({ headers: { 'mux-signature': `t=${req.timestamp},v1=${hex}` } }),
  );
} else {
  try {
    await mux.webhooks.verifySignature(req.body, req.headers, req.secret);
    process.stdout.write(JSON.stringify({ ok: true }));
  } catch (e) {
    process.stdout.write(JSON.stringify({ ok: false, error: String(e) }));
  }
}
