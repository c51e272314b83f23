//! The `bellows` binary: everything lives in the library.

fn main() -> std::process::ExitCode {
    bellows::run(std::env::args_os())
}
