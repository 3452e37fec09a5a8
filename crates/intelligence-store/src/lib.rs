//! The audit store of `intelligence`: every analysis run, and the incidents
//! the CLI and views analyse, in an embedded SQLite file (the default) or in
//! PostgreSQL (cargo feature `postgres`).
//!
//! [`Store`] implements [`intelligence_core::AuditSink`], so handing it to
//! [`intelligence_core::run()`] records every execution, and
//! [`intelligence_core::IncidentSource`] over its `incidents` table. Diesel
//! migrations are embedded and applied on open.
//!
//! SQLite runs in WAL mode with a busy timeout on every pooled connection and
//! `synchronous = NORMAL`; writes begin `IMMEDIATE`. A CLI and a server can
//! write one file at once. See `docs/audit-model.md` for the columns and the
//! durability the defaults give.
//!
//! # Example
//!
//! ```
//! use std::sync::Arc;
//!
//! use intelligence_store::{PageRequest, RunFilter, Store};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let dir = tempfile::tempdir()?;
//! let store = Store::open(dir.path().join("audit/intelligence.db").to_str().unwrap())?;
//! assert_eq!(store.migrate()?, 0, "open already migrated");
//!
//! let sink: Arc<dyn intelligence_core::AuditSink> = Arc::new(store.clone());
//! # let _ = sink;
//! let page = store.list_runs(&RunFilter::default(), PageRequest::first(50)).await?;
//! assert!(page.runs.is_empty() && page.next.is_none());
//! # Ok(())
//! # }
//! ```

mod backend;
mod error;
mod incidents;
mod maintenance;
mod models;
mod options;
mod page;
mod pool;
mod prepared;
mod query;
mod schema;
mod sink;
mod store;
mod url;
mod writer;

pub use backend::Backend;
pub use error::StoreError;
pub use incidents::NewIncident;
pub use maintenance::{ABANDONED_ERROR_TYPE, ABANDONED_MESSAGE, PRUNE_BATCH};
pub use options::{StoreOptions, Synchronous, WriteMode};
pub use page::{Cursor, PageRequest, RunCount, RunFilter, RunPage};
pub use store::Store;
pub use url::mask as mask_url;
