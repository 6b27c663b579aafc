//! Developer tools for Prestasi, outside the product crates: the demo
//! regency (`prestasi-devtools demo`) and the load-test data generator
//! (`prestasi-devtools generate`). They use the server as a library and
//! write only through its public write paths — the bulk path
//! `prestasi_server::admin::seed`, the admin operations, and real devices
//! syncing over HTTP.

pub mod cli;
pub mod demo;
pub mod generate;
