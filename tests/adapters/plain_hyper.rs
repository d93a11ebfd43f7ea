//! The layer without axum: a `tower::ServiceBuilder` stack served by plain hyper on 127.0.0.1.

use crate::common;

use std::convert::Infallible;

use bytes::Bytes;
use http::{Request, Response};
use http_body_util::Full;
use hyper::server::conn::http1;
use hyper_util::rt::TokioIo;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tower::{ServiceBuilder, service_fn};
use webhook_guard::testing::Delivery;
use webhook_guard::{RawBody, Scheme, Secret, Verifier, WebhookLayer, WebhookMeta};

#[tokio::test]
async fn service_builder_stack_on_plain_hyper() {
    let secret = Secret::new("plain-hyper-secret-0123456789").unwrap();
    let svc = ServiceBuilder::new()
        .layer(WebhookLayer::new(Verifier::new(Scheme::heppu(), secret.clone())).body_limit(4096))
        .service(service_fn(|req: Request<Full<Bytes>>| async move {
            let meta = req.extensions().get::<WebhookMeta>().unwrap();
            let raw = req.extensions().get::<RawBody>().unwrap();
            let text = format!("{} {} {}", meta.scheme(), meta.id().unwrap(), raw.len());
            Ok::<_, Infallible>(Response::new(Full::new(Bytes::from(text))))
        }));
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        for _ in 0..3 {
            let (stream, _) = listener.accept().await.unwrap();
            let svc = TowerToHyperService::new(svc.clone());
            tokio::spawn(http1::Builder::new().serve_connection(TokioIo::new(stream), svc));
        }
    });

    let body = r#"{"event":"chat.resolved"}"#;
    let d = Delivery::new(Scheme::heppu(), body)
        .id("whd_1")
        .sign(&secret);
    let res = common::client()
        .request(d.clone().into_request(&format!("http://{addr}/")))
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let text = http_body_util::BodyExt::collect(res.into_body())
        .await
        .unwrap()
        .to_bytes();
    assert_eq!(text, format!("heppu whd_1 {}", body.len()).as_bytes());

    let mut bad = d.clone();
    bad.body = Bytes::from_static(b"{}");
    let a = common::send(addr, "/", bad).await;
    assert_eq!((a.status.as_u16(), a.code()), (401, "signature_mismatch"));
    assert_eq!(a.headers["content-type"], "application/json");

    let big = Delivery::new(Scheme::heppu(), vec![b' '; 5000]).sign(&secret);
    assert_eq!(common::send(addr, "/", big).await.code(), "body_too_large");
}
