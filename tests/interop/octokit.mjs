// Sign and verify GitHub webhook deliveries with GitHub's own @octokit/webhooks-methods.
// Used by tests/interop.rs. Reads one JSON request on stdin, writes one JSON answer on stdout:
//   {"op": "sign", "secret": K, "body": B}                 -> {"signature": "sha256=..."}
//   {"op": "verify", "secret": K, "body": B, "signature": S} -> {"ok": true | false}
import { sign, verify } from "@octokit/webhooks-methods";

let input = "";
for await (const chunk of process.stdin) input += chunk;
const req = JSON.parse(input);
if (req.op === "sign") {
  process.stdout.write(JSON.stringify({ signature: await sign(req.secret, req.body) }));
} else {
  let ok;
  try {
    ok = await verify(req.secret, req.body, req.signature);
  } catch (e) {
    ok = false;
  }
  process.stdout.write(JSON.stringify({ ok }));
}
