//! `intelligence migrate`: applies pending migrations and says where.

use serde_json::json;

use crate::cli::GlobalArgs;
use crate::commands::output;
use crate::database;
use crate::exit::CliResult;
use crate::render;

/// Opens the database without migrating, then migrates and reports how many
/// migrations ran.
pub fn run(global: &GlobalArgs) -> CliResult {
    let store = database::open_unmigrated(global)?;
    // A database that cannot be opened fails here, at once and with the
    // reason: the store connects once before it migrates.
    let applied = store
        .migrate()
        .map_err(|err| database::failure(err, &store.url_for_display()))?;
    let backend = store.backend().to_string();
    let url = store.url_for_display();
    if global.json {
        return output(|out| {
            render::json(
                out,
                &json!({"backend": backend, "url": url, "applied": applied}),
            )
        });
    }
    output(|out| match applied {
        0 => writeln!(
            out,
            "{backend} database {url} is up to date (no migration to apply)"
        ),
        1 => writeln!(
            out,
            "{backend} database {url} migrated: 1 migration applied"
        ),
        n => writeln!(
            out,
            "{backend} database {url} migrated: {n} migrations applied"
        ),
    })
}
