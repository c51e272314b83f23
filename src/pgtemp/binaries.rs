//! Locating the PostgreSQL server and client programs.

use std::env;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use super::error::{PgTempError, Result};
use super::exec;

/// Environment variable naming the directory that holds `initdb`, `pg_ctl` and `postgres`.
pub const BINDIR_ENV: &str = "BELLOWS_PG_BINDIR";

/// Programs a usable binary directory must contain.
const SERVER_PROGRAMS: [&str; 3] = ["initdb", "pg_ctl", "postgres"];

/// Where Debian/Ubuntu install one `bin` directory per major version.
const DEBIAN_ROOT: &str = "/usr/lib/postgresql";

/// Finds the directory holding the server binaries.
///
/// Order: `$BELLOWS_PG_BINDIR` (an error if set but incomplete), `pg_config --bindir`,
/// the directory of `initdb` on PATH (symlinks resolved), then the highest-versioned
/// `/usr/lib/postgresql/*/bin`.
pub fn find_bin_dir() -> Result<PathBuf> {
    if let Some(dir) = env::var_os(BINDIR_ENV).filter(|v| !v.is_empty()) {
        return check_bin_dir(PathBuf::from(dir));
    }
    from_pg_config()
        .or_else(from_path)
        .or_else(|| highest_versioned_bindir(Path::new(DEBIAN_ROOT)))
        .ok_or(PgTempError::BinariesNotFound)
}

/// Returns `dir` if it contains all server programs, else [`PgTempError::InvalidBinDir`].
pub(crate) fn check_bin_dir(dir: PathBuf) -> Result<PathBuf> {
    match SERVER_PROGRAMS
        .into_iter()
        .find(|p| !is_executable(&dir.join(p)))
    {
        Some(missing) => Err(PgTempError::InvalidBinDir { dir, missing }),
        None => Ok(dir),
    }
}

fn is_complete(dir: &Path) -> bool {
    SERVER_PROGRAMS.iter().all(|p| is_executable(&dir.join(p)))
}

fn is_executable(path: &Path) -> bool {
    path.metadata()
        .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

fn find_on_path(program: &str) -> Option<PathBuf> {
    let path = env::var_os("PATH")?;
    env::split_paths(&path)
        .map(|dir| dir.join(program))
        .find(|p| is_executable(p))
}

fn from_pg_config() -> Option<PathBuf> {
    let pg_config = find_on_path("pg_config")?;
    let mut cmd = Command::new(pg_config);
    cmd.arg("--bindir")
        .stdin(Stdio::null())
        .stderr(Stdio::null());
    exec::scrub_env(&mut cmd);
    let out = cmd.output().ok().filter(|o| o.status.success())?;
    let dir = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
    is_complete(&dir).then_some(dir)
}

fn from_path() -> Option<PathBuf> {
    let initdb = find_on_path("initdb")?;
    // A symlink such as /usr/local/bin/initdb usually points into the real bin
    // directory, which also holds the client tools.
    let resolved = initdb
        .canonicalize()
        .ok()
        .and_then(|p| p.parent().map(Path::to_path_buf))
        .filter(|d| is_complete(d));
    resolved.or_else(|| {
        initdb
            .parent()
            .map(Path::to_path_buf)
            .filter(|d| is_complete(d))
    })
}

/// The server binaries of major version `major` where Debian/Ubuntu put them
/// (`/usr/lib/postgresql/<major>/bin`), if installed there.
pub fn bin_dir_for_major(major: u32) -> Option<PathBuf> {
    let dir = Path::new(DEBIAN_ROOT).join(major.to_string()).join("bin");
    is_complete(&dir).then_some(dir)
}

/// Sort key for a version-named directory (`"15"`, `"9.6"`); `None` if not purely numeric.
pub fn version_key(name: &str) -> Option<Vec<u32>> {
    name.split('.').map(|part| part.parse().ok()).collect()
}

/// The `<root>/<version>/bin` directory with the highest numeric version that
/// contains the server programs, e.g. `/usr/lib/postgresql/16/bin` over `.../9.6/bin`.
pub fn highest_versioned_bindir(root: &Path) -> Option<PathBuf> {
    std::fs::read_dir(root)
        .ok()?
        .filter_map(|entry| {
            let entry = entry.ok()?;
            let key = version_key(entry.file_name().to_str()?)?;
            let bin = entry.path().join("bin");
            is_complete(&bin).then_some((key, bin))
        })
        .max_by(|a, b| a.0.cmp(&b.0))
        .map(|(_, bin)| bin)
}

/// Extracts the major version from `postgres --version` output,
/// e.g. `"postgres (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)"` gives 15.
pub fn parse_major_version(text: &str) -> Option<u32> {
    let tail = text
        .split_once("(PostgreSQL)")
        .map_or(text, |(_, rest)| rest);
    let token = tail
        .split_whitespace()
        .find(|t| t.starts_with(|c: char| c.is_ascii_digit()))?;
    let digits: String = token.chars().take_while(char::is_ascii_digit).collect();
    digits.parse().ok()
}

/// Runs `<bin_dir>/postgres --version` and returns the major version.
pub(crate) fn server_major_version(bin_dir: &Path) -> Result<u32> {
    let mut cmd = Command::new(bin_dir.join("postgres"));
    cmd.arg("--version");
    let out = exec::run(&mut cmd)?;
    parse_major_version(&out).ok_or(PgTempError::VersionParse(out))
}

/// Finds a client tool in the server's bin dir, then on PATH.
pub(crate) fn find_tool(bin_dir: &Path, tool: &'static str) -> Result<PathBuf> {
    let local = bin_dir.join(tool);
    if is_executable(&local) {
        return Ok(local);
    }
    find_on_path(tool).ok_or_else(|| PgTempError::ToolNotFound {
        tool,
        bin_dir: bin_dir.to_path_buf(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn version_dirs_sort_numerically() {
        let mut names = vec!["9.6", "15", "10", "9", "16", "13.2"];
        names.sort_by_key(|n| version_key(n));
        assert_eq!(names, ["9", "9.6", "10", "13.2", "15", "16"]);
        assert_eq!(version_key("16beta1"), None);
        assert_eq!(version_key("main"), None);
        assert_eq!(version_key(""), None);
    }

    #[test]
    fn major_version_parsing() {
        let debian = "postgres (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)\n";
        assert_eq!(parse_major_version(debian), Some(15));
        assert_eq!(
            parse_major_version("postgres (PostgreSQL) 17devel"),
            Some(17)
        );
        assert_eq!(parse_major_version("postgres (PostgreSQL) 9.6.24"), Some(9));
        assert_eq!(parse_major_version("garbage"), None);
    }
}
