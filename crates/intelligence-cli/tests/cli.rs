//! End-to-end tests of the `intelligence` binary against temporary SQLite
//! databases, real processes and real directory trees.

mod cli {
    pub mod support;

    mod database_faults;
    mod database_url;
    mod exit_codes;
    mod help;
    mod incidents;
    mod interrupt;
    mod json_shapes;
    mod openai;
    mod output;
    mod postgres;
    mod providers;
    mod recommend;
    mod runs;
    mod serve;
}
