//! mindy-api's integration tests: one binary, one module per topic. They need the local stack
//! (`./stack up`, then `source .stack/env`): PostgreSQL and Redis for all, Kafka, Spark Connect
//! and Airflow for the dashboard, Spark Connect for the demo scenes end to end (`chat_demo`).
//! Each test gets its own database and Redis prefix.

mod util;

mod actions;
mod actions_google;
mod chat_demo;
mod chat_intel;
mod chat_scenes;
mod chat_semantic;
mod dashboard;
mod openai;
mod optimise;
mod quality;
mod resilience;
mod safety;
mod service;
mod streams;
