//! Integration tests for `bellows::pgtemp` throwaway clusters.
//!
//! Cluster tests fail (never skip) when the server binaries are not installed.

use std::fs;
use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::time::Duration;

use bellows::pgtemp::{
    Listen, PgTempError, TempCluster, TempClusterBuilder, highest_versioned_bindir, version_key,
};

/// Starts a cluster; fails the test when PostgreSQL is not installed.
fn start(builder: TempClusterBuilder) -> Option<TempCluster> {
    match builder.start() {
        Ok(cluster) => Some(cluster),
        // Never skip silently: a missing server must fail the suite.
        Err(e @ PgTempError::BinariesNotFound) => {
            panic!("{e}\n(run `bash scripts/test.sh`, which installs PostgreSQL)")
        }
        Err(err) => panic!("could not start temp cluster: {err}"),
    }
}

fn accepts_tcp(port: u16) -> bool {
    TcpStream::connect_timeout(
        &(Ipv4Addr::LOCALHOST, port).into(),
        Duration::from_millis(500),
    )
    .is_ok()
}

#[test]
fn cluster_lifecycle_over_tcp() {
    let Some(cluster) = start(TempCluster::builder().setting("work_mem", "8MB")) else {
        return;
    };
    let port = cluster.port();
    let data_dir = cluster.data_dir().to_path_buf();
    let socket_dir = cluster.socket_dir().to_path_buf();

    assert_eq!(cluster.host(), "127.0.0.1");
    assert_eq!(cluster.listen(), Listen::Tcp);
    assert!(
        cluster.server_version() >= 10,
        "{}",
        cluster.server_version()
    );
    assert!(cluster.bin_dir().join("initdb").exists());
    assert!(data_dir.join("PG_VERSION").exists());
    assert_eq!(
        cluster.url("bellows_test"),
        format!("postgres://postgres@127.0.0.1:{port}/bellows_test")
    );

    cluster.create_database("bellows_test").expect("createdb");
    assert_eq!(cluster.psql("bellows_test", "SELECT 1").expect("psql"), "1");
    assert_eq!(
        cluster
            .psql("bellows_test", "SELECT current_database(), current_user")
            .expect("psql"),
        "bellows_test|postgres"
    );
    assert_eq!(
        cluster.psql("postgres", "SHOW work_mem").expect("psql"),
        "8MB"
    );
    assert_eq!(
        cluster
            .psql("postgres", "SHOW listen_addresses")
            .expect("psql"),
        "127.0.0.1"
    );
    assert_eq!(cluster.psql("postgres", "SHOW fsync").expect("psql"), "off");
    let err = cluster
        .psql("bellows_test", "SELECT * FROM no_such_table")
        .expect_err("bad SQL must fail");
    assert!(err.to_string().contains("no_such_table"), "{err}");

    // The port is bound on 127.0.0.1 by the server, not by anyone else.
    assert!(accepts_tcp(port));
    assert!(TcpListener::bind((Ipv4Addr::LOCALHOST, port)).is_err());
    assert_eq!(
        cluster
            .psql("postgres", "SELECT host(inet_server_addr())")
            .expect("psql"),
        "127.0.0.1"
    );

    cluster.drop_database("bellows_test").expect("dropdb");
    assert_eq!(
        cluster
            .psql(
                "postgres",
                "SELECT count(*) FROM pg_database WHERE datname = 'bellows_test'"
            )
            .expect("psql"),
        "0"
    );

    drop(cluster);
    assert!(!data_dir.exists(), "data dir survived drop");
    assert!(!socket_dir.exists(), "cluster dir survived drop");
    assert!(!accepts_tcp(port), "port {port} still accepts connections");
}

#[test]
fn unix_socket_only_cluster_and_explicit_stop() {
    let Some(cluster) = start(TempCluster::builder().unix_socket_only().keep(false)) else {
        return;
    };
    let root = cluster.socket_dir().to_path_buf();
    assert_eq!(cluster.host(), root.to_string_lossy());
    assert!(root.join(format!(".s.PGSQL.{}", cluster.port())).exists());
    assert!(cluster.url("db").starts_with(&format!(
        "postgres://postgres@localhost:{}/db?host=/",
        cluster.port()
    )));
    assert_eq!(cluster.psql("postgres", "SELECT 2").expect("psql"), "2");
    assert_eq!(
        cluster
            .psql("postgres", "SHOW listen_addresses")
            .expect("psql"),
        ""
    );
    assert!(!accepts_tcp(cluster.port()));

    cluster.stop().expect("stop");
    assert!(!root.exists());
}

#[test]
fn bogus_bin_dir_is_reported() {
    let err = TempCluster::builder()
        .bin_dir("/nonexistent/pg/bin")
        .start()
        .expect_err("must fail");
    assert!(
        matches!(
            err,
            PgTempError::InvalidBinDir {
                missing: "initdb",
                ..
            }
        ),
        "{err}"
    );
}

#[test]
fn missing_binaries_message_explains_install() {
    let msg = PgTempError::BinariesNotFound.to_string();
    assert!(msg.contains("sudo apt-get install postgresql"), "{msg}");
    assert!(msg.contains("BELLOWS_PG_BINDIR"), "{msg}");
}

fn fake_bindir(root: &Path, version: &str, complete: bool) {
    use std::os::unix::fs::PermissionsExt;
    let bin = root.join(version).join("bin");
    fs::create_dir_all(&bin).expect("mkdir");
    let programs: &[&str] = if complete {
        &["initdb", "pg_ctl", "postgres"]
    } else {
        &["initdb"]
    };
    for program in programs {
        let path = bin.join(program);
        fs::write(&path, "#!/bin/sh\n").expect("write");
        fs::set_permissions(&path, fs::Permissions::from_mode(0o755)).expect("chmod");
    }
}

#[test]
fn highest_version_dir_wins_numerically() {
    let root: PathBuf =
        std::env::temp_dir().join(format!("bellows-pgtemp-sort-test-{}", std::process::id()));
    let _ = fs::remove_dir_all(&root);
    for version in ["9.6", "10", "13", "9"] {
        fake_bindir(&root, version, true);
    }
    fake_bindir(&root, "17", false); // incomplete: ignored
    fake_bindir(&root, "main", true); // not a version: ignored

    let found = highest_versioned_bindir(&root);
    let _ = fs::remove_dir_all(&root);
    assert_eq!(found, Some(root.join("13").join("bin")));

    assert!(version_key("9.6") < version_key("10"));
    assert!(version_key("10") < version_key("10.1"));
    assert_eq!(version_key("16beta1"), None);
    assert_eq!(highest_versioned_bindir(Path::new("/nonexistent")), None);
}

#[test]
fn startup_failure_reports_log_tail_and_cleans_up() {
    let result = TempCluster::builder()
        .setting("shared_buffers", "lots")
        .keep(false)
        .start();
    let err = match result {
        Err(e @ PgTempError::BinariesNotFound) => panic!("{e}"),
        Err(err) => err,
        Ok(_) => panic!("an invalid shared_buffers value must not start"),
    };
    let PgTempError::StartFailed { log, log_tail, .. } = &err else {
        panic!("expected StartFailed, got {err}");
    };
    assert!(log_tail.contains("shared_buffers"), "{err}");
    assert!(err.to_string().contains("shared_buffers"), "{err}");
    let root = log.parent().expect("log has a parent");
    assert!(!root.exists(), "{} left behind", root.display());
}
