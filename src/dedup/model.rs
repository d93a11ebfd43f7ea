//! Model check of the real two-key admission (`admit` + `ClaimGuard::settle`) with shuttle.
//!
//! The store here is a plain map behind a shuttle `Mutex`, with a scheduling point before every
//! operation, so shuttle's scheduler chooses the order in which concurrent deliveries' claims,
//! completes and releases interleave at the `admit` / `settle` await points — the code under test is
//! the crate's own `admit` and `ClaimGuard`, unchanged. Leases and TTLs are not modelled here
//! (no clock: the single-key takeover after lease expiry is checked on the real `MemoryStore`
//! by the dedup model tests, listed in the test index, tests/README.md); this checks what two
//! keys per delivery add.
//!
//! Invariants, for Heppu deliveries (unsigned id, so an id key and a replay key each):
//! - the same delivery sent twice at once runs its handler at most once while both succeed,
//!   and a later copy is answered as a duplicate;
//! - when the first attempt fails, nothing is lost: the other copy or a later retry runs it;
//! - the same signed content under two ids at once (a replay) runs the handler at most once;
//! - no key is left claimed after every attempt settled (a stuck key would block retries).

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use shuttle::sync::Mutex;

use super::{Admission, Claim, DIGEST_LEN, Dedup, DedupStore, StoreFuture, Token, admit};
use crate::testing::Delivery;
use crate::{Scheme, Secret, Verifier, WebhookMeta};

#[derive(Clone, Copy, PartialEq)]
enum State {
    InFlight(Token),
    Done,
}

/// Claim/complete/release with the `MemoryStore`'s semantics (minus time), one lock per op.
#[derive(Default)]
struct ModelStore {
    map: Mutex<HashMap<String, (State, [u8; DIGEST_LEN])>>,
}

impl DedupStore for ModelStore {
    fn claim<'a>(
        &'a self,
        key: &'a str,
        digest: &'a [u8; DIGEST_LEN],
        _lease: Duration,
    ) -> StoreFuture<'a, Claim> {
        Box::pin(async move {
            shuttle::future::yield_now().await;
            let mut map = self.map.lock().unwrap();
            Ok(match map.get(key) {
                Some((_, d)) if d != digest => Claim::Conflict,
                Some((State::Done, _)) => Claim::Done,
                Some((State::InFlight(_), _)) => Claim::InFlight {
                    retry_after: Duration::from_secs(1),
                },
                None => {
                    let token = Token::new();
                    map.insert(key.to_owned(), (State::InFlight(token), *digest));
                    Claim::Fresh(token)
                }
            })
        })
    }

    fn complete<'a>(
        &'a self,
        key: &'a str,
        token: &'a Token,
        _ttl: Duration,
    ) -> StoreFuture<'a, bool> {
        Box::pin(async move {
            shuttle::future::yield_now().await;
            let mut map = self.map.lock().unwrap();
            match map.get_mut(key) {
                Some((state, _)) if *state == State::InFlight(*token) => {
                    *state = State::Done;
                    Ok(true)
                }
                _ => Ok(false),
            }
        })
    }

    fn release<'a>(&'a self, key: &'a str, token: &'a Token) -> StoreFuture<'a, bool> {
        Box::pin(async move {
            shuttle::future::yield_now().await;
            let mut map = self.map.lock().unwrap();
            if matches!(map.get(key), Some((State::InFlight(t), _)) if t == token) {
                map.remove(key);
                Ok(true)
            } else {
                Ok(false)
            }
        })
    }
}

impl ModelStore {
    fn in_flight(&self) -> usize {
        let map = self.map.lock().unwrap();
        map.values()
            .filter(|(s, _)| matches!(s, State::InFlight(_)))
            .count()
    }
}

const KEY: &str = "model-check-secret-0123456789";

/// Random schedules per scenario. Exhaustive DFS over every scheduling point (including the
/// executor's own) does not finish in minutes; a few thousand random schedules reach every
/// ordering of the eight store operations that matter many times over (shuttle's random
/// scheduler picks uniformly at each point), and take well under a second each.
const ITERATIONS: usize = 3000;

