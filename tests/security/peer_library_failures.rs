//! Failures found in other webhook libraries, each shown impossible here.
//!
//! - An empty signature entry (`v1,`) accepted as a match: svix's Rust library before 1.17
//!   (RUSTSEC-2024-0010) compared an empty signature successfully.
//! - Timestamps at the edges of the integer types (`i64::MIN`, `i64::MAX`, `u64::MAX`)
//!   overflowing the tolerance window arithmetic (a panic, or a wrap-around into the window).
//! - Malformed list entries (`v1`, `v1,a,b`, tabs, empty entries) crashing the parser.
//! - A zero tolerance read as "no check".
//! - Timestamps in the future accepted because only the age was checked.
//!
//! Every delivery here is signed over its exact timestamp text, so only the check under test
//! can refuse it.

use std::time::Duration;

use http::{HeaderName, HeaderValue};
use webhook_guard::clock::ManualClock;
use webhook_guard::testing::{Delivery, SignedDelivery};
use webhook_guard::{RejectionKind, Scheme, Secret, Verifier};

const NOW_SECS: u64 = 1_701_432_000;
const KEY: &str = "peer-failure-test-secret-0001";

fn secret() -> Secret {
    Secret::new(KEY).unwrap()
}

/// Built-in schemes that carry a timestamp, with the header (or signature header) holding it.
fn timestamped() -> Vec<Scheme> {
    vec![
        Scheme::heppu(),
        Scheme::helix(),
        Scheme::standard_webhooks(),
        Scheme::stripe(),
        Scheme::slack(),
    ]
}

fn body_for(scheme: &Scheme) -> &'static str {
    match scheme.name() {
        "stripe" => r#"{"id":"evt_1","type":"ping"}"#,
        _ => r#"{"type":"ping","event":"call.completed"}"#,
    }
}

fn verifier_at(scheme: Scheme, now_ms: u64, past: Duration, future: Duration) -> Verifier {
    Verifier::builder(scheme)
        .secret(secret())
        .tolerance_past(past)
        .tolerance_future(future)
        .clock(ManualClock::at_millis(now_ms))
        .build()
        .unwrap()
}

fn signed_raw_ts(scheme: &Scheme, ts: &str) -> SignedDelivery {
    Delivery::new(scheme.clone(), body_for(scheme))
        .timestamp_raw(ts)
        .sign(&secret())
}

fn set(d: &mut SignedDelivery, name: &str, value: &[u8]) {
    d.headers.insert(
        HeaderName::from_bytes(name.as_bytes()).unwrap(),
        HeaderValue::from_bytes(value).unwrap(),
    );
}

#[test]
fn empty_signature_entries_never_match_rustsec_2024_0010() {
    let scheme = Scheme::standard_webhooks();
    let v = Verifier::new(scheme.clone(), secret());
    let good = Delivery::new(scheme, body_for(&Scheme::standard_webhooks())).sign(&secret());
    assert!(v.verify(&good.headers, &good.body).is_ok());
    let valid_sig = good.header("webhook-signature").unwrap().to_owned();
    for value in [
        "v1,".to_owned(),
        "v1, ".to_owned(),
        " v1,".to_owned(),
        "v1,=".to_owned(),
        "v1,==".to_owned(),
        "v1, v1,".to_owned(),
        "v1,  v1,  v1,".to_owned(),
        // An empty entry beside a correct one: the whole header is refused, not skipped past.
        format!("v1, {valid_sig}"),
        format!("{valid_sig} v1,"),
    ] {
        let mut d = good.clone();
        set(&mut d, "webhook-signature", value.as_bytes());
        let err = v.verify(&d.headers, &d.body).unwrap_err();
        assert_eq!(err.kind(), RejectionKind::SignatureMalformed, "{value:?}");
    }
    // Stripe's list: `v1=` with nothing after it.
    let stripe = Scheme::stripe();
    let v = Verifier::builder(stripe.clone())
        .secret(secret())
        .build()
        .unwrap();
    let good = Delivery::new(stripe.clone(), body_for(&stripe)).sign(&secret());
    let ts = good.header("stripe-signature").unwrap()[2..12].to_owned();
    for value in [format!("t={ts},v1="), format!("t={ts},v1=,v1=")] {
        let mut d = good.clone();
        set(&mut d, "stripe-signature", value.as_bytes());
        let err = v.verify(&d.headers, &d.body).unwrap_err();
        assert_eq!(err.kind(), RejectionKind::SignatureMalformed, "{value:?}");
    }
}

