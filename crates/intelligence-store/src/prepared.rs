//! Lifecycle updates that each connection prepares once.
//!
//! Diesel prepares every `UPDATE` statement afresh: it cannot know that an
//! update's SQL is the same from one call to the next, so it keeps none in
//! its statement cache. The updates that mark a run started, succeeded or
//! failed always have the same text (every column is set, a missing value
//! is bound as NULL), so [`RunUpdate`] writes them from diesel's own
//! changeset and filter expressions but under a query id of its own, and
//! diesel keeps each one prepared on its connection. On SQLite that saves
//! parsing and compiling two statements per run on the writer thread; on
//! PostgreSQL, the extra round trip that prepared them.

use std::marker::PhantomData;

use diesel::backend::Backend;
use diesel::expression::{AppearsOnTable, Expression};
use diesel::query_builder::{AsChangeset, AstPass, QueryFragment, QueryId};
use diesel::sql_types::Bool;
use diesel::{QueryResult, RunQueryDsl};

use crate::schema::analysis_runs;

/// `UPDATE analysis_runs SET <set> WHERE <filter>`, cached by diesel under
/// the type `Key`.
///
/// Each `Key` must name one statement text: diesel runs the statement it
/// prepared for the key's first use with every later use's binds. So the
/// changeset and the filter must not change shape between calls (no
/// optional assignments, no `IN` list of varying length); values, NULL
/// included, are binds and may vary.
pub(crate) struct RunUpdate<Set, Filter, Key> {
    set: Set,
    filter: Filter,
    key: PhantomData<Key>,
}

impl<Set, Filter, Key> RunUpdate<Set, Filter, Key> {
    /// The update of the runs matching `filter`.
    pub(crate) fn new<Changes>(changes: Changes, filter: Filter) -> Self
    where
        Changes: AsChangeset<Target = analysis_runs::table, Changeset = Set>,
        Filter: Expression<SqlType = Bool> + AppearsOnTable<analysis_runs::table>,
    {
        Self {
            set: changes.as_changeset(),
            filter,
            key: PhantomData,
        }
    }
}

impl<Set, Filter, Key: 'static> QueryId for RunUpdate<Set, Filter, Key> {
    type QueryId = Key;
    const HAS_STATIC_QUERY_ID: bool = true;
}

impl<Set, Filter, Key, DB> QueryFragment<DB> for RunUpdate<Set, Filter, Key>
where
    DB: Backend,
    analysis_runs::table: QueryFragment<DB>,
    Set: QueryFragment<DB>,
    Filter: QueryFragment<DB>,
{
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, DB>) -> QueryResult<()> {
        out.push_sql("UPDATE ");
        analysis_runs::table.walk_ast(out.reborrow())?;
        out.push_sql(" SET ");
        self.set.walk_ast(out.reborrow())?;
        out.push_sql(" WHERE ");
        self.filter.walk_ast(out.reborrow())
    }
}

impl<Set, Filter, Key, Conn> RunQueryDsl<Conn> for RunUpdate<Set, Filter, Key> {}

/// The key of the update that marks a run started.
pub(crate) struct MarkStarted;
/// The key of the update that marks a run succeeded.
pub(crate) struct MarkSucceeded;
/// The key of the update that marks a run failed.
pub(crate) struct MarkFailed;
