//! An environment's connection target: its URL fetched (the file, a variable, or a secret
//! manager's command run without a shell, its output never shown), then held to the
//! environment's TLS policy. A server not on this machine is reached only with TLS unless
//! the environment says `tls = "disable"`; a protected one defaults to `verify-full`.

use std::process::{Command, Stdio};

use super::Target;
use super::config::{Environment, Tls, UrlSource};
use super::error::EnvError;

impl Environment {
    /// The target to connect to, or why not.
    pub fn resolve(&self) -> Result<Target, EnvError> {
        let url = self.url()?;
        let t = Target::parse(&url).map_err(|error| EnvError::Target {
            name: self.name.clone(),
            error,
        })?;
        self.tls_policy(t)
    }

    /// The TLS policy in force: the file's, else `verify-full` when protected.
    pub fn tls_in_force(&self) -> Option<Tls> {
        self.tls.or(self.protected.then_some(Tls::VerifyFull))
    }

    fn url(&self) -> Result<String, EnvError> {
        let fail = |message: String| EnvError::Source {
            name: self.name.clone(),
            message,
        };
        match &self.source {
            UrlSource::Url(u) => Ok(u.clone()),
            UrlSource::Variable(v) => match std::env::var(v) {
                Ok(u) if !u.trim().is_empty() => Ok(u),
                _ => Err(fail(format!(
                    "its URL comes from the variable {v}, which is not set; export {v}=postgres://... (from your secret store) and run again"
                ))),
            },
            UrlSource::Command(c) => run_secret_command(c).map_err(fail),
        }
    }

    fn tls_policy(&self, t: Target) -> Result<Target, EnvError> {
        let refuse = |message: String| EnvError::Tls {
            name: self.name.clone(),
            message,
        };
        let mode = t.sslmode();
        match self.tls_in_force() {
            Some(Tls::Disable) => Ok(t),
            Some(want @ (Tls::Require | Tls::VerifyFull)) => {
                let strong_enough = match want {
                    Tls::VerifyFull => mode == "verify-full",
                    _ => t.tls_required(),
                };
                if strong_enough {
                    return Ok(t);
                }
                if t.sslmode_written() && mode != "prefer" {
                    return Err(refuse(format!(
                        "the environment requires tls = \"{}\", and its connection string says sslmode={mode}; remove that setting or raise it",
                        want.sslmode()
                    )));
                }
                Ok(t.with_sslmode(want.sslmode()))
            }
            None if t.is_local() || t.tls_required() => Ok(t),
            None => Err(refuse(format!(
                "{} is not on this machine and the connection does not require TLS (sslmode={mode}); set tls = \"require\" or \"verify-full\" in [environments.{}] (or sslmode in the URL), or tls = \"disable\" for a network you trust",
                t.describe(),
                self.name
            ))),
        }
    }
}

/// Run `argv` without a shell; its standard output (trimmed) is the URL. Neither output is
/// ever put in a message.
fn run_secret_command(argv: &[String]) -> Result<String, String> {
    let program = &argv[0];
    let out = Command::new(program)
        .args(&argv[1..])
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
        .map_err(|e| format!("its url_command `{program}` could not be started ({e}); check that it is installed and on PATH"))?;
    if !out.status.success() {
        return Err(format!(
            "its url_command `{program}` failed ({}); run it yourself to see why (bellows never prints its output)",
            out.status
        ));
    }
    let url = String::from_utf8(out.stdout)
        .map_err(|_| format!("its url_command `{program}` printed something that is not text"))?;
    let url = url.trim().to_string();
    if url.is_empty() {
        return Err(format!("its url_command `{program}` printed nothing"));
    }
    Ok(url)
}

#[cfg(test)]
mod tests {
    use super::super::config::Environments;

    fn env(text: &str, name: &str) -> super::Environment {
        Environments::parse("bellows.toml", text)
            .expect("reads")
            .get(name)
            .expect("defined")
            .clone()
    }

    #[test]
    fn a_remote_host_without_tls_is_refused_unless_the_environment_allows_it() {
        let e = env(
            "[environments.s]\nurl = \"postgres://app@db.example.com/app\"\n",
            "s",
        );
        let err = e.resolve().expect_err("refused").to_string();
        assert!(err.contains("tls = \"require\""), "{err}");
        let ok = env(
            "[environments.s]\nurl = \"postgres://app@db.example.com/app\"\ntls = \"disable\"\n",
            "s",
        );
        assert!(ok.resolve().is_ok());
        let local = env(
            "[environments.d]\nurl = \"postgres://localhost/app\"\n",
            "d",
        );
        assert!(local.resolve().is_ok());
    }

    #[test]
    fn a_protected_environment_is_raised_to_verify_full_and_a_weaker_written_mode_is_refused() {
        let p = env(
            "[environments.p]\nurl = \"postgres://app@db.example.com/app\"\nprotected = true\n",
            "p",
        );
        assert_eq!(p.resolve().expect("raised").sslmode(), "verify-full");
        let weak = env(
            "[environments.p]\nurl = \"postgres://app@db.example.com/app?sslmode=require\"\nprotected = true\n",
            "p",
        );
        let err = weak.resolve().expect_err("refused").to_string();
        assert!(err.contains("sslmode=require"), "{err}");
    }

    #[test]
    fn url_command_runs_without_a_shell_and_its_output_is_never_shown() {
        let e = env(
            "[environments.c]\nurl_command = [\"printf\", \"postgres://u@localhost/db\"]\n",
            "c",
        );
        assert_eq!(
            e.resolve().expect("resolves").describe(),
            "localhost:5432/db"
        );
        let shell = env(
            "[environments.c]\nurl_command = [\"echo postgres://u@localhost/db; echo $HOME\"]\n",
            "c",
        );
        assert!(
            shell.resolve().is_err(),
            "no shell: the whole string is one program name"
        );
        let failing = env(
            "[environments.c]\nurl_command = [\"sh\", \"-c\", \"echo postgres://u:leaked@h/db; exit 3\"]\n",
            "c",
        );
        let err = failing.resolve().expect_err("fails").to_string();
        assert!(
            err.contains("exit status: 3") && !err.contains("leaked"),
            "{err}"
        );
    }

    #[test]
    fn url_env_names_the_variable_when_it_is_unset() {
        let e = env(
            "[environments.s]\nurl_env = \"BELLOWS_TEST_UNSET_URL_X\"\n",
            "s",
        );
        let err = e.resolve().expect_err("unset").to_string();
        assert!(err.contains("BELLOWS_TEST_UNSET_URL_X"), "{err}");
    }
}