#[test]
fn integer_edge_timestamps_never_overflow_the_window() {
    let edges = [
        ("i64::MIN", i64::MIN.to_string()),
        ("i64::MAX", i64::MAX.to_string()),
        ("u64::MAX", u64::MAX.to_string()),
        ("u64::MAX + 1", "18446744073709551616".to_owned()),
        ("zero", "0".to_owned()),
        ("one", "1".to_owned()),
    ];
    let clocks = [
        0,
        1,
        NOW_SECS * 1000,
        i64::MAX as u64,
        u64::MAX - 1,
        u64::MAX,
    ];
    let tolerances = [Duration::ZERO, Duration::from_secs(300), Duration::MAX];
    for scheme in timestamped() {
        let name = scheme.name().to_owned();
        let ms = matches!(
            scheme.timestamp(),
            Some((_, webhook_guard::scheme::TimestampUnit::Milliseconds))
        );
        for (label, text) in &edges {
            let d = signed_raw_ts(&scheme, text);
            // Debug builds (the test profile) panic on arithmetic overflow: any overflow in the
            // window check would fail here.
            for now in clocks {
                for past in tolerances {
                    for future in tolerances {
                        let v = verifier_at(scheme.clone(), now, past, future);
                        let got = v.verify(&d.headers, &d.body).map_err(|r| r.kind());
                        let ctx =
                            format!("{name} {label} now={now} past={past:?} future={future:?}");
                        match *label {
                            "i64::MIN" | "u64::MAX + 1" => {
                                assert_eq!(
                                    got.unwrap_err(),
                                    RejectionKind::TimestampMalformed,
                                    "{ctx}"
                                )
                            }
                            // In seconds, these overflow when converted to milliseconds:
                            // refused as malformed, never wrapped into the window.
                            "i64::MAX" | "u64::MAX" if !ms => {
                                assert_eq!(
                                    got.unwrap_err(),
                                    RejectionKind::TimestampMalformed,
                                    "{ctx}"
                                )
                            }
                            _ => {
                                if let Err(kind) = got {
                                    assert!(
                                        matches!(
                                            kind,
                                            RejectionKind::TimestampExpired
                                                | RejectionKind::TimestampInFuture
                                        ),
                                        "{ctx}: {kind:?}"
                                    );
                                }
                            }
                        }
                    }
                }
            }
        }
        // With the default tolerance and a real clock, the extremes are refused, never accepted.
        let v = verifier_at(
            scheme.clone(),
            NOW_SECS * 1000,
            Duration::from_secs(300),
            Duration::from_secs(300),
        );
        for (_, text) in &edges {
            let d = signed_raw_ts(&scheme, text);
            assert!(v.verify(&d.headers, &d.body).is_err(), "{name} {text}");
        }
    }
}

