//! Where the example receivers keep jobs they acknowledged but could not finish (the handler
//! kept failing, or the shutdown deadline came first): one JSON object a line in a file, so that
//! nothing acknowledged is lost without a trace and each job can be replayed from it.
//!
//! Each line: `{"scheme", "namespace", "id", "event", "timestamp_ms", "attempts", "error",
//! "body"}`, with the verified body as text (or `"body_base64"` when it is not UTF-8). To
//! replay one, hand its body to the same work again, or send it once more signed with the
//! sender's secret: `jq -r .body line.json | webhook-guard send --scheme heppu --id <id> -`.
//! A crash of the process still loses what was queued in memory: the durable queue on Redis
//! (`AckQueueBuilder::start_redis`) is the answer when acknowledged work must survive one.

use std::io::Write;
use std::path::PathBuf;
use std::sync::Mutex;

use base64::Engine;
use serde_json::json;
use webhook_guard::ack::{AckQueue, DeadLetter, ShutdownReport};

/// The file: `DEAD_LETTER_FILE`, by default `webhook-dead-letters.jsonl` in the working
/// directory.
pub fn path() -> PathBuf {
    std::env::var_os("DEAD_LETTER_FILE")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("webhook-dead-letters.jsonl"))
}

/// One writer at a time, so that lines never interleave.
static FILE: Mutex<()> = Mutex::new(());

/// Append `dead` to the file, and say so in the log with the file's name.
pub fn keep<T>(dead: &DeadLetter<T>) {
    let job = &dead.job;
    let meta = job.meta();
    let mut line = json!({
        "scheme": meta.scheme(),
        "namespace": meta.namespace(),
        "id": meta.id(),
        "event": meta.event_type(),
        "timestamp_ms": meta.timestamp_millis(),
        "attempts": dead.attempts,
        "error": dead.error.to_string(),
    });
    match std::str::from_utf8(job.raw()) {
        Ok(text) => line["body"] = json!(text),
        Err(_) => {
            line["body_base64"] = json!(base64::engine::general_purpose::STANDARD.encode(job.raw()))
        }
    }
    let path = path();
    let written = {
        let _one = FILE
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .and_then(|mut file| writeln!(file, "{line}"))
    };
    match written {
        Ok(()) => tracing::error!(
            id = meta.id(),
            scheme = meta.scheme(),
            error = %dead.error,
            file = %path.display(),
            "job given up; kept in the dead-letter file for replay"
        ),
        // Bodies never go to the log: the delivery id is what is left to ask the sender for.
        Err(e) => tracing::error!(
            id = meta.id(),
            scheme = meta.scheme(),
            file = %path.display(),
            error = %e,
            "job given up, and the dead-letter file cannot be written"
        ),
    }
}

/// Once the server stopped taking requests: finish what was acknowledged (20 s at most), then
/// say what the drain did and where the jobs it could not finish are kept.
#[allow(dead_code)]
pub async fn drain<T: Clone + Send + Sync + 'static>(queue: &AckQueue<T>) {
    report_shutdown(&queue.shutdown(std::time::Duration::from_secs(20)).await);
}

fn report_shutdown(report: &ShutdownReport) {
    print!(
        "stopped: {} queued job(s) drained, {} unfinished",
        report.drained, report.unfinished
    );
    if report.left_pending > 0 {
        print!(
            ", {} left in the database for another process",
            report.left_pending
        );
    }
    println!();
    if report.unfinished > 0 {
        println!(
            "  the unfinished jobs are in {} (one JSON line each), for replay",
            path().display()
        );
    }
}
