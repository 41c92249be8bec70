//! Creneau: self-hosted, multi-tenant appointment scheduling for teams.

pub mod access;
pub mod app;
pub mod audit;
pub mod cache;
pub mod clock;
pub mod config;
pub mod crypto;
pub mod db;
pub mod error;
pub mod features;
pub mod http;
pub mod i18n;
pub mod jobs;
pub mod ratelimit;
pub mod scheduling;
pub mod state;
pub mod types;
