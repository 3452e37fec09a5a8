//! The tables, as `diesel print-schema` generates them from the SQLite migrations (see `diesel.toml`).

// @generated automatically by Diesel CLI.

diesel::table! {
    analysis_runs (id) {
        id -> Text,
        trace_id -> Text,
        pipeline_run_id -> Text,
        provider -> Text,
        provider_config -> Text,
        model_name -> Nullable<Text>,
        status -> Text,
        incident_id -> Nullable<BigInt>,
        analysis_kind -> Text,
        input_summary -> Text,
        checker_output_ref -> Text,
        recommendations_count -> BigInt,
        recommendations -> Text,
        summary -> Text,
        probable_cause -> Text,
        confidence -> Nullable<Double>,
        prompt_tokens -> Nullable<BigInt>,
        completion_tokens -> Nullable<BigInt>,
        total_tokens -> Nullable<BigInt>,
        error_type -> Nullable<Text>,
        error_message -> Nullable<Text>,
        fallback_used -> Bool,
        created_at -> Timestamp,
        started_at -> Nullable<Timestamp>,
        completed_at -> Nullable<Timestamp>,
        duration_ms -> Nullable<BigInt>,
    }
}

diesel::table! {
    incidents (id) {
        id -> BigInt,
        title -> Text,
        description -> Text,
        severity -> Text,
        status -> Text,
        metadata -> Text,
        alerts -> Text,
        created_at -> Timestamp,
    }
}

diesel::allow_tables_to_appear_in_same_query!(analysis_runs, incidents,);
