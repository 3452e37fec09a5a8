//! The incidents table and the store as an `IncidentSource`.

use intelligence_core::{Alert, IncidentSource};
use intelligence_store::NewIncident;
use serde_json::json;

use super::support::databases;

#[tokio::test]
async fn incidents_round_trip_and_list_newest_first() {
    for db in databases("incidents_round_trip_and_list_newest_first") {
        let store = db.open();
        let first = store
            .add_incident(NewIncident::new("disk full on db-1"))
            .await
            .expect("add");
        let second = store
            .add_incident(NewIncident {
                title: "memory pressure".into(),
                description: "oom kills on web-2".into(),
                severity: "critical".into(),
                status: "open".into(),
                metadata: json!({"host": "web-2", "path": "/var", "n": [1, 2.5]}),
                alerts: vec![Alert {
                    name: "HighMemoryUsage".into(),
                    description: "rss over 90%".into(),
                }],
            })
            .await
            .expect("add");
        assert_ne!(first.id, second.id);
        assert_eq!(first.metadata, json!({}));

        let listed = store.list_incidents(10).await.expect("list");
        assert_eq!(listed, vec![second.clone(), first.clone()], "{}", db.label);
        assert_eq!(store.list_incidents(1).await.expect("list").len(), 1);

        let source: &dyn IncidentSource = &store;
        assert_eq!(
            source.get(second.id).await.expect("get"),
            Some(second.clone())
        );
        assert_eq!(source.get(second.id + 1000).await.expect("get"), None);
        assert_eq!(second.alerts[0].name, "HighMemoryUsage");
        assert_eq!(second.metadata["n"][1], json!(2.5));
    }
}
