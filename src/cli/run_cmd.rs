//! `bellows run`, `bellows status`, `bellows rollback`: settings from arguments, the
//! executor on a tokio runtime, events printed as they come, exit codes per CONTRACT.md.

use std::time::Duration;

use super::Failure;
use super::args::{EventFormat, RollbackArgs, RunArgs, StatusArgs, TimingArgs};
use super::printer::{Printer, Style};
use crate::env::Target;
use crate::executor::rollback;
use crate::executor::undo::why_irreversible;
use crate::executor::{self, Command, ExecError, RunSettings};
use crate::plan::{self, Plan};

/// The database, parsed once: a missing, scheme-less or non-postgres URL is bad input
/// (exit 2), and the message never repeats the password. TLS policy applied
/// ([`connection_policy`]).
fn url_of(
    env: &super::args::EnvArgs,
    url: Option<String>,
    require_tls: bool,
) -> Result<Target, Failure> {
    if let Some(t) = super::env_target::target(env, url.as_deref())? {
        return connection_policy(t, require_tls);
    }
    let t = Target::parse(url.as_deref().unwrap_or_default())
        .map_err(|e| Failure::input(e.to_string()))?;
    connection_policy(t, require_tls)
}

/// `--require-tls` (or `BELLOWS_REQUIRE_TLS=1`) raises `sslmode` to `require` and refuses a
/// string that turns TLS off; otherwise a remote server reachable in cleartext gets a
/// warning on standard error.
pub fn connection_policy(t: Target, require_tls: bool) -> Result<Target, Failure> {
    let required = require_tls
        || std::env::var("BELLOWS_REQUIRE_TLS").is_ok_and(|v| !v.is_empty() && v != "0");
    if required {
        return t.require_tls().map_err(|e| Failure::input(e.to_string()));
    }
    if let Some(w) = t.cleartext_warning() {
        eprintln!("warning: {w}");
    }
    Ok(t)
}

fn load(path: &str) -> Result<Plan, Failure> {
    plan::load_file(path).map_err(|e| Failure::input(e.to_string()))
}

fn runtime() -> Result<tokio::runtime::Runtime, Failure> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| Failure::input(format!("cannot start the async runtime: {e}")))
}

/// `--confirm` ids, each a gate of the plan (else exit 2, naming the plan's gates).
fn confirmed_gates(plan: &crate::plan::Plan, ids: &[String]) -> Result<Vec<String>, Failure> {
    let gates: Vec<&str> = plan
        .steps
        .iter()
        .filter(|s| s.kind == crate::plan::StepKind::Gate)
        .map(|s| s.id.as_str())
        .collect();
    for id in ids {
        if !gates.contains(&id.as_str()) {
            return Err(Failure::input(format!(
                "--confirm {id}: the plan has no gate {id}; its gates: {}",
                if gates.is_empty() {
                    "none".to_string()
                } else {
                    gates.join(", ")
                }
            )));
        }
    }
    Ok(ids.to_vec())
}

fn exec_failure(e: ExecError) -> Failure {
    Failure {
        code: e.exit_code(),
        message: e.to_string(),
    }
}

fn duration(text: &str, what: &str) -> Result<Duration, Failure> {
    humantime::parse_duration(text)
        .map_err(|e| Failure::input(format!("{what} `{text}`: {e} (write e.g. 500ms, 2s, 5m)")))
}

/// A timeout that bounds how long something may run: PostgreSQL reads 0 as "no limit", so
/// 0 (or anything under the millisecond the server counts in) is refused for every such flag:
/// one rule for `--lock-timeout` and `--statement-timeout`.
fn ceiling(text: &str, what: &str, zero_would: &str) -> Result<Duration, Failure> {
    let d = duration(text, what)?;
    if d.as_millis() == 0 {
        return Err(Failure::input(format!(
            "{what} 0 means no limit to PostgreSQL and would {zero_would}; pass a longer limit instead (e.g. {what} 10m)"
        )));
    }
    Ok(d)
}

