//! Stand-ins for migration tools: each reads exported files the way its tool does (file
//! names, ordering rule, transaction rule) and applies them to a real database.

#![allow(dead_code)]

use bellows::export::{File, Tool};
use sqlx::{Connection, PgConnection};

/// One direction of one migration, as the tool would send it.
#[derive(Debug, Clone)]
pub struct Script {
    /// The tool opens a transaction around the chunks.
    pub in_transaction: bool,
    /// Each chunk goes to the server as one simple query.
    pub chunks: Vec<String>,
}

/// One migration as the tool sees it.
#[derive(Debug, Clone)]
pub struct Migration {
    /// Ordering key (numeric version parts; Liquibase: position in the file).
    pub version: Vec<u64>,
    /// Name after the version (starts with the phase).
    pub name: String,
    /// Forward.
    pub up: Script,
    /// Backward (undo).
    pub down: Script,
}

fn find<'a>(files: &'a [File], path: &str) -> Option<&'a File> {
    files
        .iter()
        .find(|f| f.path.as_path() == std::path::Path::new(path))
}

fn name_of(f: &File) -> String {
    f.path.to_string_lossy().to_string()
}

/// Split SQL into statements at top-level `;` (quotes, dollar quotes and comments aware),
/// as Flyway's parser does; chunks holding only comments are dropped.
pub fn split_statements(sql: &str) -> Vec<String> {
    let b: Vec<char> = sql.chars().collect();
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut i = 0;
    let mut has_code = false;
    while i < b.len() {
        let c = b[i];
        if c == '-' && b.get(i + 1) == Some(&'-') {
            while i < b.len() && b[i] != '\n' {
                cur.push(b[i]);
                i += 1;
            }
            continue;
        }
        if c == '\'' || c == '"' {
            cur.push(c);
            i += 1;
            while i < b.len() {
                cur.push(b[i]);
                i += 1;
                if b[i - 1] == c {
                    break;
                }
            }
            has_code = true;
            continue;
        }
        if c == '$' {
            let mut j = i + 1;
            while j < b.len() && (b[j].is_alphanumeric() || b[j] == '_') {
                j += 1;
            }
            if j < b.len() && b[j] == '$' {
                let tag: String = b[i..=j].iter().collect();
                let rest: String = b[j + 1..].iter().collect();
                let end = rest.find(&tag).map(|e| e + tag.len()).unwrap_or(rest.len());
                cur.push_str(&tag);
                cur.push_str(&rest[..end]);
                i = j + 1 + rest[..end].chars().count();
                has_code = true;
                continue;
            }
        }
        if c == ';' {
            if has_code {
                out.push(cur.trim().to_string());
            }
            cur.clear();
            has_code = false;
            i += 1;
            continue;
        }
        if !c.is_whitespace() {
            has_code = true;
        }
        cur.push(c);
        i += 1;
    }
    if has_code {
        out.push(cur.trim().to_string());
    }
    out
}

/// `prefix<digits[.digits]>sep<rest>` → (version parts, rest).
fn version(name: &str, prefix: &str, sep: &str) -> Option<(Vec<u64>, String)> {
    let rest = name.strip_prefix(prefix)?;
    let (v, tail) = rest.split_once(sep)?;
    let parts: Option<Vec<u64>> = v.split(['.', '_']).map(|p| p.parse().ok()).collect();
    Some((parts?, tail.to_string()))
}

fn flyway(files: &[File]) -> Vec<Migration> {
    let script = |f: &File| Script {
        in_transaction: !find(files, &format!("{}.conf", name_of(f)))
            .is_some_and(|c| c.contents.contains("executeInTransaction=false")),
        chunks: split_statements(&f.contents),
    };
    let mut v: Vec<Migration> = files
        .iter()
        .filter_map(|f| {
            let n = name_of(f);
            let (version, rest) = version(&n, "V", "__")?;
            let name = rest.strip_suffix(".sql")?.to_string();
            let undo = files.iter().find(|u| {
                version_of_undo(&name_of(u)).is_some_and(|(uv, un)| uv == version && un == name)
            })?;
            Some(Migration {
                version,
                name,
                up: script(f),
                down: script(undo),
            })
        })
        .collect();
    // Flyway compares versions numerically, part by part.
    v.sort_by(|a, b| a.version.cmp(&b.version));
    v
}

fn version_of_undo(n: &str) -> Option<(Vec<u64>, String)> {
    let (v, rest) = version(n, "U", "__")?;
    Some((v, rest.strip_suffix(".sql")?.to_string()))
}

/// golang-migrate and sqlx: `<n>_<name>.up.sql` / `.down.sql`, ordered by the number.
fn up_down(files: &[File], tool: Tool) -> Vec<Migration> {
    let script = |f: &File| match tool {
        // Sent as one query, no transaction added.
        Tool::GolangMigrate => Script {
            in_transaction: false,
            chunks: vec![f.contents.clone()],
        },
        // A transaction unless the first line says otherwise; sent as one query.
        _ => Script {
            in_transaction: f.contents.lines().next() != Some("-- no-transaction"),
            chunks: vec![f.contents.clone()],
        },
    };
    let mut v: Vec<Migration> = files
        .iter()
        .filter_map(|f| {
            let n = name_of(f);
            let (version, rest) = version(&n, "", "_")?;
            let name = rest.strip_suffix(".up.sql")?.to_string();
            let down = find(files, &n.replace(".up.sql", ".down.sql"))?;
            Some(Migration {
                version,
                name,
                up: script(f),
                down: script(down),
            })
        })
        .collect();
    v.sort_by(|a, b| a.version.cmp(&b.version));
    v
}

