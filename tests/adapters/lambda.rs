//! AWS Lambda through `lambda_http`: the tower layer in front of a Lambda handler, driven with
//! the requests `lambda_http` makes of API Gateway HTTP API / function URL events (JSON events
//! deserialized by `lambda_http::request::from_str`, as the runtime does). No AWS, no network.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use lambda_http::{Body, Error, Request, Response, service_fn};
use serde_json::{Value, json};
use tower::{Service, ServiceExt};
use webhook_guard::dedup::MemoryStore;
use webhook_guard::testing::{Delivery, SignedDelivery};
use webhook_guard::{Scheme, Secret, Verifier, WebhookLayer, WebhookMeta};

const KEY: &str = "lambda-test-secret-0123456789";
const LIMIT: usize = 4 * 1024;

fn secret() -> Secret {
    Secret::new(KEY).unwrap()
}

/// The event a function URL (payload format 2.0, as API Gateway HTTP APIs send) hands the
/// function for `delivery` posted to `path`, as `lambda_http` turns it into a request.
fn event(path: &str, delivery: &SignedDelivery) -> Request {
    let headers: serde_json::Map<String, Value> = delivery
        .headers
        .iter()
        .map(|(n, v)| (n.as_str().to_owned(), json!(v.to_str().unwrap())))
        .chain([(
            "host".to_owned(),
            json!("abc123.lambda-url.eu-west-1.on.aws"),
        )])
        .collect();
    let event = json!({
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": path,
        "rawQueryString": "",
        "headers": headers,
        "requestContext": {
            "accountId": "123456789012",
            "apiId": "abc123",
            "domainName": "abc123.lambda-url.eu-west-1.on.aws",
            "domainPrefix": "abc123",
            "http": {
                "method": "POST",
                "path": path,
                "protocol": "HTTP/1.1",
                "sourceIp": "192.0.2.1",
                "userAgent": "GitHub-Hookshot/test"
            },
            "requestId": "req-1",
            "routeKey": "$default",
            "stage": "$default",
            "time": "03/Dec/2026:14:00:00 +0000",
            "timeEpoch": 1_796_306_400_000u64
        },
        "body": std::str::from_utf8(&delivery.body).unwrap(),
        "isBase64Encoded": false
    });
    lambda_http::request::from_str(&event.to_string()).expect("a function URL event")
}

fn github(id: &str, body: &str) -> SignedDelivery {
    Delivery::new(Scheme::github(), body.to_owned())
        .id(id)
        .event("push")
        .sign(&secret())
}

/// What `lambda_http::run` requires of the service it is given.
fn accepted_by_run<S, R, E>(service: S) -> S
where
    S: Service<Request, Response = R, Error = E>,
    S::Future: Send,
    R: lambda_http::IntoResponse,
    E: std::fmt::Debug + Into<lambda_http::lambda_runtime::Diagnostic>,
{
    service
}

/// The answer as the runtime sends it back: through `lambda_http::IntoResponse`.
async fn answer<S, R>(service: &mut S, req: Request) -> (u16, Value)
where
    S: Service<Request, Response = R, Error = Error>,
    R: lambda_http::IntoResponse,
{
    let res = ServiceExt::<Request>::ready(service)
        .await
        .unwrap()
        .call(req)
        .await
        .unwrap();
    let res: Response<Body> = res.into_response().await;
    let status = res.status().as_u16();
    let json = serde_json::from_slice(res.body()).unwrap_or(Value::Null);
    (status, json)
}

#[tokio::test]
async fn a_lambda_handler_behind_the_layer() {
    let runs = Arc::new(AtomicUsize::new(0));
    let r = runs.clone();
    // An ordinary lambda_http handler: it takes a `lambda_http::Request`, answers JSON.
    let handler = service_fn(move |req: Request| {
        let r = r.clone();
        async move {
            r.fetch_add(1, Ordering::SeqCst);
            let meta = req.extensions().get::<WebhookMeta>().unwrap();
            let body: Value = serde_json::from_slice(req.body()).unwrap();
            if body["fail"] == true {
                return Ok::<_, Error>(
                    Response::builder()
                        .status(500)
                        .body(Body::from("failed"))
                        .unwrap(),
                );
            }
            let answer = json!({ "id": meta.id(), "event": meta.event_type(), "ref": body["ref"] });
            Ok(Response::new(Body::from(answer.to_string())))
        }
    });
    let layer = WebhookLayer::new(Verifier::new(Scheme::github(), secret()))
        .body_limit(LIMIT)
        .dedup(MemoryStore::default());
    let mut service = accepted_by_run(webhook_guard::lambda::service(layer, handler));

    let valid = github("gh-1", r#"{"ref":"refs/heads/main"}"#);
    assert_eq!(
        answer(&mut service, event("/hook", &valid)).await,
        (
            200,
            json!({"id": "gh-1", "event": "push", "ref": "refs/heads/main"})
        )
    );
    assert_eq!(runs.load(Ordering::SeqCst), 1);

    // The sender's retry: answered without running the handler.
    assert_eq!(
        answer(&mut service, event("/hook", &valid)).await,
        (200, json!({"duplicate": true}))
    );
    assert_eq!(runs.load(Ordering::SeqCst), 1);

    // A forged body.
    let mut forged = github("gh-2", r#"{"ref":"refs/heads/main"}"#);
    forged.body = r#"{"ref":"refs/heads/evil"}"#.into();
    let (status, json) = answer(&mut service, event("/hook", &forged)).await;
    assert_eq!(
        (status, json["error"].as_str()),
        (401, Some("signature_mismatch"))
    );

    // Over the body limit.
    let big = github("gh-3", &format!(r#"{{"pad":"{}"}}"#, "x".repeat(LIMIT)));
    let (status, json) = answer(&mut service, event("/hook", &big)).await;
    assert_eq!(
        (status, json["error"].as_str()),
        (413, Some("body_too_large"))
    );
    assert_eq!(
        runs.load(Ordering::SeqCst),
        1,
        "no refused delivery reached the handler"
    );

    // A failing handler releases the delivery: the sender's retry runs it again.
    let failing = github("gh-4", r#"{"fail":true}"#);
    assert_eq!(answer(&mut service, event("/hook", &failing)).await.0, 500);
    assert_eq!(answer(&mut service, event("/hook", &failing)).await.0, 500);
    assert_eq!(runs.load(Ordering::SeqCst), 3);
}

/// The layer alone fits `lambda_http::run` too, for a handler written in the layer's own types.
#[tokio::test]
async fn the_bare_layer_in_front_of_a_tower_handler() {
    use bytes::Bytes;
    use http_body_util::Full;
    use tower::Layer;

    let handler = service_fn(|req: http::Request<Full<Bytes>>| async move {
        let id = req
            .extensions()
            .get::<WebhookMeta>()
            .and_then(|m| m.id())
            .unwrap_or("-")
            .to_owned();
        Ok::<_, Error>(http::Response::new(Full::new(Bytes::from(id))))
    });
    let layer = WebhookLayer::new(Verifier::new(Scheme::github(), secret()));
    let mut service = accepted_by_run(layer.layer(handler));
    let res = ServiceExt::<Request>::ready(&mut service)
        .await
        .unwrap()
        .call(event("/hook", &github("gh-9", "{}")))
        .await
        .unwrap();
    let res: Response<Body> = lambda_http::IntoResponse::into_response(res).await;
    assert_eq!(
        (res.status().as_u16(), res.body().as_ref()),
        (200, &b"gh-9"[..])
    );
}
