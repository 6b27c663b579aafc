//! Prestasi sync server and HR service: durable storage, authentication
//! and per-document authorization, the merged view HR reads.

pub mod admin;
pub mod auth;
pub mod backup;
pub mod bad_input;
pub mod cli;
pub mod config;
pub mod config_file;
pub mod credentials;
pub mod error;
pub mod extract;
pub mod health;
pub mod http;
pub mod import;
pub mod logging;
pub mod login;
pub mod metrics;
pub mod people;
pub mod public_url;
pub mod reports;
pub mod security_headers;
pub mod services;
pub mod signatures;
pub mod state;
pub mod storage;
pub mod sync;
pub mod tls;
pub mod web;

pub use http::router;

#[cfg(test)]
mod exports_tests;
