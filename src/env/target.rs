//! A connection target: a `postgres://` URL (or a libpq key-value string, see
//! [`super::keyvalue`]) parsed once, described for messages without user or password, able
//! to hide its passwords in any text, and to say whether TLS protects it (std only).

use std::fmt;

pub use super::error::TargetError;

/// A database to connect to. The URL is kept for the driver and never printed: [`fmt::Debug`]
/// and [`Target::describe`] show only `host:port/db`.
#[derive(Clone, PartialEq, Eq)]
pub struct Target {
    url: String,
    host: String,
    port: u16,
    database: String,
}

impl Target {
    /// Parse and check `url` (`postgres://user:password@host:port/db?param=value`).
    pub fn parse(url: &str) -> Result<Self, TargetError> {
        let url = url.trim();
        if url.is_empty() {
            return Err(TargetError::Empty);
        }
        if !url.contains("://") && super::keyvalue::looks_like(url) {
            return Self::parse(&super::keyvalue::to_url(url)?);
        }
        let Some((scheme, rest)) = url.split_once("://") else {
            return Err(TargetError::NoScheme);
        };
        if scheme.is_empty()
            || !scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "+.-".contains(c))
        {
            return Err(TargetError::NoScheme);
        }
        if !matches!(
            scheme.to_ascii_lowercase().as_str(),
            "postgres" | "postgresql"
        ) {
            return Err(TargetError::WrongScheme(scheme.to_string()));
        }
        let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
        let authority = &rest[..end];
        let hostport = authority
            .rsplit_once('@')
            .map(|(_, h)| h)
            .unwrap_or(authority);
        let (mut host, mut port) = split_port(hostport)?;
        let after = &rest[end..];
        let path = after.split(['?', '#']).next().unwrap_or_default();
        let mut database = percent_decode(path.trim_start_matches('/'));
        if let Some((_, query)) = url.split_once('?') {
            for pair in query.split('#').next().unwrap_or_default().split('&') {
                let Some((k, v)) = pair.split_once('=') else {
                    continue;
                };
                match k.to_ascii_lowercase().as_str() {
                    "host" => host = percent_decode(v),
                    "port" => port = Some(parse_port(v)?),
                    "dbname" => database = percent_decode(v),
                    _ => {}
                }
            }
        }
        Ok(Self {
            url: url.to_string(),
            host: if host.is_empty() {
                "localhost".into()
            } else {
                host
            },
            port: port.unwrap_or(5432),
            database,
        })
    }

    /// Is the server on this machine (a Unix socket, or a loopback address)?
    pub fn is_local(&self) -> bool {
        let h = self.host.trim_start_matches('[').trim_end_matches(']');
        h.starts_with('/')
            || h.eq_ignore_ascii_case("localhost")
            || h.starts_with("127.")
            || h == "::1"
    }

    /// The `sslmode` the driver uses: the URL's, else `PGSSLMODE`, else `prefer`.
    pub fn sslmode(&self) -> String {
        query_param(&self.url, "sslmode")
            .or_else(|| std::env::var("PGSSLMODE").ok())
            .unwrap_or_else(|| "prefer".into())
            .to_ascii_lowercase()
    }

    /// Does the connection insist on TLS?
    pub fn tls_required(&self) -> bool {
        matches!(
            self.sslmode().as_str(),
            "require" | "verify-ca" | "verify-full"
        )
    }

    /// A warning when a remote server may be reached in cleartext (`sslmode=prefer`, the
    /// default, falls back silently; `allow` and `disable` too).
    pub fn cleartext_warning(&self) -> Option<String> {
        if self.is_local() || self.tls_required() {
            return None;
        }
        Some(format!(
            "the connection to {} may run without TLS (sslmode={}): passwords and data could cross the network in cleartext; \
             set sslmode=require (or verify-full) in the connection string, or pass --require-tls",
            self.describe(),
            self.sslmode()
        ))
    }

    /// This target with TLS required: `sslmode` raised to `require` unless it already
    /// requires TLS; refused when it turns TLS off. A Unix socket needs no TLS.
    pub fn require_tls(&self) -> Result<Target, TargetError> {
        if self.tls_required() || self.host.starts_with('/') {
            return Ok(self.clone());
        }
        let mode = self.sslmode();
        if query_param(&self.url, "sslmode").is_some() && mode != "prefer" {
            return Err(TargetError::TlsRefused(mode));
        }
        let mut t = self.clone();
        t.url = set_query_param(&self.url, "sslmode", "require");
        Ok(t)
    }

    /// This target with `sslmode` set to `mode`.
    pub fn with_sslmode(&self, mode: &str) -> Target {
        let mut t = self.clone();
        t.url = set_query_param(&self.url, "sslmode", mode);
        t
    }

    /// Was `sslmode` written in the connection string itself?
    pub fn sslmode_written(&self) -> bool {
        query_param(&self.url, "sslmode").is_some()
    }

    /// Does the connection string carry a password?
    pub fn has_password(&self) -> bool {
        !url_passwords(&self.url).is_empty()
    }

    /// The URL itself, for the driver only: never print it.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// `host:port/db` (a socket directory as `dir/db`), for messages: no user, no password.
    pub fn describe(&self) -> String {
        let place = if self.host.starts_with('/') {
            self.host.clone()
        } else {
            format!("{}:{}", self.host, self.port)
        };
        if self.database.is_empty() {
            place
        } else {
            format!("{place}/{}", self.database)
        }
    }

    /// The URL without its password, and the password (decoded): for a program such as
    /// `pg_dump`, which gets the password in `PGPASSWORD` rather than on its command line.
    pub fn split_password(&self) -> (String, Option<String>) {
        let mut url = self.url.clone();
        let mut password = None;
        if let Some((scheme, rest)) = self.url.split_once("://") {
            let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
            let authority = &rest[..end];
            if let Some((userinfo, host)) = authority.rsplit_once('@')
                && let Some((user, pw)) = userinfo.split_once(':')
            {
                password = Some(percent_decode(pw));
                url = format!("{scheme}://{user}@{host}{}", &rest[end..]);
            }
        }
        if let Some(pw) = query_param(&url, "password") {
            password = Some(pw);
            let (head, fragment) = url
                .split_once('#')
                .map_or((url.as_str(), None), |(h, f)| (h, Some(f)));
            let (base, query) = head.split_once('?').unwrap_or((head, ""));
            let kept: Vec<&str> = query
                .split('&')
                .filter(|p| !p.is_empty())
                .filter(|p| {
                    !p.split('=')
                        .next()
                        .is_some_and(|k| k.eq_ignore_ascii_case("password"))
                })
                .collect();
            let mut u = base.to_string();
            if !kept.is_empty() {
                u = format!("{u}?{}", kept.join("&"));
            }
            if let Some(f) = fragment {
                u = format!("{u}#{f}");
            }
            url = u;
        }
        (url, password)
    }

    /// `text` with this target's passwords (and any URL or `password=` setting) hidden.
    pub fn redact(&self, text: &str) -> String {
        redact(text, &self.url)
    }
}

