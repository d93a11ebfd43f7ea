//! The counting allocator of this binary: every call is forwarded unchanged to the system
//! allocator, and while a thread measures ([`measure`]) its own allocations are counted: how
//! many (`realloc` counts as one), the largest, and the peak of its live bytes.
//!
//! Everything is per thread: tests run in parallel on the harness's threads, and each measures
//! only what its own thread allocates. A measured run must therefore keep its work on the
//! calling thread (a current-thread runtime, actix-web's `System::block_on`, plain calls).
//!
//! `ALLOC_TRACE=1`: print a backtrace for each counted allocation (to find one that crept in).

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::sync::OnceLock;

struct Counting;

thread_local! {
    static MEASURING: Cell<bool> = const { Cell::new(false) };
    static ALLOCS: Cell<usize> = const { Cell::new(0) };
    static LARGEST: Cell<usize> = const { Cell::new(0) };
    static LIVE: Cell<isize> = const { Cell::new(0) };
    static PEAK: Cell<isize> = const { Cell::new(0) };
}

/// What a thread allocated while [`measure`] ran.
#[derive(Debug, Clone, Copy)]
pub struct Allocations {
    /// `alloc` and `realloc` calls.
    pub count: usize,
    /// The largest size asked for, in bytes.
    pub largest: usize,
    /// The peak of the bytes allocated and not yet freed since the measure began.
    pub peak_live: isize,
}

/// Runs `run` on this thread, counting this thread's allocations while it runs.
pub fn measure<R>(run: impl FnOnce() -> R) -> (R, Allocations) {
    start();
    let out = run();
    (out, stop())
}

/// Starts counting this thread's allocations (from zero), until [`stop`].
pub fn start() {
    // Read before measuring: the first read allocates.
    let _ = trace();
    ALLOCS.with(|c| c.set(0));
    LARGEST.with(|c| c.set(0));
    LIVE.with(|c| c.set(0));
    PEAK.with(|c| c.set(0));
    MEASURING.with(|m| m.set(true));
}

/// Stops counting this thread's allocations: what it allocated since [`start`].
pub fn stop() -> Allocations {
    MEASURING.with(|m| m.set(false));
    Allocations {
        count: ALLOCS.with(Cell::get),
        largest: LARGEST.with(Cell::get),
        peak_live: PEAK.with(Cell::get),
    }
}

fn trace() -> bool {
    static TRACE: OnceLock<bool> = OnceLock::new();
    *TRACE.get_or_init(|| std::env::var_os("ALLOC_TRACE").is_some())
}

/// Notes an allocation of `size` bytes (`None` for a free) and a change of `delta` live bytes.
fn note(size: Option<usize>, delta: isize) {
    if !MEASURING.try_with(Cell::get).unwrap_or(false) {
        return;
    }
    if let Some(size) = size {
        let _ = ALLOCS.try_with(|c| c.set(c.get() + 1));
        let _ = LARGEST.try_with(|c| c.set(c.get().max(size)));
        if trace() {
            MEASURING.with(|m| m.set(false));
            eprintln!(
                "alloc {size} bytes\n{}",
                std::backtrace::Backtrace::force_capture()
            );
            MEASURING.with(|m| m.set(true));
        }
    }
    let _ = LIVE.try_with(|live| {
        let now = live.get() + delta;
        live.set(now);
        let _ = PEAK.try_with(|p| p.set(p.get().max(now)));
    });
}

// SAFETY: every call is forwarded unchanged to the system allocator; only sizes are recorded.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded with the caller's layout.
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            note(Some(layout.size()), layout.size() as isize);
        }
        p
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        note(None, -(layout.size() as isize));
        // SAFETY: forwarded with the caller's pointer and layout.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: forwarded with the caller's arguments.
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            note(Some(new_size), new_size as isize - layout.size() as isize);
        }
        p
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;
