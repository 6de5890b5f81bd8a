//! The `handoff` command: parse the arguments, run the command, turn failures
//! into exit codes (0 ok, 2 bad input, 1 anything else). Everything else is in
//! [`cli`] and the library.

mod cli;

use std::process::ExitCode;

use clap::Parser as _;

fn main() -> ExitCode {
    // Bad arguments: clap prints the usage and exits with 2.
    let args = cli::Cli::parse();
    match cli::run(args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            // Not `eprint!`, which panics when standard error is a closed pipe.
            let _ = std::io::Write::write_all(&mut std::io::stderr(), failure.message().as_bytes());
            ExitCode::from(failure.exit_code())
        }
    }
}