impl fmt::Debug for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Target").field(&self.describe()).finish()
    }
}

impl std::str::FromStr for Target {
    type Err = TargetError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Target::parse(s)
    }
}

/// The value of query parameter `key` in `url`.
fn query_param(url: &str, key: &str) -> Option<String> {
    let (_, query) = url.split_once('?')?;
    query
        .split('#')
        .next()
        .unwrap_or_default()
        .split('&')
        .filter_map(|p| p.split_once('='))
        .find(|(k, _)| k.eq_ignore_ascii_case(key))
        .map(|(_, v)| percent_decode(v))
}

/// `url` with query parameter `key` set to `value` (replaced, or added).
fn set_query_param(url: &str, key: &str, value: &str) -> String {
    let (head, fragment) = match url.split_once('#') {
        Some((h, f)) => (h, Some(f)),
        None => (url, None),
    };
    let (base, query) = head.split_once('?').unwrap_or((head, ""));
    let mut pairs: Vec<String> = query
        .split('&')
        .filter(|p| !p.is_empty())
        .filter(|p| {
            !p.split('=')
                .next()
                .is_some_and(|k| k.eq_ignore_ascii_case(key))
        })
        .map(str::to_string)
        .collect();
    pairs.push(format!("{key}={value}"));
    let mut out = format!("{base}?{}", pairs.join("&"));
    if let Some(f) = fragment {
        out.push('#');
        out.push_str(f);
    }
    out
}

fn parse_port(text: &str) -> Result<u16, TargetError> {
    text.parse::<u16>()
        .ok()
        .filter(|p| *p > 0)
        .ok_or_else(|| TargetError::BadPort(text.to_string()))
}

