//! TEMPORARY stub.
#![allow(missing_docs)]
pub const HEPPU_CALL_COMPLETED: &str = r#"{"event":"call.completed","conversationId":"conv_xyz789"}"#;
