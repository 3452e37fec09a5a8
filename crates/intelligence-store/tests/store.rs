//! Integration tests of the store. Every test runs against a SQLite file in
//! a temporary directory and, when `INTELLIGENCE_TEST_DATABASE_URL` is set
//! (and the `postgres` feature is on), against PostgreSQL in a schema of its
//! own that is dropped at the end.

mod store {
    pub mod batched;
    pub mod concurrency;
    pub mod faults;
    pub mod incidents;
    pub mod lifecycle;
    pub mod migrations;
    pub mod open_errors;
    pub mod providers;
    pub mod queries;
    pub mod support;
}
