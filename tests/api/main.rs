//! Integration tests: the real router on a fresh database per test, with a fixed clock.
//! Every test body runs twice, on SQLite and on PostgreSQL (see `helpers::dual!`).
// Tests and benchmarks may unwrap: a panic is their way to fail.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../support/binary.rs"]
mod binary;
mod helpers;

mod access;
mod accounts;
mod api_keys;
mod audit;
mod availability_cache;
mod bad_input;
mod bookings;
mod bookings_list;
mod calendar_views;
mod cli;
mod clients;
mod clients_pages;
mod erasure;
mod exports;
mod first_run;
mod http;
mod mail;
mod multiprocess;
mod one_voice;
mod org_settings;
mod orgs;
mod pages_access;
mod promotion;
mod public;
mod rights_rule;
mod routes;
mod second_factor;
mod secrets_at_rest;
mod services;
mod setup_pages;
mod sideways;
mod sms;
mod statistics;
mod teams_audit;
mod webhooks;