/// A verified Heppu delivery's metadata (id `id`, body `body`), as the layer would have it.
fn verified(id: &str, body: &'static str) -> WebhookMeta {
    let secret = Secret::new(KEY).unwrap();
    let d = Delivery::new(Scheme::heppu(), body).id(id).sign(&secret);
    Verifier::new(Scheme::heppu(), secret)
        .verify(&d.headers, &d.body)
        .unwrap()
}

/// One attempt: admit, run the "handler" if admitted, settle with `succeeds`.
async fn attempt(
    dedup: Dedup,
    meta: WebhookMeta,
    body: &'static str,
    runs: Arc<AtomicUsize>,
    succeeds: bool,
) -> &'static str {
    match admit(&dedup, &meta, &Scheme::heppu(), body.as_bytes()).await {
        Admission::Proceed(guard) => {
            runs.fetch_add(1, Ordering::SeqCst);
            if let Some(guard) = guard {
                guard.settle(succeeds).await;
            }
            if succeeds { "processed" } else { "failed" }
        }
        Admission::Duplicate => "duplicate",
        Admission::Reject(r) => r.code(),
    }
}

/// Run two attempts concurrently under shuttle, then a third (a late retry of `ids[0]`).
fn race(ids: [&'static str; 2], succeed: [bool; 2], check: fn(&[&str; 2], usize, &str)) {
    const BODY: &str = r#"{"event":"call.completed","conversation_id":"conv_model"}"#;
    let metas = [verified(ids[0], BODY), verified(ids[1], BODY)];
    shuttle::check_random(
        move || {
            let store = Arc::new(ModelStore::default());
            let dedup = Dedup::new(store.clone());
            let runs = Arc::new(AtomicUsize::new(0));
            let handles: Vec<_> = (0..2)
                .map(|i| {
                    shuttle::future::spawn(attempt(
                        dedup.clone(),
                        metas[i].clone(),
                        BODY,
                        runs.clone(),
                        succeed[i],
                    ))
                })
                .collect();
            let outcomes: Vec<&str> = handles
                .into_iter()
                .map(|h| shuttle::future::block_on(h).unwrap())
                .collect();
            assert_eq!(store.in_flight(), 0, "a key stayed claimed: {outcomes:?}");
            let late = shuttle::future::block_on(attempt(
                dedup.clone(),
                metas[0].clone(),
                BODY,
                runs.clone(),
                true,
            ));
            check(
                &[outcomes[0], outcomes[1]],
                runs.load(Ordering::SeqCst),
                late,
            );
        },
        ITERATIONS,
    );
}

#[test]
fn the_same_delivery_twice_runs_once() {
    race(["dlv_1", "dlv_1"], [true, true], |outcomes, runs, late| {
        // Exactly one ran (the other was told in_flight or duplicate); the late copy is a
        // duplicate. The third attempt never runs.
        assert_eq!(runs, 1, "{outcomes:?}");
        assert!(outcomes.contains(&"processed"), "{outcomes:?}");
        assert_eq!(late, "duplicate");
    });
}

#[test]
fn a_failed_first_attempt_is_never_lost() {
    race(["dlv_1", "dlv_1"], [false, true], |outcomes, runs, late| {
        // Whatever the order, the delivery ends up processed exactly once among all attempts
        // that succeeded: by the second copy, or by the late retry.
        let processed = outcomes.iter().filter(|o| **o == "processed").count()
            + usize::from(late == "processed");
        assert_eq!(processed, 1, "{outcomes:?} then {late}");
        assert!(runs <= 3);
        if late != "processed" {
            assert_eq!(late, "duplicate");
        }
    });
}

#[test]
fn a_concurrent_replay_under_another_id_runs_at_most_once() {
    race(
        ["dlv_1", "dlv_forged"],
        [true, true],
        |outcomes, runs, late| {
            // Same signed content, two ids: the content is processed once. The copy that lost gets
            // `409 in_flight` while the winner runs, or is answered as a duplicate once it
            // completed. The late retry of either id is a duplicate: the content was processed
            // exactly once.
            assert_eq!(runs, 1, "{outcomes:?}");
            assert_eq!(outcomes.iter().filter(|o| **o == "processed").count(), 1);
            for o in outcomes {
                assert!(
                    ["processed", "in_flight", "duplicate"].contains(o),
                    "{outcomes:?}"
                );
            }
            assert_eq!(late, "duplicate");
        },
    );
}