#[test]
fn malformed_list_entries_are_refused_without_panicking() {
    let junk: &[&[u8]] = &[
        b"v1",
        b"v1,a,b",
        b"v1,\t",
        b"\t",
        b"\tv1,\t",
        b"",
        b" ",
        b",",
        b",,,,",
        b"  v1,  ",
        b"v1,,",
        b"v1=",
        b"t=",
        b"t=,v1=",
        b"t=1,t=2,v1=00",
        b"t=\t1,v1=\t",
        b"v1,a\tv1,b",
        b"v1,AAAA",
        b"v1,!!!!",
        b"v2,abc",
        b"v1a,abc",
        b"v1,\xff\xfe",
        b"t=\xff,v1=\x80",
    ];
    for scheme in [Scheme::standard_webhooks(), Scheme::stripe()] {
        let v = Verifier::builder(scheme.clone())
            .secret(secret())
            .build()
            .unwrap();
        let header = scheme.signature_headers()[0].clone();
        let good = Delivery::new(scheme.clone(), body_for(&scheme)).sign(&secret());
        for &value in junk {
            let mut d = good.clone();
            set(&mut d, header.as_str(), value);
            let ctx = format!("{} {:?}", scheme.name(), String::from_utf8_lossy(value));
            let err = v.verify(&d.headers, &d.body).unwrap_err();
            assert!(err.status().is_client_error(), "{ctx}");
            assert!(
                matches!(
                    err.kind(),
                    RejectionKind::SignatureMalformed
                        | RejectionKind::TimestampMissing
                        | RejectionKind::TimestampMalformed
                ),
                "{ctx}: {:?}",
                err.kind()
            );
            // The same through the streaming entry point.
            assert!(v.begin(&d.headers).is_err(), "{ctx}");
        }
    }
}

#[test]
fn zero_tolerance_means_the_current_instant_not_disabled() {
    for scheme in timestamped() {
        let name = scheme.name().to_owned();
        let now_ms = NOW_SECS * 1000;
        let v = verifier_at(scheme.clone(), now_ms, Duration::ZERO, Duration::ZERO);
        let at = |ms: u64| {
            Delivery::new(scheme.clone(), body_for(&scheme))
                .timestamp_millis(ms)
                .sign(&secret())
        };
        let d = at(now_ms);
        assert!(v.verify(&d.headers, &d.body).is_ok(), "{name}: now passes");
        for (ms, kind) in [
            (now_ms - 1000, RejectionKind::TimestampExpired),
            (now_ms + 1000, RejectionKind::TimestampInFuture),
            (now_ms - 3_600_000, RejectionKind::TimestampExpired),
            (now_ms + 3_600_000, RejectionKind::TimestampInFuture),
        ] {
            let d = at(ms);
            assert_eq!(
                v.verify(&d.headers, &d.body).unwrap_err().kind(),
                kind,
                "{name} at {ms}"
            );
        }
    }
}

#[test]
fn future_timestamps_are_refused_not_only_old_ones() {
    for scheme in timestamped() {
        let name = scheme.name().to_owned();
        let now_ms = NOW_SECS * 1000;
        let at = |ms: u64| {
            Delivery::new(scheme.clone(), body_for(&scheme))
                .timestamp_millis(ms)
                .sign(&secret())
        };
        // Default tolerance: 300 s either way.
        let v = Verifier::builder(scheme.clone())
            .secret(secret())
            .clock(ManualClock::at_millis(now_ms))
            .build()
            .unwrap();
        for ahead_s in [301, 3600, 86_400, 10 * 365 * 86_400] {
            let d = at(now_ms + ahead_s * 1000);
            assert_eq!(
                v.verify(&d.headers, &d.body).unwrap_err().kind(),
                RejectionKind::TimestampInFuture,
                "{name} {ahead_s} s ahead"
            );
        }
        // A generous past tolerance does not widen the future one.
        let v = verifier_at(
            scheme.clone(),
            now_ms,
            Duration::from_secs(30 * 86_400),
            Duration::from_secs(5),
        );
        let d = at(now_ms - 7 * 86_400_000);
        assert!(v.verify(&d.headers, &d.body).is_ok(), "{name}: a week old");
        let d = at(now_ms + 6000);
        assert_eq!(
            v.verify(&d.headers, &d.body).unwrap_err().kind(),
            RejectionKind::TimestampInFuture,
            "{name}: 6 s ahead, 5 s allowed"
        );
    }
}
