//! The thin sqlx side of a [`Target`]: driver options and a connection, for introspection
//! and the executor alike; every error message hides the password.

use std::str::FromStr;

use sqlx::postgres::{PgConnectOptions, PgConnection};
use sqlx::{ConnectOptions, Connection};

use super::super::error::CatalogError;
use crate::env::Target;

/// `url` as a target, or an error that names what is wrong (never the password).
pub fn target(url: &str) -> Result<Target, CatalogError> {
    Target::parse(url).map_err(|e| CatalogError::Database(e.to_string()))
}

/// Driver options for `target`, with `app` as `application_name` unless the URL sets one;
/// statement logging off. The error text is safe to show.
pub fn options(target: &Target, app: &str) -> Result<PgConnectOptions, String> {
    let opts = PgConnectOptions::from_str(target.url())
        .map_err(|e| format!("invalid connection URL: {}", target.redact(&e.to_string())))?;
    Ok(if opts.get_application_name().is_none() {
        opts.application_name(app)
    } else {
        opts
    }
    .log_statements(log::LevelFilter::Off))
}

/// Open a connection to `url` (`postgres://user:password@host:port/db?sslmode=...`).
pub async fn connect(url: &str) -> Result<PgConnection, CatalogError> {
    connect_to(&target(url)?).await
}

/// Open a connection to `target`.
pub async fn connect_to(target: &Target) -> Result<PgConnection, CatalogError> {
    let opts = options(target, "bellows").map_err(CatalogError::Database)?;
    PgConnection::connect_with(&opts).await.map_err(|e| {
        CatalogError::Unreachable(format!(
            "cannot connect to {}: {}",
            target.describe(),
            target.redact(&e.to_string())
        ))
    })
}
