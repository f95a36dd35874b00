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

#[cfg(test)]
mod tests {
    use super::*;

    /// The option number is not named by the crate, so a shift in mimalloc's option list would
    /// silently tune another option: its default (10 ms, unlike its neighbours' 1 and 0) and
    /// the effect of tuning it pin it down.
    #[test]
    fn the_purge_delay_option_number_names_the_purge_delay() {
        // SAFETY: mi_option_get only reads a stored value.
        let read = || unsafe { libmimalloc_sys::mi_option_get(MI_OPTION_PURGE_DELAY) };
        if std::env::var_os("MIMALLOC_PURGE_DELAY").is_none() {
            assert_eq!(read(), 10);
        }
        tune_allocator();
        assert_eq!(read(), 0);
    }
}
