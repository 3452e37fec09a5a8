//! Concurrent writers (filled in next).
