//! Introspecting a live database through `pg_catalog` (sqlx; runtime queries only).
//!
//! [`introspect`] fills the same [`Catalog`] a schema file would: with `search_path`
//! empty, `format_type()` and `pg_get_expr()` print names the way pg_dump writes them, and
//! the text goes through the same canonicalization ([`crate::sql::types`],
//! [`crate::sql::expr`]). System schemas and objects that belong to extensions are left out.
//! A dozen set-based queries ([`queries`]) read every user relation at once, inside one
//! read-only snapshot. [`connect`] opens a connection from a URL (honouring `sslmode`);
//! errors never repeat the password ([`redact`]).

mod decode;
mod queries;
mod read;

use std::str::FromStr;

use sqlx::postgres::{PgConnectOptions, PgConnection};
use sqlx::{Connection, Row};

use super::error::CatalogError;
use super::model::Catalog;
use queries::Version;

/// Open a connection to `url` (`postgres://user:password@host:port/db?sslmode=...`).
pub async fn connect(url: &str) -> Result<PgConnection, CatalogError> {
    let mut opts = PgConnectOptions::from_str(url).map_err(|e| {
        CatalogError::Database(format!(
            "invalid connection URL: {}",
            redact(&e.to_string(), url)
        ))
    })?;
    if opts.get_application_name().is_none() {
        opts = opts.application_name("bellows");
    }
    PgConnection::connect_with(&opts).await.map_err(|e| {
        CatalogError::Database(format!(
            "cannot connect to {}: {}",
            target(&opts),
            redact(&e.to_string(), url)
        ))
    })
}

/// Connect to `url`, introspect, and close the connection.
pub async fn introspect_url(url: &str) -> Result<Catalog, CatalogError> {
    let mut conn = connect(url).await?;
    let cat = introspect(&mut conn).await?;
    // The catalog is read; a failure to say goodbye politely does not matter.
    let _ = conn.close().await;
    Ok(cat)
}

/// Read the schema of the database `conn` is connected to.
///
/// Sets `search_path` to empty for the session (as pg_dump does) so that every non-catalog
/// name comes back schema-qualified. When the connection has no transaction open, the
/// queries share one `REPEATABLE READ, READ ONLY` transaction; otherwise a savepoint.
pub async fn introspect(conn: &mut PgConnection) -> Result<Catalog, CatalogError> {
    let db = |what: &str, e: sqlx::Error| CatalogError::Database(format!("{what}: {e}"));
    sqlx::query(queries::CLEAR_SEARCH_PATH)
        .execute(&mut *conn)
        .await
        .map_err(|e| db("clearing search_path", e))?;
    let num: i32 = sqlx::query(queries::SERVER_VERSION)
        .fetch_one(&mut *conn)
        .await
        .and_then(|row| row.try_get("v"))
        .map_err(|e| db("reading the server version", e))?;
    let v = Version(u32::try_from(num / 10_000).unwrap_or(0));

    let mut tx = if conn.is_in_transaction() {
        conn.begin().await
    } else {
        conn.begin_with(queries::BEGIN).await
    }
    .map_err(|e| db("starting a read-only transaction", e))?;

    let mut cat = Catalog {
        server_version: Some(v.0),
        ..Catalog::default()
    };
    let rels = read::relations(&mut tx, v, &mut cat).await?;
    read::columns(&mut tx, v, &rels, &mut cat).await?;
    read::constraints(&mut tx, v, &rels, &mut cat).await?;
    read::indexes(&mut tx, v, &rels, &mut cat).await?;
    read::triggers(&mut tx, v, &rels, &mut cat).await?;
    read::view_dependencies(&mut tx, v, &rels, &mut cat).await?;
    read::sequence_owners(&mut tx, v, &rels, &mut cat).await?;
    read::types_and_functions(&mut tx, v, &mut cat).await?;
    tx.commit()
        .await
        .map_err(|e| db("ending the read-only transaction", e))?;
    Ok(cat)
}

/// Where a connection goes, for messages: `host:port/db` or `socket/db`; no credentials.
fn target(opts: &PgConnectOptions) -> String {
    let place = match opts.get_socket() {
        Some(dir) => dir.display().to_string(),
        None => format!("{}:{}", opts.get_host(), opts.get_port()),
    };
    match opts.get_database() {
        Some(db) => format!("{place}/{db}"),
        None => place,
    }
}

