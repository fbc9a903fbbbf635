//! Shared fixtures for Mini-Mindy's tests.
