//! Issue 10, item 4 on a real server: connection strings in either libpq form, passwords
//! never printed on any error path, PGPASSWORD and .pgpass read, a warning for a password
//! on the command line and for a remote server reachable in cleartext, and --require-tls.

mod common;

use std::process::Command;

use common::examples;

const PLAN: &str = "plans/01-rename-column.toml";
const SECRET: &str = "Sup3rS3cret";

fn bellows(args: &[&str], env: &[(&str, &str)]) -> (Option<i32>, String) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_bellows"));
    cmd.args(args);
    for (key, _) in std::env::vars_os() {
        if key.to_str().is_some_and(|k| k.starts_with("PG")) {
            cmd.env_remove(key);
        }
    }
    cmd.env_remove("DATABASE_URL")
        .env_remove("BELLOWS_REQUIRE_TLS")
        .env("PGPASSFILE", "/nonexistent/pgpass");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("run bellows");
    (
        out.status.code(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

fn key_value(c: &bellows::pgtemp::TempCluster, user: &str, db: &str) -> String {
    format!(
        "host={} port={} user={user} dbname={db}",
        c.host(),
        c.port()
    )
}

#[test]
fn key_value_strings_connect_and_no_error_path_prints_the_password() {
    let cluster = common::cluster();
    common::fresh_db(&cluster, "kv", &[examples::SCHEMA]);
    let kv = key_value(&cluster, cluster.superuser(), "kv");
    let (code, out) = bellows(&["status", PLAN, "--database-url", &kv], &[]);
    assert_eq!(code, Some(0), "{out}");
    assert!(out.contains("not started in this database"), "{out}");

    // Every way a connection string can be wrong, with the password in it.
    let port = cluster.port().to_string();
    for bad in [
        format!("mysql://app:{SECRET}@127.0.0.1:{port}/kv"),
        format!("http://app:{SECRET}@127.0.0.1:{port}/kv"),
        format!("app:{SECRET}@127.0.0.1:{port}/kv"),
        format!("postgres://app:{SECRET}@127.0.0.1:notaport/kv"),
        format!("host=127.0.0.1 password='{SECRET}"),
        format!("host=127.0.0.1 {SECRET}"),
        format!("host=127.0.0.1 port=x password={SECRET}"),
        // Reachable syntax, unreachable server: the driver's error is redacted.
        format!("postgres://app:{SECRET}@127.0.0.1:1/kv"),
        format!("host=127.0.0.1 port=1 user=app password={SECRET} dbname=kv"),
    ] {
        for cmd in ["run", "status", "rollback"] {
            let mut args = vec![cmd, PLAN, "--database-url", bad.as_str()];
            if cmd == "run" {
                args.push("--headless");
            }
            let (code, out) = bellows(&args, &[]);
            assert_ne!(code, Some(0), "{cmd} {bad}: {out}");
            assert!(!out.contains(SECRET), "{cmd}: the password leaked: {out}");
        }
        let (code, out) = bellows(
            &[
                "plan",
                "examples/changes/01-rename-column.sql",
                "--out",
                "-",
                "--database-url",
                &bad,
            ],
            &[],
        );
        assert_ne!(code, Some(0), "plan {bad}: {out}");
        assert!(!out.contains(SECRET), "plan: the password leaked: {out}");
    }
}

#[test]
fn a_password_on_the_command_line_is_warned_about_and_the_environment_is_not() {
    let cluster = common::cluster();
    common::fresh_db(&cluster, "pw", &[examples::SCHEMA]);
    let with_pw = format!(
        "{} password={SECRET}",
        key_value(&cluster, cluster.superuser(), "pw")
    );
    let (code, out) = bellows(&["status", PLAN, "--database-url", &with_pw], &[]);
    assert_eq!(code, Some(0), "{out}");
    assert!(out.contains("visible to other users"), "{out}");
    assert!(!out.contains(SECRET), "{out}");
    let (code, out) = bellows(&["status", PLAN], &[("DATABASE_URL", &with_pw)]);
    assert_eq!(code, Some(0), "{out}");
    assert!(!out.contains("visible to other users"), "{out}");
}

/// The driver reads PGPASSWORD and the pgpass file when the string has no password.
#[test]
fn pgpassword_and_pgpass_are_read() {
    let cluster = common::cluster();
    let url = common::fresh_db(&cluster, "pgpass", &[examples::SCHEMA]);
    let hba = cluster.data_dir().join("pg_hba.conf");
    let old = std::fs::read_to_string(&hba).expect("pg_hba.conf");
    std::fs::write(
        &hba,
        format!("local all pwuser scram-sha-256\nhost all pwuser all scram-sha-256\n{old}"),
    )
    .expect("write pg_hba.conf");
    common::rt().block_on(async {
        use sqlx::Connection;
        let mut c = sqlx::PgConnection::connect(&url).await.expect("connect");
        for q in [
            "CREATE ROLE pwuser LOGIN PASSWORD 'letmein'",
            "SELECT pg_reload_conf()",
        ] {
            sqlx::raw_sql(q).execute(&mut c).await.expect(q);
        }
    });
    std::thread::sleep(std::time::Duration::from_millis(300));
    let kv = key_value(&cluster, "pwuser", "pgpass");
    let (code, out) = bellows(&["status", PLAN, "--database-url", &kv], &[]);
    assert_ne!(
        code,
        Some(0),
        "no password, no entry: refused by the server: {out}"
    );
    let (code, out) = bellows(
        &["status", PLAN, "--database-url", &kv],
        &[("PGPASSWORD", "letmein")],
    );
    assert_eq!(code, Some(0), "PGPASSWORD: {out}");
    let dir = std::env::temp_dir().join(format!("bellows-pgpass-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let file = dir.join("pgpass");
    std::fs::write(&file, "*:*:*:pwuser:letmein\n").expect("pgpass");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).expect("chmod");
    }
    let (code, out) = bellows(
        &["status", PLAN, "--database-url", &kv],
        &[("PGPASSFILE", file.to_str().expect("path"))],
    );
    assert_eq!(code, Some(0), ".pgpass: {out}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn cleartext_is_warned_about_and_refused_with_require_tls() {
    // A remote name (RFC 6761 `.invalid`: never resolves), no TLS demanded: warned.
    let remote = "postgres://app@db.invalid:5432/shop";
    let (code, out) = bellows(&["status", PLAN, "--database-url", remote], &[]);
    assert_ne!(code, Some(0), "{out}");
    assert!(
        out.contains("may run without TLS") && out.contains("sslmode=prefer"),
        "{out}"
    );
    // TLS required and the string turns it off: refused before connecting.
    let off = "postgres://app@db.invalid:5432/shop?sslmode=disable";
    for (args, env) in [
        (
            vec![
                "run",
                PLAN,
                "--headless",
                "--require-tls",
                "--database-url",
                off,
            ],
            vec![],
        ),
        (
            vec!["run", PLAN, "--headless", "--database-url", off],
            vec![("BELLOWS_REQUIRE_TLS", "1")],
        ),
    ] {
        let (code, out) = bellows(&args, &env);
        assert_eq!(code, Some(2), "{out}");
        assert!(out.contains("TLS is required"), "{out}");
    }
    // The test server has no TLS: with --require-tls a TCP connection to it is refused
    // and nothing is created.
    let cluster = common::cluster();
    let url = common::fresh_db(&cluster, "tls", &[examples::SCHEMA]);
    if matches!(cluster.listen(), bellows::pgtemp::Listen::UnixSocket) {
        return; // a socket needs no TLS
    }
    let (code, out) = bellows(
        &[
            "run",
            PLAN,
            "--headless",
            "--yes",
            "--require-tls",
            "--database-url",
            &url,
        ],
        &[],
    );
    assert_ne!(code, Some(0), "{out}");
    let n = common::rt().block_on(common::exec::scalar_i64(
        &url,
        "SELECT count(*) FROM pg_namespace WHERE nspname = 'bellows'",
    ));
    assert_eq!(n, 0, "nothing was created: {out}");
}