/// dbmate: `-- migrate:up` / `-- migrate:down` sections, `transaction:false` on a marker.
fn dbmate(files: &[File]) -> Vec<Migration> {
    let section = |text: &str, marker: &str| -> Option<Script> {
        let start = text.find(&format!("-- migrate:{marker}"))?;
        let after = &text[start..];
        let (first, body) = after.split_once('\n')?;
        let end = if marker == "up" {
            body.find("-- migrate:down").unwrap_or(body.len())
        } else {
            body.len()
        };
        Some(Script {
            in_transaction: !first.contains("transaction:false"),
            chunks: vec![body[..end].to_string()],
        })
    };
    let mut v: Vec<Migration> = files
        .iter()
        .filter_map(|f| {
            let n = name_of(f);
            let (version, rest) = version(&n, "", "_")?;
            Some(Migration {
                version,
                name: rest.strip_suffix(".sql")?.to_string(),
                up: section(&f.contents, "up")?,
                down: section(&f.contents, "down")?,
            })
        })
        .collect();
    v.sort_by(|a, b| a.version.cmp(&b.version));
    v
}

/// Liquibase formatted SQL: changesets in file order; statements end at a `/` line.
fn liquibase(files: &[File]) -> Vec<Migration> {
    let Some(f) = find(files, "changelog.sql") else {
        return Vec::new();
    };
    let chunks = |lines: &[String]| -> Vec<String> {
        let mut out = Vec::new();
        let mut cur = Vec::new();
        for l in lines {
            if l.trim() == "/" {
                out.push(cur.join("\n"));
                cur.clear();
            } else {
                cur.push(l.clone());
            }
        }
        out
    };
    let mut v = Vec::new();
    for (i, block) in f.contents.split("\n--changeset ").skip(1).enumerate() {
        let mut lines = block.lines();
        let head = lines.next().unwrap_or_default().to_string();
        let label = head
            .split_whitespace()
            .find_map(|a| a.strip_prefix("labels:"))
            .unwrap_or_default()
            .to_string();
        let tx = !head.contains("runInTransaction:false");
        let (mut up, mut down) = (Vec::new(), Vec::new());
        for l in lines {
            match l.strip_prefix("--rollback ") {
                Some(r) => down.push(r.to_string()),
                None => up.push(l.to_string()),
            }
        }
        v.push(Migration {
            version: vec![i as u64],
            name: format!("{label}_{}", head.split_whitespace().next().unwrap_or("")),
            up: Script {
                in_transaction: tx,
                chunks: chunks(&up),
            },
            down: Script {
                in_transaction: tx,
                chunks: chunks(&down),
            },
        });
    }
    v
}

/// The migrations of exported files, in the order the tool applies them.
pub fn migrations(tool: Tool, files: &[File]) -> Vec<Migration> {
    match tool {
        Tool::Flyway => flyway(files),
        Tool::GolangMigrate | Tool::Sqlx => up_down(files, tool),
        Tool::Dbmate => dbmate(files),
        Tool::Liquibase => liquibase(files),
    }
}

/// Apply one script on the tool's connection.
pub async fn apply(conn: &mut PgConnection, s: &Script) -> Result<(), String> {
    let raw = |q: &str| sqlx::raw_sql(sqlx::AssertSqlSafe(q.to_string()));
    if s.in_transaction {
        let mut tx = conn.begin().await.map_err(|e| e.to_string())?;
        for c in &s.chunks {
            raw(c)
                .execute(&mut *tx)
                .await
                .map_err(|e| format!("{e}\n  in: {c}"))?;
        }
        tx.commit().await.map_err(|e| e.to_string())?;
    } else {
        for c in &s.chunks {
            raw(c)
                .execute(&mut *conn)
                .await
                .map_err(|e| format!("{e}\n  in: {c}"))?;
        }
    }
    Ok(())
}

/// Apply the up scripts of `ms` in order on one connection (as the tools do).
pub async fn up(url: &str, ms: &[Migration]) -> Result<(), String> {
    let mut conn = PgConnection::connect(url)
        .await
        .map_err(|e| e.to_string())?;
    for m in ms {
        apply(&mut conn, &m.up)
            .await
            .map_err(|e| format!("up {}: {e}", m.name))?;
    }
    Ok(())
}

/// Apply the down scripts of `ms` newest first on one connection.
pub async fn down(url: &str, ms: &[Migration]) -> Result<(), String> {
    let mut conn = PgConnection::connect(url)
        .await
        .map_err(|e| e.to_string())?;
    for m in ms.iter().rev() {
        apply(&mut conn, &m.down)
            .await
            .map_err(|e| format!("down {}: {e}", m.name))?;
    }
    Ok(())
}
