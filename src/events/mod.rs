//! TEMPORARY stub until the typed events land.
#![allow(missing_docs)]
pub mod heppu {
    #[derive(Debug, serde::Deserialize)]
    pub struct Event { pub event: String }
    impl Event { pub fn event_type(&self) -> &str { &self.event } }
}