/// `text` with every password hidden: the ones `url` carries (in its user-info or a
/// `password=` parameter, as written and percent-decoded) wherever they appear, and the
/// password part of any URL or `password=` setting inside `text`.
pub fn redact(text: &str, url: &str) -> String {
    let mut secrets = url_passwords(url);
    secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
    let mut out = text.to_string();
    for s in secrets.iter().filter(|s| !s.is_empty()) {
        out = out.replace(s.as_str(), "***");
    }
    mask_embedded(&out)
}

/// Passwords in `url`, as written and percent-decoded.
fn url_passwords(url: &str) -> Vec<String> {
    let mut found = Vec::new();
    if let Some((_, rest)) = url.split_once("://") {
        let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
        let authority = &rest[..end];
        if let Some((userinfo, _)) = authority.rsplit_once('@')
            && let Some((_, password)) = userinfo.split_once(':')
        {
            found.push(password.to_string());
        }
    }
    if let Some((_, query)) = url.split_once('?') {
        let query = query.split('#').next().unwrap_or_default();
        for pair in query.split('&') {
            if let Some((k, value)) = pair.split_once('=')
                && k.eq_ignore_ascii_case("password")
            {
                found.push(value.to_string());
            }
        }
    }
    let decoded: Vec<String> = found.iter().map(|s| percent_decode(s)).collect();
    found.extend(decoded);
    found.retain(|s| !s.is_empty());
    found.dedup();
    found
}

/// Mask `scheme://user:secret@` and `password=secret` inside free text.
fn mask_embedded(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find("://") {
        let (head, tail) = rest.split_at(i + 3);
        out.push_str(head);
        let end = tail
            .find(|c: char| c.is_whitespace() || "/?#\"'".contains(c))
            .unwrap_or(tail.len());
        let authority = &tail[..end];
        match authority.rsplit_once('@') {
            Some((userinfo, host)) if userinfo.contains(':') => {
                let user = userinfo.split(':').next().unwrap_or_default();
                out.push_str(&format!("{user}:***@{host}"));
            }
            _ => out.push_str(authority),
        }
        rest = &tail[end..];
    }
    out.push_str(rest);
    let mut masked = String::with_capacity(out.len());
    let mut rest = out.as_str();
    while let Some(i) = rest.to_ascii_lowercase().find("password=") {
        let (head, tail) = rest.split_at(i + "password=".len());
        masked.push_str(head);
        let end = tail
            .find(|c: char| c.is_whitespace() || "&\"'".contains(c))
            .unwrap_or(tail.len());
        if end > 0 {
            masked.push_str("***");
        }
        rest = &tail[end..];
    }
    masked.push_str(rest);
    masked
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2]))
        {
            out.push((h * 16 + l) as u8);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_never_survive_redaction() {
        let url = "postgres://app:s3cr%40t@db.example.com:5432/shop?sslmode=require";
        let msg = format!("failed for {url}: password s3cr@t rejected (raw s3cr%40t)");
        let r = redact(&msg, url);
        assert!(!r.contains("s3cr"), "{r}");
        assert!(
            r.contains("postgres://app:***@db.example.com:5432/shop"),
            "{r}"
        );

        let url = "postgres://db/shop?user=app&password=hunter2&sslmode=disable";
        let r = redact(
            "connecting with password=hunter2 to postgres://app:hunter2@db",
            url,
        );
        assert!(!r.contains("hunter2"), "{r}");

        // A password that appears in text unrelated to any URL is still hidden.
        let r = redact("server said: hunter2 is wrong", url);
        assert_eq!(r, "server said: *** is wrong");

        // Nothing to hide: the text is unchanged.
        let r = redact("connection refused", "postgres://app@localhost/shop");
        assert_eq!(r, "connection refused");
    }

    #[test]
    fn targets_name_no_credentials() {
        let opts =
            PgConnectOptions::from_str("postgres://app:pw@db.example.com:6543/shop").unwrap();
        assert_eq!(target(&opts), "db.example.com:6543/shop");
    }
}
