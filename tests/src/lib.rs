//! Shared helpers for Trunkline end-to-end tests.
