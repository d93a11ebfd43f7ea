//! Locking shared by the in-memory dedup store and the async-ack queues.

/// Take `m`'s lock, even if a thread panicked while holding it. The crate's locks guard plain
/// data and are never held across an await or a user callback, so a poisoned lock still holds
/// consistent data; refusing it would turn one panicked handler into a dead receiver.
pub(crate) fn lock<X>(m: &std::sync::Mutex<X>) -> std::sync::MutexGuard<'_, X> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}
