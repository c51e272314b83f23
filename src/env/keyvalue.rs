//! libpq key-value connection strings (`host=db port=5432 user=app password='p w'
//! dbname=shop sslmode=require`), turned into the `postgres://` URL the driver reads. Values
//! may be single-quoted with `\'` and `\\` escapes, as libpq allows.

use super::error::TargetError;

/// Does `text` look like a key-value connection string (its first word is `key=`)?
pub fn looks_like(text: &str) -> bool {
    let first = text.split_whitespace().next().unwrap_or_default();
    match first.split_once('=') {
        Some((k, _)) => !k.is_empty() && k.chars().all(|c| c.is_ascii_lowercase() || c == '_'),
        None => false,
    }
}

/// The pairs of a key-value string, in order. A malformed string is refused naming the
/// position only (never a value, which may be a password).
pub fn pairs(text: &str) -> Result<Vec<(String, String)>, TargetError> {
    let mut out = Vec::new();
    let mut chars = text.chars().peekable();
    loop {
        while chars.peek().is_some_and(|c| c.is_whitespace()) {
            chars.next();
        }
        if chars.peek().is_none() {
            return Ok(out);
        }
        let mut key = String::new();
        while let Some(&c) = chars.peek() {
            if c == '=' || c.is_whitespace() {
                break;
            }
            key.push(c);
            chars.next();
        }
        while chars.peek().is_some_and(|c| c.is_whitespace()) {
            chars.next();
        }
        if chars.next() != Some('=') || key.is_empty() {
            // The word is not echoed: it may be a password.
            return Err(TargetError::BadKeyValue(format!(
                "expected key=value after {} setting(s)",
                out.len()
            )));
        }
        while chars.peek().is_some_and(|c| c.is_whitespace()) {
            chars.next();
        }
        let mut value = String::new();
        if chars.peek() == Some(&'\'') {
            chars.next();
            let mut closed = false;
            while let Some(c) = chars.next() {
                match c {
                    '\\' => {
                        if let Some(n) = chars.next() {
                            value.push(n);
                        }
                    }
                    '\'' => {
                        closed = true;
                        break;
                    }
                    _ => value.push(c),
                }
            }
            if !closed {
                return Err(TargetError::BadKeyValue(format!(
                    "the quoted value of `{key}` is not closed"
                )));
            }
        } else {
            while let Some(&c) = chars.peek() {
                if c.is_whitespace() {
                    break;
                }
                if c == '\\' {
                    chars.next();
                    if let Some(n) = chars.next() {
                        value.push(n);
                    }
                    continue;
                }
                value.push(c);
                chars.next();
            }
        }
        out.push((key.to_ascii_lowercase(), value));
    }
}

/// Percent-encode everything but unreserved characters.
pub fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The `postgres://` URL equivalent to a key-value string.
pub fn to_url(text: &str) -> Result<String, TargetError> {
    let mut host = None;
    let mut port = None;
    let mut user = None;
    let mut password = None;
    let mut dbname = None;
    let mut params = Vec::new();
    for (k, v) in pairs(text)? {
        match k.as_str() {
            "host" | "hostaddr" => host = Some(v),
            "port" => port = Some(v),
            "user" => user = Some(v),
            "password" => password = Some(v),
            "dbname" => dbname = Some(v),
            _ => params.push(format!("{}={}", encode(&k), encode(&v))),
        }
    }
    let mut url = String::from("postgres://");
    if let Some(u) = &user {
        url.push_str(&encode(u));
        if let Some(p) = &password {
            url.push(':');
            url.push_str(&encode(p));
        }
        url.push('@');
    } else if let Some(p) = &password {
        params.push(format!("password={}", encode(p)));
    }
    match &host {
        // A socket directory goes in a `host` parameter.
        Some(h) if h.starts_with('/') => params.push(format!("host={}", encode(h))),
        Some(h) if h.contains(':') => url.push_str(&format!("[{h}]")),
        Some(h) => url.push_str(&encode(h)),
        None => {}
    }
    if let Some(p) = &port {
        if host.as_deref().is_some_and(|h| h.starts_with('/')) || host.is_none() {
            params.push(format!("port={}", encode(p)));
        } else {
            url.push(':');
            url.push_str(p);
        }
    }
    url.push('/');
    if let Some(d) = &dbname {
        url.push_str(&encode(d));
    }
    if !params.is_empty() {
        url.push('?');
        url.push_str(&params.join("&"));
    }
    Ok(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_value_strings_become_urls() {
        assert!(looks_like("host=db dbname=shop"));
        assert!(!looks_like("app:pw=x@db/shop"));
        assert!(!looks_like("db.example.com:5432/shop"));
        assert_eq!(
            to_url("host=db.example.com port=6543 user=app password='p w\\'x' dbname=shop sslmode=require").unwrap(),
            "postgres://app:p%20w%27x@db.example.com:6543/shop?sslmode=require"
        );
        assert_eq!(
            to_url("host=/var/run/postgresql dbname=shop").unwrap(),
            "postgres:///shop?host=%2Fvar%2Frun%2Fpostgresql"
        );
        assert_eq!(
            to_url("host=::1 port=5433 dbname=x").unwrap(),
            "postgres://[::1]:5433/x"
        );
        let e = to_url("host=db password='Sup3rS3cret").unwrap_err();
        assert!(!e.to_string().contains("Sup3r"), "{e}");
        let e = to_url("host=db Sup3rS3cret").unwrap_err();
        assert!(!e.to_string().contains("Sup3rS3cret"), "{e}");
    }
}