/// Validated run settings from the timing flags.
pub fn settings(t: &TimingArgs) -> Result<RunSettings, Failure> {
    let mut s = RunSettings::default();
    if let Some(v) = &t.lock_timeout {
        s.lock_timeout = ceiling(
            v,
            "--lock-timeout",
            "wait forever in the lock queue, blocking everyone behind it",
        )?;
    }
    if let Some(v) = &t.statement_timeout {
        s.statement_timeout = ceiling(
            v,
            "--statement-timeout",
            "let one statement of a step run (and hold its locks) forever",
        )?;
    }
    if let Some(v) = &t.retry_for {
        s.retry_total = duration(v, "--retry-for")?;
    }
    if let Some(v) = &t.batch_target {
        s.batch_target = Some(duration(v, "--batch-target")?);
    }
    if let Some(v) = &t.batch_pause {
        s.batch_pause = Some(duration(v, "--batch-pause")?);
    }
    if let Some(v) = &t.max_replica_lag {
        s.max_replica_lag = Some(duration(v, "--max-replica-lag")?);
    }
    if let Some(n) = t.batch_size {
        if n == 0 {
            return Err(Failure::input("--batch-size must be at least 1"));
        }
        s.batch_size = Some(n);
    }
    if let Some(o) = &t.operator {
        s.operator = o.clone();
    }
    Ok(s)
}

/// Print events until the channel closes.
fn spawn_printer(
    rt: &tokio::runtime::Runtime,
    style: Style,
) -> (executor::events::EventTx, tokio::task::JoinHandle<()>) {
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<executor::Event>();
    let h = rt.spawn(async move {
        let mut p = Printer::new(style);
        while let Some(e) = rx.recv().await {
            if let Some(line) = p.line(&e) {
                println!("{line}");
            }
        }
    });
    (tx, h)
}

fn style(f: EventFormat) -> Style {
    match f {
        EventFormat::Text => Style::Text,
        EventFormat::Json => Style::Json,
    }
}

/// A plan for `run`: with `--allow-edited` a stale hash is accepted (loudly).
fn load_for_run(path: &str, allow_edited: bool) -> Result<Plan, Failure> {
    if !allow_edited {
        return load(path);
    }
    let l =
        plan::load::load_file_allowing_edits(path).map_err(|e| Failure::input(e.to_string()))?;
    if !l.hash_matched {
        eprintln!(
            "warning: {} was edited after bellows generated it (its hash does not match its content); running it because of --allow-edited",
            plan::escape::line(path)
        );
    }
    Ok(l.plan)
}

/// `bellows run PLAN`.
pub fn run(a: RunArgs) -> Result<(), Failure> {
    let plan = load_for_run(&a.plan, a.allow_edited)?;
    let url = url_of(&a.env, a.database_url, a.require_tls)?;
    let mut set = settings(&a.timing)?;
    set.yes = a.yes;
    set.confirm = confirmed_gates(&plan, &a.confirm)?;
    set.allow_edited = a.allow_edited;
    set.replan = Some(super::replan::replan);
    if let Some(p) = &a.through {
        set.through = Some(p.parse().map_err(Failure::input)?);
    }
    let rt = runtime()?;
    if let Some((gate, gate_target, name)) = super::env_target::release_gate(&a.env)? {
        if a.force_unrehearsed {
            eprintln!(
                "WARNING: {name} is protected and this runs WITHOUT checking for a clean pass on {gate} (--force-unrehearsed); the run records it with who and when"
            );
            set.unrehearsed = Some(gate);
        } else {
            let g = executor::release::Named {
                name: &gate,
                target: &gate_target,
            };
            let t = executor::release::Named {
                name: &name,
                target: &url,
            };
            rt.block_on(executor::release::require_pass(&plan, &a.plan, &g, &t))
                .map_err(exec_failure)?;
            rt.block_on(super::release_tables::require_same_tables(
                &plan,
                (&gate, &gate_target),
                (&name, &url),
            ))?;
        }
    } else if a.force_unrehearsed {
        return Err(Failure::input(
            "--force-unrehearsed applies to a protected environment with requires_pass_on (given with --env)",
        ));
    }
    use std::io::IsTerminal;
    if !a.headless
        && a.format == EventFormat::Text
        && std::io::stdout().is_terminal()
        && std::io::stdin().is_terminal()
    {
        return rt
            .block_on(crate::tui::run_console(plan, url, set))
            .map_err(exec_failure);
    }
    let (tx, printer) = spawn_printer(&rt, style(a.format));
    let (ctl, rx) = tokio::sync::mpsc::unbounded_channel::<Command>();
    // Ctrl-C: stop after the current batch, leaving a resumable state.
    rt.spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            eprintln!("\nstopping after the current batch (press Ctrl-C again to abort at once)");
            let _ = ctl.send(Command::StopAfterBatch);
            if tokio::signal::ctrl_c().await.is_ok() {
                std::process::exit(130);
            }
        }
    });
    let result = rt.block_on(executor::run(&plan, &url, &set, false, tx, rx));
    let _ = rt.block_on(printer);
    match result {
        Ok(o) => match o.exit() {
            (0, _) => Ok(()),
            (code, message) => Err(Failure {
                code,
                message: message.unwrap_or_default(),
            }),
        },
        Err(e) => Err(exec_failure(e)),
    }
}

