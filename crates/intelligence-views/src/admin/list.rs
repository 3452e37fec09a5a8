//! `GET /admin/intelligence/analysisrun/`: the run list, newest first, with
//! filters for status and provider and keyset pagination.

use axum::extract::State;
use intelligence_core::RunStatus;
use maud::{Markup, html};

use crate::admin::layout::{duration, page, time};
use crate::admin::{LIST_PATH, encode};
use crate::error::ViewsError;
use crate::extract::ApiQuery;
use crate::handlers::runs::RunsQuery;
use crate::state::AppState;

pub(crate) async fn list(
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<RunsQuery>,
) -> Result<Markup, ViewsError> {
    let (filter, request) = query.parse()?;
    let page_of_runs = state.runs.list_runs(&filter, request).await?;
    let status = filter.status.map(RunStatus::as_str).unwrap_or_default();
    let provider = filter.provider.clone().unwrap_or_default();
    let next = page_of_runs.next.map(|cursor| {
        next_link(
            status,
            &provider,
            query.limit.as_deref(),
            &cursor.to_string(),
        )
    });

    let body = html! {
        form method="get" action=(LIST_PATH) {
            label { "Status "
                select name="status" {
                    option value="" selected[status.is_empty()] { "all" }
                    @for option in RunStatus::ALL {
                        option value=(option.as_str()) selected[status == option.as_str()] {
                            (option.as_str())
                        }
                    }
                }
            }
            " "
            label { "Provider " input type="text" name="provider" value=(provider); }
            " "
            button type="submit" { "Filter" }
            " "
            a href=(LIST_PATH) { "Clear" }
        }
        p id="summary" { (page_of_runs.runs.len()) " runs on this page" }
        table id="runs" {
            thead {
                tr {
                    th { "Id" } th { "Status" } th { "Provider" } th { "Incident" }
                    th { "Trace id" } th { "Kind" } th { "Recommendations" }
                    th { "Duration" } th { "Created" }
                }
            }
            tbody {
                @for run in &page_of_runs.runs {
                    tr class="run" data-run-id=(run.id) data-status=(run.status) {
                        td { a href={ (LIST_PATH) (run.id) "/" } { (run.id) } }
                        td class={ "status-" (run.status) } { (run.status) }
                        td { (run.provider) }
                        td { @if let Some(id) = run.incident_id { (id) } @else { "-" } }
                        td { (run.trace_id) }
                        td { (run.analysis_kind) }
                        td { (run.recommendations_count) }
                        td { (duration(run.duration_ms)) }
                        td { (time(run.created_at)) }
                    }
                }
            }
        }
        nav {
            @if query.after.is_some() {
                a id="first" href=(first_link(status, &provider, query.limit.as_deref())) { "« First page" }
                " "
            }
            @if let Some(next) = next {
                a id="next" href=(next) { "Next page »" }
            }
        }
    };
    Ok(page("Analysis runs", body))
}

fn first_link(status: &str, provider: &str, limit: Option<&str>) -> String {
    let mut query = Vec::new();
    if !status.is_empty() {
        query.push(format!("status={}", encode(status)));
    }
    if !provider.is_empty() {
        query.push(format!("provider={}", encode(provider)));
    }
    if let Some(limit) = limit.map(str::trim).filter(|l| !l.is_empty()) {
        query.push(format!("limit={}", encode(limit)));
    }
    if query.is_empty() {
        LIST_PATH.to_owned()
    } else {
        format!("{LIST_PATH}?{}", query.join("&"))
    }
}

fn next_link(status: &str, provider: &str, limit: Option<&str>, cursor: &str) -> String {
    let first = first_link(status, provider, limit);
    let separator = if first.contains('?') { '&' } else { '?' };
    format!("{first}{separator}after={}", encode(cursor))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_keep_the_filters() {
        assert_eq!(first_link("", "", None), LIST_PATH);
        assert_eq!(
            next_link("failed", "my provider", Some("10"), "1_ab"),
            format!("{LIST_PATH}?status=failed&provider=my%20provider&limit=10&after=1_ab")
        );
    }
}
