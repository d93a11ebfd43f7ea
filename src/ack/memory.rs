//! The in-memory queue: a bounded deque, a `Notify`, and N worker tasks.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::Notify;
use tokio::task::JoinHandle;

use super::{Job, JobError, PushError, Runner, Settings, ShutdownReport};
use crate::sync::lock;

pub(crate) struct MemoryQueue<T> {
    state: Mutex<State<T>>,
    notify: Notify,
    capacity: usize,
    runner: Arc<Runner<T>>,
    workers: Mutex<Vec<JoinHandle<()>>>,
}

struct State<T> {
    queue: VecDeque<Job<T>>,
    accepting: bool,
    /// The job each worker is running, kept so that a job cut off at the shutdown deadline still
    /// reaches the dead-letter callback.
    running: HashMap<usize, Job<T>>,
}

impl<T: Clone + Send + Sync + 'static> MemoryQueue<T> {
    pub(crate) fn start(runner: Arc<Runner<T>>, settings: &Settings) -> Arc<Self> {
        let queue = Arc::new(MemoryQueue {
            state: Mutex::new(State {
                queue: VecDeque::with_capacity(settings.capacity.min(4096)),
                accepting: true,
                running: HashMap::new(),
            }),
            notify: Notify::new(),
            capacity: settings.capacity,
            runner,
            workers: Mutex::new(Vec::new()),
        });
        let handles = (0..settings.workers)
            .map(|i| tokio::spawn(worker(queue.clone(), i)))
            .collect();
        *lock(&queue.workers) = handles;
        queue
    }

    pub(crate) fn push(&self, mut job: Job<T>) -> Result<(), PushError> {
        job.queued_at = Some(std::time::Instant::now());
        {
            let mut state = lock(&self.state);
            if !state.accepting {
                return Err(PushError::Closed);
            }
            if state.queue.len() >= self.capacity {
                return Err(PushError::Full);
            }
            state.queue.push_back(job);
            self.runner.stats.set_depth(state.queue.len());
        }
        self.notify.notify_one();
        Ok(())
    }

    /// The next job for worker `i`, or `None` once the queue is closed and empty.
    async fn next(&self, i: usize) -> Option<Job<T>> {
        loop {
            // Register interest before looking, so a push or a close between the look and the
            // wait still wakes this worker.
            let notified = self.notify.notified();
            let mut notified = std::pin::pin!(notified);
            notified.as_mut().enable();
            {
                let mut state = lock(&self.state);
                if let Some(job) = state.queue.pop_front() {
                    self.runner.stats.set_depth(state.queue.len());
                    state.running.insert(i, job.clone());
                    return Some(job);
                }
                if !state.accepting {
                    return None;
                }
            }
            notified.await;
        }
    }

    pub(crate) async fn shutdown(&self, deadline: Duration) -> ShutdownReport {
        let pending = {
            let mut state = lock(&self.state);
            state.accepting = false;
            (state.queue.len() + state.running.len()) as u64
        };
        self.notify.notify_waiters();
        tracing::info!(pending, ?deadline, "webhook queue shutting down; draining");
        let handles = std::mem::take(&mut *lock(&self.workers));
        let aborts: Vec<_> = handles.iter().map(JoinHandle::abort_handle).collect();
        let drained_in_time = tokio::time::timeout(deadline, async {
            for h in handles {
                let _ = h.await;
            }
        })
        .await
        .is_ok();
        if !drained_in_time {
            for a in &aborts {
                a.abort();
            }
        }
        // Whatever is still queued or was running when the workers were stopped.
        let left: Vec<Job<T>> = {
            let mut state = lock(&self.state);
            let mut left: Vec<_> = state.running.drain().map(|(_, j)| j).collect();
            left.extend(state.queue.drain(..));
            self.runner.stats.set_depth(0);
            left
        };
        let unfinished = left.len() as u64;
        for job in left {
            self.runner.bury(job, JobError::NotDrained, 0).await;
        }
        let report = ShutdownReport {
            drained: pending.saturating_sub(unfinished),
            unfinished,
            left_pending: 0,
        };
        tracing::info!(
            drained = report.drained,
            unfinished = report.unfinished,
            "webhook queue stopped"
        );
        report
    }
}

async fn worker<T: Clone + Send + Sync + 'static>(queue: Arc<MemoryQueue<T>>, i: usize) {
    while let Some(job) = queue.next(i).await {
        // `run` catches the handler's panics; the dead-letter callback's too.
        queue.runner.run(job).await;
        lock(&queue.state).running.remove(&i);
    }
}
