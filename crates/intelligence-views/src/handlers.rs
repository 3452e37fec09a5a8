//! The JSON routes, one module per resource.

pub(crate) mod analysis;
pub(crate) mod local;
pub(crate) mod meta;
pub(crate) mod recommendations;
pub(crate) mod runs;
