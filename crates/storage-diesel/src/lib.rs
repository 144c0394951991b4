//! # hallpass-storage-diesel
//!
//! The parts of Hallpass's diesel storage adapters that do not depend on the
//! database: the schema ([`schema`]), the row types and their conversion to
//! domain values ([`rows`]), error translation ([`errors`]), running a
//! blocking query off the async runtime ([`blocking`]), and the query code
//! itself, written once and expanded for each backend's connection type by
//! [`impl_diesel_store!`].
//!
//! This is a library the adapters use, not an adapter: it implements no port
//! on its own and names no backend.

pub mod blocking;
pub mod errors;
pub mod rows;
pub mod schema;

#[doc(hidden)]
pub mod __private {
    pub use anyhow;
    pub use diesel;
    pub use hallpass_domain;
    pub use hallpass_json;
    pub use hallpass_ports;
}

mod store_macro;
