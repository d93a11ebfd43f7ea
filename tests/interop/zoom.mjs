// Check Zoom webhook deliveries with Zoom's own Rivet (@zoom/rivet): its AwsLambdaReceiver
// verifies `x-zm-signature` and answers `endpoint.url_validation` with the hashed token.
// Used by tests/interop.rs. Reads one JSON request on stdin, writes one JSON answer on stdout:
//   {"secret": K, "body": B, "headers": {...}} -> {"status": 200 | 400 | ..., "body": {...}}
import { AwsLambdaReceiver } from "@zoom/rivet/users";

let input = "";
for await (const chunk of process.stdin) input += chunk;
const req = JSON.parse(input);
// Rivet logs each event it processes on the console: keep stdout for the answer.
console.debug = () => {};
const handler = new AwsLambdaReceiver({ webhooksSecretToken: req.secret }).start();
const res = await handler({ body: req.body, headers: req.headers, isBase64Encoded: false }, {});
process.stdout.write(JSON.stringify({ status: res.statusCode, body: JSON.parse(res.body) }));
