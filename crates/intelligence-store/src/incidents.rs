//! The store's own `incidents` table, and the store as an
//! [`IncidentSource`].

use async_trait::async_trait;
use chrono::Utc;
use diesel::prelude::*;
use intelligence_core::{Alert, Incident, IncidentId, IncidentSource, SourceError};
use serde_json::Value;

use crate::backend::Writes;
use crate::error::StoreError;
use crate::models::{IncidentRow, NewIncidentRow, json_text, to_db};
use crate::schema::incidents::dsl as incidents;
use crate::store::{Store, with_conn};

/// An incident to add; the store gives it its id.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct NewIncident {
    /// A one-line title.
    pub title: String,
    /// A longer description.
    pub description: String,
    /// Severity (`critical`, `warning`, ...).
    pub severity: String,
    /// Status (`open`, `resolved`, ...).
    pub status: String,
    /// Free-form metadata; a disk incident names its path under `path`.
    pub metadata: Value,
    /// The alerts that raised or joined it.
    pub alerts: Vec<Alert>,
}

impl NewIncident {
    /// An incident with a title, status `open`, and empty metadata.
    pub fn new(title: impl Into<String>) -> Self {
        Self {
            title: title.into(),
            status: "open".into(),
            metadata: Value::Object(serde_json::Map::new()),
            ..Self::default()
        }
    }
}

impl Store {
    /// Stores a new incident and returns it with its id.
    pub async fn add_incident(&self, new: NewIncident) -> Result<Incident, StoreError> {
        let alerts = serde_json::to_value(&new.alerts).map_err(|err| StoreError::Encode {
            what: "alerts",
            reason: err.to_string(),
        })?;
        let metadata = if new.metadata.is_null() {
            Value::Object(serde_json::Map::new())
        } else {
            new.metadata
        };
        let row = NewIncidentRow {
            title: new.title,
            description: new.description,
            severity: new.severity,
            status: new.status,
            metadata: json_text("metadata", &metadata)?,
            alerts: json_text("alerts", &alerts)?,
            created_at: to_db(Utc::now()),
        };
        let stored: IncidentRow = self
            .blocking("add incident", move |store| {
                with_conn!(store, "add incident", |conn| {
                    let _turn = store.write_turn();
                    conn.write(|c| {
                        diesel::insert_into(incidents::incidents)
                            .values(&row)
                            .returning(IncidentRow::as_returning())
                            .get_result(c)
                    })
                })
            })
            .await?;
        stored.into_incident()
    }

    /// The latest `limit` incidents (clamped to `1..=1000`), newest first.
    pub async fn list_incidents(&self, limit: i64) -> Result<Vec<Incident>, StoreError> {
        let limit = limit.clamp(1, 1000);
        let rows: Vec<IncidentRow> = self
            .blocking("list incidents", move |store| {
                with_conn!(store, "list incidents", |conn| incidents::incidents
                    .select(IncidentRow::as_select())
                    .order((incidents::created_at.desc(), incidents::id.desc()))
                    .limit(limit)
                    .load(conn))
            })
            .await?;
        rows.into_iter().map(IncidentRow::into_incident).collect()
    }

    /// The incident with this id.
    pub async fn get_incident(&self, id: IncidentId) -> Result<Option<Incident>, StoreError> {
        let row: Option<IncidentRow> = self
            .blocking("get incident", move |store| {
                with_conn!(store, "get incident", |conn| incidents::incidents
                    .find(id)
                    .select(IncidentRow::as_select())
                    .first(conn)
                    .optional())
            })
            .await?;
        row.map(IncidentRow::into_incident).transpose()
    }
}

#[async_trait]
impl IncidentSource for Store {
    async fn get(&self, id: IncidentId) -> Result<Option<Incident>, SourceError> {
        self.get_incident(id).await.map_err(SourceError::new)
    }
}
