-- One audit record per provider execution. JSON columns are TEXT on both
-- backends; timestamps are UTC without a zone, microsecond precision.
CREATE TABLE analysis_runs (
    id TEXT PRIMARY KEY NOT NULL,
    trace_id TEXT NOT NULL DEFAULT '',
    pipeline_run_id TEXT NOT NULL DEFAULT '',
    provider TEXT NOT NULL,
    provider_config TEXT NOT NULL DEFAULT '{}',
    model_name TEXT,
    status TEXT NOT NULL CHECK (status IN ('pending', 'running', 'succeeded', 'failed')),
    incident_id BIGINT,
    analysis_kind TEXT NOT NULL,
    input_summary TEXT NOT NULL DEFAULT '',
    checker_output_ref TEXT NOT NULL DEFAULT '',
    recommendations_count BIGINT NOT NULL DEFAULT 0,
    recommendations TEXT NOT NULL DEFAULT '[]',
    summary TEXT NOT NULL DEFAULT '',
    probable_cause TEXT NOT NULL DEFAULT '',
    confidence DOUBLE,
    prompt_tokens BIGINT,
    completion_tokens BIGINT,
    total_tokens BIGINT,
    error_type TEXT,
    error_message TEXT,
    fallback_used BOOLEAN NOT NULL DEFAULT FALSE,
    created_at TIMESTAMP NOT NULL,
    started_at TIMESTAMP,
    completed_at TIMESTAMP,
    duration_ms BIGINT
);

-- Filters of the run list and the counts.
CREATE INDEX analysis_runs_provider_status ON analysis_runs (provider, status);
CREATE INDEX analysis_runs_status_created_at ON analysis_runs (status, created_at);
CREATE INDEX analysis_runs_incident_id_created_at ON analysis_runs (incident_id, created_at);
CREATE INDEX analysis_runs_trace_id ON analysis_runs (trace_id);
CREATE INDEX analysis_runs_pipeline_run_id ON analysis_runs (pipeline_run_id);
-- Keyset pagination, newest first: ORDER BY created_at DESC, id DESC.
CREATE INDEX analysis_runs_created_at_id ON analysis_runs (created_at, id);
