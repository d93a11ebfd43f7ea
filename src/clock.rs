//! Time sources. Verification reads "now" through a [`Clock`] so tests can pin it.

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// A source of the current unix time.
pub trait Clock: Send + Sync + 'static {
    /// Milliseconds since the unix epoch.
    fn now_millis(&self) -> u64;
}

/// The system's wall clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    #[cfg(not(all(target_arch = "wasm32", target_os = "unknown")))]
    fn now_millis(&self) -> u64 {
        // Whole seconds and milliseconds in 64 bits: `as_millis` would go through 128.
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| {
                d.as_secs()
                    .saturating_mul(1000)
                    .saturating_add(u64::from(d.subsec_millis()))
            })
            .unwrap_or(0)
    }

    /// On wasm32-unknown-unknown the host's `Date.now()`: the standard library has no clock
    /// there (`SystemTime::now` panics), and the hosts that run such modules (Cloudflare
    /// Workers, browsers, Node) are JavaScript ones.
    #[cfg(all(target_arch = "wasm32", target_os = "unknown"))]
    fn now_millis(&self) -> u64 {
        let now = js_sys::Date::now();
        if now.is_finite() && now > 0.0 {
            now as u64
        } else {
            0
        }
    }
}

/// A clock that only moves when told to; clones share the same time.
///
/// ```
/// use std::time::Duration;
/// use webhook_guard::clock::{Clock, ManualClock};
///
/// let clock = ManualClock::at_secs(1_701_432_000);
/// let seen_by_verifier = clock.clone();
/// clock.advance(Duration::from_secs(301));
/// assert_eq!(seen_by_verifier.now_millis(), 1_701_432_301_000);
/// ```
#[derive(Clone, Default)]
pub struct ManualClock {
    millis: Arc<AtomicU64>,
}

impl ManualClock {
    /// A clock standing at `millis` since the epoch.
    pub fn at_millis(millis: u64) -> Self {
        ManualClock {
            millis: Arc::new(AtomicU64::new(millis)),
        }
    }

    /// A clock standing at `secs` since the epoch.
    pub fn at_secs(secs: u64) -> Self {
        Self::at_millis(secs.saturating_mul(1000))
    }

    /// Move the clock forward.
    pub fn advance(&self, by: Duration) {
        let by = u64::try_from(by.as_millis()).unwrap_or(u64::MAX);
        self.millis.fetch_add(by, Ordering::SeqCst);
    }

    /// Set the clock.
    pub fn set_millis(&self, millis: u64) {
        self.millis.store(millis, Ordering::SeqCst);
    }
}

impl Clock for ManualClock {
    fn now_millis(&self) -> u64 {
        self.millis.load(Ordering::SeqCst)
    }
}

impl fmt::Debug for ManualClock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ManualClock")
            .field("millis", &self.now_millis())
            .finish()
    }
}
