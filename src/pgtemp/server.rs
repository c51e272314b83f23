//! Controlling the server process: initdb, configuration, pg_ctl start/stop, readiness.

use std::fmt::Write as _;
use std::fs;
use std::io::{self, Write as _};
use std::net::{Ipv4Addr, TcpStream};
use std::os::unix::net::UnixStream;
use std::path::PathBuf;
use std::process::Command;
use std::thread;
use std::time::{Duration, Instant};

use super::cluster::{KEEP_ENV, Listen, TempCluster};
use super::error::{PgTempError, Result};
use super::exec;

/// How long to wait for the server to accept connections after `pg_ctl start`.
const READY_TIMEOUT: Duration = Duration::from_secs(30);

impl TempCluster {
    /// A server program command, run as the unprivileged user when we are root.
    fn server_command(&self, program: &str) -> Command {
        let mut cmd = Command::new(self.bin_dir.join(program));
        exec::scrub_env(&mut cmd);
        cmd.current_dir(&self.root);
        if let Some(user) = &self.run_as {
            user.apply(&mut cmd, &self.root);
        }
        cmd
    }

    /// Appends a hint on keeping the directory, which is removed on failure unless kept.
    pub(super) fn with_keep_hint(&self, reason: String) -> String {
        if self.keep {
            reason
        } else {
            format!("{reason}\n(the cluster directory is removed; set {KEEP_ENV}=1 to keep it)")
        }
    }

    fn socket_path(&self) -> PathBuf {
        self.root.join(format!(".s.PGSQL.{}", self.port))
    }

    pub(super) fn initdb(&self) -> Result<()> {
        let mut cmd = self.server_command("initdb");
        cmd.arg("-D")
            .arg(&self.data)
            .arg("-U")
            .arg(&self.superuser)
            .args(["--auth=trust", "-E", "UTF8", "--locale=C", "--no-sync"]);
        exec::run(&mut cmd).map(drop)
    }

    /// Settings appended to `postgresql.conf`; later lines win, so user settings go last.
    pub(super) fn conf_block(&self, extra: &[(String, String)]) -> String {
        let listen_addresses = match self.listen {
            Listen::UnixSocket => "",
            Listen::Tcp | Listen::TcpPort(_) => "127.0.0.1",
        };
        let root = self.root.to_string_lossy();
        let mut settings: Vec<(&str, String)> = vec![
            ("listen_addresses", conf_quote(listen_addresses)),
            ("port", self.port.to_string()),
            ("unix_socket_directories", conf_quote(&root)),
            ("fsync", "off".into()),
            ("synchronous_commit", "off".into()),
            ("full_page_writes", "off".into()),
            ("max_connections", "100".into()),
            ("shared_buffers", conf_quote("128MB")),
        ];
        settings.extend(extra.iter().map(|(k, v)| (k.as_str(), conf_quote(v))));
        let mut block = String::from("\n# --- added by bellows pgtemp ---\n");
        for (key, value) in settings {
            let _ = writeln!(block, "{key} = {value}");
        }
        block
    }

    pub(super) fn pg_ctl_start(&self) -> Result<()> {
        let mut cmd = self.server_command("pg_ctl");
        cmd.arg("-D")
            .arg(&self.data)
            .arg("-l")
            .arg(&self.log)
            .args(["-w", "-t", "60", "start"]);
        exec::run(&mut cmd).map(drop)
    }

    /// Stops the server if it runs, then deletes the directory unless kept.
    pub(super) fn shutdown(&mut self) -> Result<()> {
        self.finished = true;
        let stopped = self.stop_server();
        let removed = if self.keep {
            let _ = writeln!(
                io::stderr(),
                "pgtemp: kept cluster directory {}",
                self.root.display()
            );
            Ok(())
        } else {
            match fs::remove_dir_all(&self.root) {
                Err(e) if e.kind() != io::ErrorKind::NotFound => Err(PgTempError::io(
                    format!("could not remove {}", self.root.display()),
                    e,
                )),
                _ => Ok(()),
            }
        };
        stopped.and(removed)
    }

    fn stop_server(&self) -> Result<()> {
        let pid_file = self.data.join("postmaster.pid");
        if !pid_file.exists() {
            return Ok(());
        }
        let mut cmd = self.server_command("pg_ctl");
        cmd.arg("-D")
            .arg(&self.data)
            .args(["-m", "immediate", "-w", "-t", "30", "stop"]);
        let Err(err) = exec::run(&mut cmd).map(drop) else {
            return Ok(());
        };
        // Fall back to signalling the postmaster directly (SIGQUIT = immediate shutdown).
        let pid = fs::read_to_string(&pid_file)
            .ok()
            .and_then(|s| s.lines().next()?.trim().parse::<u32>().ok());
        if let Some(pid) = pid {
            let _ = Command::new("kill")
                .args(["-QUIT", &pid.to_string()])
                .output();
            let deadline = Instant::now() + Duration::from_secs(10);
            while pid_file.exists() && Instant::now() < deadline {
                thread::sleep(Duration::from_millis(50));
            }
        }
        if pid_file.exists() { Err(err) } else { Ok(()) }
    }
}

/// Quotes a value for `postgresql.conf`.
pub(super) fn conf_quote(value: &str) -> String {
    format!("'{}'", value.replace('\\', "\\\\").replace('\'', "''"))
}
/// Polls until the server accepts a connection on its TCP port or Unix socket.
pub(super) fn wait_ready(cluster: &TempCluster) -> Result<()> {
    let deadline = Instant::now() + READY_TIMEOUT;
    let socket = cluster.socket_path();
    let mut last_error;
    loop {
        let attempt = match cluster.listen {
            Listen::UnixSocket => UnixStream::connect(&socket).map(drop),
            Listen::Tcp | Listen::TcpPort(_) => TcpStream::connect_timeout(
                &(Ipv4Addr::LOCALHOST, cluster.port).into(),
                Duration::from_secs(1),
            )
            .map(drop),
        };
        match attempt {
            Ok(()) => return Ok(()),
            Err(e) => last_error = e,
        }
        if Instant::now() >= deadline {
            return Err(PgTempError::StartFailed {
                reason: cluster.with_keep_hint(format!(
                    "server did not accept connections within {}s: {last_error}",
                    READY_TIMEOUT.as_secs()
                )),
                log: cluster.log.clone(),
                log_tail: exec::tail(&cluster.log, 40),
            });
        }
        thread::sleep(Duration::from_millis(50));
    }
}

#[cfg(test)]
mod tests {
    use super::conf_quote;

    #[test]
    fn conf_values_are_quoted() {
        assert_eq!(conf_quote("128MB"), "'128MB'");
        assert_eq!(conf_quote("it's"), "'it''s'");
        assert_eq!(conf_quote(r"C:\x"), r"'C:\\x'");
    }
}
