//! The real binary in a real terminal (tmux): step through a small plan on a throwaway
//! database to completion with keys, quit, and find the terminal restored.

mod common;

use std::process::Command;
use std::time::{Duration, Instant};

fn tmux(args: &[&str]) -> String {
    let o = Command::new("tmux")
        .args(args)
        .output()
        .expect("tmux is needed for this test (scripts/test.sh installs it)");
    String::from_utf8_lossy(&o.stdout).to_string()
}

fn wait_screen(session: &str, needle: &str) -> String {
    let t = Instant::now();
    loop {
        let screen = tmux(&["capture-pane", "-p", "-t", session]);
        if screen.contains(needle) {
            return screen;
        }
        assert!(
            t.elapsed() < Duration::from_secs(30),
            "timed out waiting for {needle:?}; screen:\n{screen}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn step_through_a_plan_in_tmux_and_restore_the_terminal() {
    let cluster = common::cluster();
    let url = common::fresh_db(
        &cluster,
        "tmux",
        &[common::examples::SCHEMA, "tests/fixtures/small-seed.sql"],
    );
    let plan = common::examples::plan("examples/changes/19-drop-column.sql");
    let dir = std::env::temp_dir().join(format!("bellows-tmux-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let file = dir.join("plan.toml");
    std::fs::write(&file, plan.to_toml()).expect("write");
    let done = dir.join("exit");
    let session = format!("bellows-test-{}", std::process::id());
    let cmd = format!(
        "DATABASE_URL='{url}' {} run {}; echo $? > {}; sleep 30",
        env!("CARGO_BIN_EXE_bellows"),
        file.display(),
        done.display()
    );
    tmux(&[
        "new-session",
        "-d",
        "-s",
        &session,
        "-x",
        "80",
        "-y",
        "24",
        &cmd,
    ]);
    wait_screen(&session, "0/2 steps");
    assert_eq!(
        tmux(&["display", "-p", "-t", &session, "#{alternate_on}"]).trim(),
        "1",
        "the console uses the alternate screen"
    );
    // The plan is a gate then a drop: n reaches the gate, which asks for the table name.
    tmux(&["send-keys", "-t", &session, "n"]);
    wait_screen(&session, "Type `users`");
    tmux(&["send-keys", "-t", &session, "users", "Enter"]);
    wait_screen(&session, "1/2 steps");
    tmux(&["send-keys", "-t", &session, "n"]);
    wait_screen(&session, "every step done");
    tmux(&["send-keys", "-t", &session, "q"]);
    let t = Instant::now();
    while !done.exists() {
        assert!(
            t.elapsed() < Duration::from_secs(20),
            "the console did not exit"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    let code = std::fs::read_to_string(&done).expect("exit code");
    let alternate = tmux(&["display", "-p", "-t", &session, "#{alternate_on}"]);
    tmux(&["kill-session", "-t", &session]);
    assert_eq!(code.trim(), "0");
    assert_eq!(
        alternate.trim(),
        "0",
        "the terminal is back on the normal screen"
    );
    let gone = common::rt().block_on(common::exec::scalar_i64(&url, "SELECT count(*) FROM information_schema.columns WHERE table_name = 'users' AND column_name = 'name'"));
    assert_eq!(gone, 0, "the plan ran to completion");
}
