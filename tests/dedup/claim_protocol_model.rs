//! Exhaustive model check of the dedup claim protocol on the real `MemoryStore`.
//!
//! Several attempts at the same delivery race: each claims the key, and if it got it, runs the
//! handler and then completes (success) or releases (failure); an attempt refused as in flight
//! retries once, as a sender would. A lease may expire at any point (the clock jumps past it), so
//! another attempt can take the key over while the first is still running.
//!
//! Every interleaving of these steps is executed, replayed from scratch against a fresh store
//! (stateless model checking, as loom and shuttle do). The steps are the store's operations,
//! which are atomic per key (`claim_now`, `complete_now`, `release_now` each run whole under the
//! lock of the key's shard), so interleaving whole operations covers every outcome the protocol
//! can reach. loom and shuttle were not used because they can only schedule code whose
//! synchronisation goes through their own types, and the store's shards are standard-library
//! mutexes; that one operation runs under one lock is checked by the 64-thread race in
//! `tests/dedup/store_suite.rs`, not here.
//!
//! Invariants, checked after every step and at the end of every execution:
//! 1. two attempts hold the key at once only after a lease expired (takeover);
//! 2. at most one `complete` succeeds: a delivery is never marked done twice;
//! 3. a claim after a successful `complete` answers `Done`: the handler never runs again;
//! 4. a late `complete` or `release` by an attempt whose lease was taken over changes nothing;
//! 5. nothing is lost: when no attempt succeeded, a later retry gets the key (`Fresh`).

use std::time::Duration;

use webhook_guard::clock::ManualClock;
use webhook_guard::dedup::{Claim, MemoryStore, Token};

const KEY: &str = "model:id:dlv_1";
const DIGEST: [u8; 32] = [7; 32];
const LEASE: Duration = Duration::from_secs(60);
const TTL: Duration = Duration::from_secs(3600);
const START_MS: u64 = 1_000_000;

#[derive(Clone, Copy, Debug, PartialEq)]
enum Phase {
    /// About to claim; `retries` claims left after this one.
    Claim {
        retries: u8,
    },
    /// Holds the key (the handler is running); next step settles.
    Running(Token, u64),
    Done,
}

struct Attempt {
    phase: Phase,
    succeeds: bool,
    /// Another attempt claimed the key after this one's lease expired.
    taken_over: bool,
}

/// One execution's state.
struct World {
    store: MemoryStore,
    clock: ManualClock,
    attempts: Vec<Attempt>,
    expired: bool,
    /// Epoch of the lease each running attempt holds: a jump past the lease starts a new epoch.
    epoch: u64,
    completes_ok: u32,
    completed: bool,
    trace: Vec<String>,
}

impl World {
    fn new(outcomes: &[bool]) -> World {
        let clock = ManualClock::at_millis(START_MS);
        World {
            store: MemoryStore::builder().clock(clock.clone()).build(),
            clock,
            attempts: outcomes
                .iter()
                .map(|&succeeds| Attempt {
                    phase: Phase::Claim { retries: 1 },
                    succeeds,
                    taken_over: false,
                })
                .collect(),
            expired: false,
            epoch: 0,
            completes_ok: 0,
            completed: false,
            trace: Vec::new(),
        }
    }

    /// Steps that can run now: each unfinished attempt, and (once) the lease expiry.
    fn enabled(&self) -> Vec<usize> {
        let mut out: Vec<usize> = (0..self.attempts.len())
            .filter(|&i| self.attempts[i].phase != Phase::Done)
            .collect();
        if !self.expired {
            out.push(self.attempts.len());
        }
        out
    }

    fn running(&self) -> Vec<(usize, u64)> {
        self.attempts
            .iter()
            .enumerate()
            .filter_map(|(i, a)| match a.phase {
                Phase::Running(_, epoch) => Some((i, epoch)),
                _ => None,
            })
            .collect()
    }