/// `bellows status PLAN`.
pub fn status(a: StatusArgs) -> Result<(), Failure> {
    let plan = load(&a.plan)?;
    let url = url_of(&a.env, a.database_url, a.require_tls)?;
    let rt = runtime()?;
    let st = rt
        .block_on(executor::status::status(&plan, &url))
        .map_err(exec_failure)?;
    if a.format == EventFormat::Json {
        println!("{}", serde_json::to_string(&st).unwrap_or_default());
        return Ok(());
    }
    print!("{}", plan::escape::block(&status_text(&st)));
    Ok(())
}

/// `bellows status` as text (the caller escapes control characters).
fn status_text(st: &executor::status::Status) -> String {
    use std::fmt::Write;
    let l = |t: &str| plan::escape::line(t).into_owned();
    let mut o = String::new();
    if let Some(w) = &st.warning {
        let _ = writeln!(o, "{}", l(w));
    }
    let _ = writeln!(
        o,
        "{}: {}",
        l(&st.plan),
        st.run
            .map(|r| r.as_str())
            .unwrap_or("not started in this database")
    );
    for s in &st.steps {
        let _ = write!(
            o,
            "  {:<12} {:<10} {:<40} {}",
            s.state,
            s.phase,
            l(&s.id),
            l(&s.summary)
        );
        if let Some(r) = s.rows_done {
            let _ = write!(o, " [{r} rows]");
        }
        if s.attempts > 1 {
            let _ = write!(o, " ({} attempts)", s.attempts);
        }
        o.push('\n');
        if let Some(e) = &s.last_error {
            let _ = writeln!(o, "               last error: {}", l(e));
        }
        if let Some(f) = &s.finished {
            let _ = writeln!(o, "               finished {f}");
        }
    }
    match &st.next {
        Some(n) => {
            let _ = writeln!(o, "next: {}", l(n));
        }
        None => o.push_str("every step is done\n"),
    }
    o
}

/// `bellows rollback PLAN`.
pub fn rollback(a: RollbackArgs) -> Result<(), Failure> {
    let plan = load(&a.plan)?;
    let url = url_of(&a.env, a.database_url, a.require_tls)?;
    let mut set = settings(&a.timing)?;
    if let Some(p) = &a.to {
        set.rollback_to = Some(p.parse().map_err(Failure::input)?);
    }
    let keep = set.rollback_to;
    let rt = runtime()?;
    if !a.yes {
        let preview = rt.block_on(async {
            let s = executor::session::Session::open(&url, &plan.hash).await?;
            let r = rollback::pending_undo(&s, &plan, keep).await;
            s.close(&plan.hash).await;
            r
        });
        let undo = preview.map_err(exec_failure)?;
        if undo.steps.is_empty() {
            match undo.blocked {
                // A preview only informs (exit 0); `--yes` on this state exits 2.
                Some(b) => println!(
                    "{}",
                    rollback::RollbackOutcome::StoppedAt {
                        step: b.id.clone(),
                        reason: why_irreversible(b),
                        undone: 0,
                    }
                    .describe()
                ),
                None => println!(
                    "nothing to undo: no completed step of {} in this database",
                    plan.name
                ),
            }
            return Ok(());
        }
        match keep {
            Some(p) => println!(
                "rollback --to {} would undo, newest first (steps of {} and earlier stay):",
                p.name(),
                p.name()
            ),
            None => println!("rollback would undo, newest first:"),
        }
        for s in &undo.steps {
            println!("  {}  {}", s.id, s.summary);
        }
        if let Some(b) = undo.blocked {
            println!(
                "and stop before {} (irreversible: {})",
                b.id,
                why_irreversible(b)
            );
        }
        return Err(Failure {
            code: 3,
            message: "re-run with --yes to undo these steps".into(),
        });
    }
    let (tx, printer) = spawn_printer(&rt, style(a.format));
    let result = rt.block_on(rollback::rollback(&plan, &url, &set, tx));
    let _ = rt.block_on(printer);
    let outcome = result.map_err(exec_failure)?;
    match outcome.exit() {
        0 => {
            println!("{}", outcome.describe());
            Ok(())
        }
        code => Err(Failure {
            code,
            message: outcome.describe(),
        }),
    }
}
