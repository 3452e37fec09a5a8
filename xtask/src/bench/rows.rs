//! The rows of the table, one module per issue-9 section.

pub mod cli;
pub mod disk;
pub mod http;
pub mod runs;