    fn step(&mut self, who: usize) {
        if who == self.attempts.len() {
            self.clock.advance(LEASE + Duration::from_secs(1));
            self.expired = true;
            self.epoch += 1;
            self.trace.push("lease expires".into());
            return;
        }
        let phase = self.attempts[who].phase;
        match phase {
            Phase::Claim { retries } => {
                let claim = self.store.claim_now(KEY, &DIGEST, LEASE);
                self.trace.push(format!("#{who} claim -> {claim:?}"));
                match claim {
                    Claim::Fresh(token) => {
                        assert!(
                            !self.completed,
                            "claimed Fresh after a success: {:?}",
                            self.trace
                        );
                        // Invariant 1: anyone else running holds an expired lease.
                        for (other, epoch) in self.running() {
                            assert!(
                                epoch < self.epoch,
                                "#{who} and #{other} hold the key at once: {:?}",
                                self.trace
                            );
                            self.attempts[other].taken_over = true;
                        }
                        self.attempts[who].phase = Phase::Running(token, self.epoch);
                    }
                    Claim::Done => {
                        assert!(self.completed, "Done without a success: {:?}", self.trace);
                        self.attempts[who].phase = Phase::Done;
                    }
                    Claim::InFlight { .. } => {
                        assert!(
                            self.running().iter().any(|&(_, e)| e == self.epoch),
                            "in flight with no live holder: {:?}",
                            self.trace
                        );
                        self.attempts[who].phase = if retries > 0 {
                            Phase::Claim {
                                retries: retries - 1,
                            }
                        } else {
                            Phase::Done
                        };
                    }
                    Claim::Conflict => panic!("same digest never conflicts: {:?}", self.trace),
                }
            }
            Phase::Running(token, _) => {
                let taken_over = self.attempts[who].taken_over;
                let ok = if self.attempts[who].succeeds {
                    let ok = self.store.complete_now(KEY, &token, TTL);
                    self.trace.push(format!("#{who} complete -> {ok}"));
                    if ok {
                        self.completes_ok += 1;
                        self.completed = true;
                    }
                    ok
                } else {
                    let ok = self.store.release_now(KEY, &token);
                    self.trace.push(format!("#{who} release -> {ok}"));
                    ok
                };
                // Invariant 4 (and its converse: the owner's settle always takes effect).
                assert_eq!(ok, !taken_over, "settle by #{who}: {:?}", self.trace);
                // Invariant 2.
                assert!(self.completes_ok <= 1, "completed twice: {:?}", self.trace);
                self.attempts[who].phase = Phase::Done;
            }
            Phase::Done => unreachable!(),
        }
    }

    fn finish(&mut self) {
        let last = self.store.claim_now(KEY, &DIGEST, LEASE);
        self.trace.push(format!("final retry -> {last:?}"));
        if self.completed {
            // Invariant 3.
            assert_eq!(last, Claim::Done, "{:?}", self.trace);
        } else {
            // Invariant 5: every attempt has settled, none succeeded: the retry is processed.
            assert!(
                matches!(last, Claim::Fresh(_)),
                "delivery lost: {:?}",
                self.trace
            );
        }
    }
}

/// Run every schedule of `attempts` racing attempts (with every mix of handler outcomes) and
/// return how many executions were checked.
fn explore(attempts: usize) -> u64 {
    let mut executions = 0;
    for mask in 0..(1u32 << attempts) {
        let outcomes: Vec<bool> = (0..attempts).map(|i| mask & (1 << i) != 0).collect();
        // Depth-first over choice sequences: `path[k]` = (choice taken, choices available).
        let mut path: Vec<(usize, usize)> = Vec::new();
        loop {
            let mut world = World::new(&outcomes);
            let mut depth = 0;
            loop {
                let enabled = world.enabled();
                if enabled.is_empty() {
                    break;
                }
                if depth == path.len() {
                    path.push((0, enabled.len()));
                }
                let (choice, n) = path[depth];
                assert_eq!(n, enabled.len(), "replay diverged");
                world.step(enabled[choice]);
                depth += 1;
                assert!(depth < 64, "bounded: every attempt has at most 3 steps");
            }
            world.finish();
            executions += 1;
            path.truncate(depth);
            // Backtrack to the deepest point with an untried alternative.
            while let Some((choice, n)) = path.pop() {
                if choice + 1 < n {
                    path.push((choice + 1, n));
                    break;
                }
            }
            if path.is_empty() {
                break;
            }
        }
    }
    executions
}

#[test]
fn claim_complete_release_takeover_every_interleaving() {
    let two = explore(2);
    let three = explore(3);
    eprintln!("dedup model: {two} executions with 2 attempts, {three} with 3");
    assert!(two > 10 && three > two);
}
