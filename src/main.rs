//! The `assay` command: parse the arguments, run, map the outcome to an exit code
//! (0 ok, 1 some input or check failed, 2 usage or rule error).

mod cli;

use std::process::ExitCode;

use clap::Parser;

/// mimalloc rather than the system allocator: compiling the rules builds and frees millions of
/// small values and the stages allocate many short-lived ones per document; with mimalloc's
/// per-thread free lists that costs a fraction of glibc's malloc (a fifth fewer instructions
/// at start-up), and worker threads never contend for an arena.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// mimalloc's `mi_option_purge_delay`, by its place in `mi_option_e` (mimalloc 2, as vendored
/// by the libmimalloc-sys version pinned in Cargo.toml, which does not name it).
const MI_OPTION_PURGE_DELAY: std::ffi::c_int = 15;

/// By default mimalloc hands freed pages back to the system only after a delay, which keeps
/// the garbage of rule compilation resident: more peak memory than glibc. Purging at once
/// costs a little system time and brings peak memory below glibc's.
fn tune_allocator() {
    // SAFETY: mi_option_set only stores the value; the option is read on each purge.
    unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, 0) }
}

fn main() -> ExitCode {
    tune_allocator();
    let args = cli::Args::parse();
    match cli::run(args) {
        Ok(code) => code,
        Err(error) => {
            eprintln!("assay: {error:#}");
            cli::exit_code_for(&error)
        }
    }
}
