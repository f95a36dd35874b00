//! The `assay` command: parse the arguments, run, map the outcome to an exit code
//! (0 ok, 1 some input or check failed, 2 usage or rule error).

mod cli;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let args = cli::Args::parse();
    match cli::run(args) {
        Ok(code) => code,
        Err(error) => {
            eprintln!("assay: {error:#}");
            cli::exit_code_for(&error)
        }
    }
}
