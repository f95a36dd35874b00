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

/// Called once the rules are compiled. By default mimalloc hands freed pages back to the
/// system only after a delay, which would keep the garbage of rule compilation resident and
/// raise peak memory above glibc's. Purging on every free during compilation, though, costs
/// more system time than the compilation itself (a third of start-up). So compilation runs
/// with the default delay, its garbage is handed back here in one forced collection, and from
/// here on pages are purged as soon as they are freed, which keeps the per-document garbage of
/// the workers from piling up.
pub(crate) fn return_freed_memory() {
    // SAFETY: both calls take no pointers: mi_collect walks mimalloc's own heap of this thread,
    // mi_option_set stores a value that is read on each purge.
    unsafe {
        libmimalloc_sys::mi_collect(true);
        libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, 0);
    }
}

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
