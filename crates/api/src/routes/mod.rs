//! HTTP handlers, one module per route group. Handlers only extract, call the library and map
//! errors; the logic lives in [`crate::chat`] and [`crate::dashboard`].

pub mod actions;
pub mod chat;
pub mod health;
pub mod meta;
pub mod pipeline;
