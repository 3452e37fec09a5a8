//! `intelligence incidents add|list|show`: the store's own incidents table.

use anyhow::{Context as _, anyhow};
use intelligence_core::{Alert, Incident, IncidentId};
use intelligence_store::{NewIncident, Store};
use serde::Serialize;
use serde_json::{Map, Value};

use crate::cli::{GlobalArgs, IncidentAddArgs, IncidentsCommand};
use crate::commands::output;
use crate::database;
use crate::exit::{CliError, CliResult};
use crate::render::{self, Table, cut};

/// What `incidents list --json` prints.
#[derive(Debug, Serialize)]
struct IncidentList<'a> {
    /// Newest first.
    incidents: &'a [Incident],
}

/// Runs an `incidents` subcommand.
pub async fn run(global: &GlobalArgs, command: IncidentsCommand) -> CliResult {
    let store = database::open(global)?;
    match command {
        IncidentsCommand::Add(args) => add(global, &store, args).await,
        IncidentsCommand::List { limit } => list(global, &store, limit).await,
        IncidentsCommand::Show { id } => show(global, &store, id).await,
    }
}

async fn add(global: &GlobalArgs, store: &Store, args: IncidentAddArgs) -> CliResult {
    let mut metadata = Map::new();
    for pair in args.metadata {
        metadata.insert(pair.key, Value::String(pair.value));
    }
    let alerts = args
        .alerts
        .into_iter()
        .map(|alert| match alert.split_once('=') {
            Some((name, description)) => Alert {
                name: name.trim().to_owned(),
                description: description.to_owned(),
            },
            None => Alert {
                name: alert.trim().to_owned(),
                description: String::new(),
            },
        })
        .collect();
    let new = NewIncident {
        title: args.title,
        description: args.description,
        severity: args.severity,
        status: args.status,
        metadata: Value::Object(metadata),
        alerts,
    };
    let incident = store
        .add_incident(new)
        .await
        .context("cannot add the incident")?;
    if global.json {
        return output(|out| render::json(out, &incident));
    }
    output(|out| writeln!(out, "added incident {}: {}", incident.id, incident.title))
}

async fn list(global: &GlobalArgs, store: &Store, limit: i64) -> CliResult {
    let incidents = store
        .list_incidents(limit)
        .await
        .context("cannot list incidents")?;
    if global.json {
        let list = IncidentList {
            incidents: &incidents,
        };
        return output(|out| render::json(out, &list));
    }
    output(|out| {
        if incidents.is_empty() {
            return writeln!(out, "no incidents");
        }
        let mut table = Table::new(vec!["ID", "SEVERITY", "STATUS", "ALERTS", "TITLE"]);
        for incident in &incidents {
            table.row(vec![
                incident.id.to_string(),
                incident.severity.clone(),
                incident.status.clone(),
                incident.alerts.len().to_string(),
                cut(&incident.title, 80),
            ]);
        }
        table.write(out)
    })
}

async fn show(global: &GlobalArgs, store: &Store, id: IncidentId) -> CliResult {
    let incident = store
        .get_incident(id)
        .await
        .with_context(|| format!("cannot load incident {id}"))?
        .ok_or_else(|| CliError::failed(anyhow!("incident {id} not found")))?;
    if global.json {
        return output(|out| render::json(out, &incident));
    }
    output(|out| render::incident(out, &incident))
}
