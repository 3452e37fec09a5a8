//! Disk analysis through the provider as adapters call it, on generated
//! trees in temporary directories: what counts as large (allocated size, as
//! `du`), what counts as old, the trees that break naive walkers (sparse
//! files, symlink loops and escapes, huge directories, non-UTF-8 names,
//! FIFOs, hard links, another filesystem mounted inside), refused paths,
//! progress and cancellation.

mod control;
mod support;
mod trees;
