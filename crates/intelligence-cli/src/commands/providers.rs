//! `intelligence providers`: the registered providers and what they do.

use intelligence_core::ProviderInfo;
use serde::Serialize;

use crate::cli::GlobalArgs;
use crate::commands::output;
use crate::exit::CliResult;
use crate::render::{self, Table};

/// What `providers --json` prints.
#[derive(Debug, Serialize)]
struct ProviderList<'a> {
    providers: &'a [ProviderInfo],
}

/// Lists the providers; needs no database.
pub fn run(global: &GlobalArgs) -> CliResult {
    let registry = crate::providers::registry(intelligence_local::LocalSettings::default(), None);
    let providers = registry.list();
    if global.json {
        return output(|out| {
            render::json(
                out,
                &ProviderList {
                    providers: &providers,
                },
            )
        });
    }
    let mut table = Table::new(vec!["NAME", "DESCRIPTION"]);
    for provider in providers {
        table.row(vec![provider.name, provider.description]);
    }
    output(|out| table.write(out))
}