/// `host:port` (or `[v6]:port`) into its parts.
fn split_port(hostport: &str) -> Result<(String, Option<u16>), TargetError> {
    if let Some(rest) = hostport.strip_prefix('[') {
        let (h, tail) = rest.split_once(']').unwrap_or((rest, ""));
        let port = match tail.strip_prefix(':') {
            Some(p) if !p.is_empty() => Some(parse_port(p)?),
            _ => None,
        };
        return Ok((h.to_string(), port));
    }
    // Several hosts (`h1:5432,h2:5433`): messages name the first.
    let first = hostport.split(',').next().unwrap_or_default();
    match first.rsplit_once(':') {
        Some((h, p)) if !p.is_empty() => Ok((percent_decode(h), Some(parse_port(p)?))),
        Some((h, _)) => Ok((percent_decode(h), None)),
        None => Ok((percent_decode(first), None)),
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
    fn the_password_is_split_from_the_url() {
        let t =
            Target::parse("postgres://app:s%40cret@db.example:5433/app?sslmode=require").unwrap();
        assert_eq!(
            t.split_password(),
            (
                "postgres://app@db.example:5433/app?sslmode=require".to_string(),
                Some("s@cret".to_string())
            )
        );
        let t = Target::parse("postgres://app@db/app?password=x&sslmode=verify-full").unwrap();
        assert_eq!(
            t.split_password(),
            (
                "postgres://app@db/app?sslmode=verify-full".to_string(),
                Some("x".to_string())
            )
        );
        let t = Target::parse("postgres://app@db/app").unwrap();
        assert_eq!(
            t.split_password(),
            ("postgres://app@db/app".to_string(), None)
        );
    }

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
        let t = Target::parse("postgres://app:pw@db.example.com:6543/shop").unwrap();
        assert_eq!(t.describe(), "db.example.com:6543/shop");
        assert!(!format!("{t:?}").contains("pw"));
        let t = Target::parse("postgresql://app@[::1]/shop?sslmode=disable").unwrap();
        assert_eq!(t.describe(), "::1:5432/shop");
        let t = Target::parse("postgres:///shop?host=/var/run/postgresql&password=x").unwrap();
        assert_eq!(t.describe(), "/var/run/postgresql/shop");
        let t = Target::parse("postgres://u:p@h1:5433,h2:5434/db").unwrap();
        assert_eq!(t.describe(), "h1:5433/db");
        let t = Target::parse("postgres://app:hunter2@db/shop").unwrap();
        assert_eq!(
            t.redact("password hunter2 rejected"),
            "password *** rejected"
        );
    }

    #[test]
    fn bad_urls_are_refused_without_their_password() {
        let secret = "Sup3rS3cret";
        for (url, want) in [
            ("", TargetError::Empty),
            ("   ", TargetError::Empty),
            ("app:Sup3rS3cret@db.example.com/shop", TargetError::NoScheme),
            ("db.example.com:5432/shop", TargetError::NoScheme),
            (
                "mysql://app:Sup3rS3cret@db/shop",
                TargetError::WrongScheme("mysql".into()),
            ),
            (
                "postgres://app:Sup3rS3cret@db:notaport/shop",
                TargetError::BadPort("notaport".into()),
            ),
            (
                "postgres://app:Sup3rS3cret@db/shop?port=0",
                TargetError::BadPort("0".into()),
            ),
        ] {
            let e = Target::parse(url).expect_err(url);
            assert_eq!(e, want, "{url}");
            assert!(!e.to_string().contains(secret), "{e}");
        }
        assert!(Target::parse("POSTGRES://db/shop").is_ok());
        for (kv, want) in [
            ("host=db password='Sup3rS3cret", "not closed"),
            ("host=db Sup3rS3cret", "after 1 setting"),
            (
                "host=db port=notaport password=Sup3rS3cret",
                "port `notaport`",
            ),
        ] {
            let e = Target::parse(kv).expect_err(kv);
            assert!(e.to_string().contains(want), "{kv}: {e}");
            assert!(!e.to_string().contains(secret), "{e}");
        }
    }

    #[test]
    fn key_value_strings_are_targets_too() {
        let t = Target::parse(
            "host=db.example.com port=6543 user=app password=Sup3rS3cret dbname=shop",
        )
        .expect("key-value");
        assert_eq!(t.describe(), "db.example.com:6543/shop");
        assert!(t.has_password());
        assert_eq!(
            t.redact("password authentication failed for Sup3rS3cret; password=Sup3rS3cret"),
            "password authentication failed for ***; password=***"
        );
        assert!(!format!("{t:?}").contains("Sup3r"));
        let t = Target::parse("host=/tmp/sock dbname=shop").expect("socket");
        assert_eq!(t.describe(), "/tmp/sock/shop");
        assert!(!t.has_password());
    }

    #[test]
    fn remote_servers_without_required_tls_are_warned_about() {
        let remote = Target::parse("postgres://app@db.example.com/shop").unwrap();
        if std::env::var_os("PGSSLMODE").is_none() {
            let w = remote
                .cleartext_warning()
                .expect("prefer falls back to cleartext");
            assert!(
                w.contains("sslmode=prefer") && w.contains("db.example.com"),
                "{w}"
            );
            let r = remote.require_tls().expect("raised");
            assert_eq!(r.sslmode(), "require");
            assert!(r.url().ends_with("?sslmode=require"), "{}", r.url());
            assert!(r.cleartext_warning().is_none());
        }
        for local in [
            "postgres://app@localhost/shop",
            "postgres://app@127.0.0.1:5433/shop",
            "postgres://app@[::1]/shop",
            "postgres:///shop?host=/var/run/postgresql",
        ] {
            assert!(
                Target::parse(local).unwrap().cleartext_warning().is_none(),
                "{local}"
            );
        }
        let t = Target::parse("postgres://db.example.com/shop?sslmode=verify-full").unwrap();
        assert!(t.cleartext_warning().is_none());
        let off =
            Target::parse("postgres://db.example.com/shop?sslmode=disable&application_name=x")
                .unwrap();
        assert!(off.cleartext_warning().is_some());
        assert_eq!(
            off.require_tls().unwrap_err(),
            TargetError::TlsRefused("disable".into())
        );
        let p = Target::parse("postgres://db.example.com/shop?sslmode=prefer&x=1").unwrap();
        assert_eq!(
            p.require_tls().unwrap().url(),
            "postgres://db.example.com/shop?x=1&sslmode=require"
        );
    }
}
