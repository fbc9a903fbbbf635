//! One module per job of the `mindy` binary.

pub mod smoke;
