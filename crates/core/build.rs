//! `sqlx::migrate!` embeds `migrations/` at compile time, but Cargo does not watch that folder:
//! without this, a new migration file is left out of the binaries until something else in the
//! crate changes (the remedy sqlx documents).
fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
