//! Audit sinks that need no database: [`MemorySink`] and [`NoopSink`].

mod memory;
mod noop;

pub use memory::MemorySink;
pub use noop::NoopSink;
