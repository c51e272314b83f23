//! The `bellows` binary: everything lives in the library.

/// sqlparser's expression trees recurse when printed, visited and dropped; the reader caps
/// their depth (`bellows::sql::depth::MAX_DEPTH`) and the work runs on a stack with room
/// for about ten times that.
const STACK: usize = 64 << 20;

fn main() -> std::process::ExitCode {
    // Like other command-line tools, end quietly when the reader of our output goes away
    // (`bellows status plan.toml | head`) instead of panicking on a broken pipe.
    #[cfg(unix)]
    // SAFETY: restoring the default disposition of SIGPIPE before any thread starts.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    let work = std::thread::Builder::new()
        .name("bellows".into())
        .stack_size(STACK)
        .spawn(|| bellows::run(std::env::args_os()));
    match work {
        Ok(handle) => handle.join().unwrap_or(std::process::ExitCode::from(101)),
        Err(_) => bellows::run(std::env::args_os()),
    }
}
