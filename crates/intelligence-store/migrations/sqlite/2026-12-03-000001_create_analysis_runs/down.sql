DROP TABLE analysis_runs;
