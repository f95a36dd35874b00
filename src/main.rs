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

/// How long memory freed while documents are analysed stays with the process, in milliseconds.
/// Every document allocates and frees about as much as the one before it: handed back at once,
/// the same pages were faulted in and zeroed by the kernel again for each document (a tenth of
/// the run); kept this long, they are reused, and what the process holds grows only by what is
/// freed within the delay.
const DOCUMENT_PURGE_DELAY_MS: std::ffi::c_long = 100;

/// How long memory freed while the rules are compiled stays with the process, in milliseconds.
///
/// Compiling the rules frees much of what it builds: above all the state lists of the regex
/// compilers, which grow by doubling and are copied at each step. Handed back at once (a delay
/// of 0), every step of that growth faulted in fresh pages that the kernel had to zero: 72,000
/// page faults and about 40% of start-up's CPU time went to the kernel. Kept for mimalloc's
/// default 10 ms, the freed blocks are reused by the next growth and the faults drop to 28,000;
/// peak memory on one small file grows from 75 to 89 MB (from 81 to 96 MB on two threads), still
/// far below what the documents of a corpus run add. Longer delays saved few more faults and
/// cost more peak memory (100 ms: 22,000 faults, 100 and 117 MB).
const COMPILE_PURGE_DELAY_MS: std::ffi::c_long = 10;

/// Set before the rules are compiled (see [`COMPILE_PURGE_DELAY_MS`]).
///
/// Transparent huge pages are turned off for the process: mimalloc asks for them on its arenas,
/// and a 2 MB page counts whole in the resident memory however little of it is in use, which
/// added about 20 MB to the peak (the compiled rules are many mid-sized allocations, and each
/// thread's regex caches grow piecemeal).
fn tune_allocator() {
    disable_huge_pages();
    // SAFETY: mi_option_set only stores the value; the option is read on each purge.
    unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, COMPILE_PURGE_DELAY_MS) }
}

fn disable_huge_pages() {
    #[cfg(target_os = "linux")]
    // SAFETY: PR_SET_THP_DISABLE takes one integer argument and only sets a flag on the process;
    // on failure (an old kernel) nothing changes, which is fine.
    unsafe {
        libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0);
    }
}

/// Set once the rules are compiled, before the documents are analysed (see
/// [`DOCUMENT_PURGE_DELAY_MS`]).
pub(crate) fn tune_allocator_for_documents() {
    // SAFETY: as in `tune_allocator`.
    unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, DOCUMENT_PURGE_DELAY_MS) }
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
        assert_eq!(read(), COMPILE_PURGE_DELAY_MS);
        tune_allocator_for_documents();
        assert_eq!(read(), DOCUMENT_PURGE_DELAY_MS);
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn transparent_huge_pages_are_off() {
        disable_huge_pages();
        // SAFETY: PR_GET_THP_DISABLE takes no argument and only reads the flag.
        assert_eq!(unsafe { libc::prctl(libc::PR_GET_THP_DISABLE, 0, 0, 0, 0) }, 1);
    }
}
