//! Throughput of `run()` through each sink (filled in later).

fn main() {}
