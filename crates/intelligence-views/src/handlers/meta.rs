//! `GET /intelligence/health/` and `GET /intelligence/providers/`.

use axum::Json;
use axum::extract::State;
use serde_json::{Value, json};

use crate::state::AppState;

pub(crate) async fn health(State(state): State<AppState>) -> Json<Value> {
    Json(json!({
        "status": "ok",
        "app": state.settings.app_name,
        "providers": state.registry.names(),
    }))
}

pub(crate) async fn providers(State(state): State<AppState>) -> Json<Value> {
    let providers = state.registry.list();
    Json(json!({
        "count": providers.len(),
        "providers": providers,
    }))
}
