//! Output files are written whole or not at all: into a temporary file in the same directory,
//! then renamed over the target, so an interrupted run never leaves half a file behind.
//!
//! Only a regular file (or a missing one) is replaced that way. An output that is a device, a
//! pipe or a terminal (`-o /dev/null`, `-o /dev/stdout`, a named pipe) has no content to keep
//! whole, and renaming over it would put a regular file in its place; it is written to directly.
//! A symbolic link is followed, so that the file it points to is replaced and the link stays.

use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};

/// An output file being written: a temporary file renamed over the target by
/// [`commit`](OutputFile::commit), or the target itself where it is not a regular file.
#[derive(Debug)]
pub struct OutputFile {
    inner: Inner,
}

#[derive(Debug)]
enum Inner {
    Replacing { temporary: tempfile::NamedTempFile, target: PathBuf },
    Direct(File),
}

impl OutputFile {
    /// Starts writing `path`.
    pub fn create(path: &Path) -> std::io::Result<OutputFile> {
        let inner = match std::fs::metadata(path) {
            Ok(metadata) if !metadata.is_file() && !metadata.is_dir() => {
                Inner::Direct(File::options().write(true).truncate(true).open(path)?)
            }
            Ok(_) if path.is_symlink() => replacing(&std::fs::canonicalize(path)?)?,
            _ => replacing(path)?,
        };
        Ok(OutputFile { inner })
    }

    /// Puts what was written in place of the target.
    pub fn commit(self) -> std::io::Result<()> {
        match self.inner {
            Inner::Replacing { temporary, target } => {
                temporary.persist(target).map_err(|error| error.error)?;
            }
            Inner::Direct(mut file) => file.flush()?,
        }
        Ok(())
    }
}

/// A temporary file in the directory `target` lives in, to be renamed over it.
fn replacing(target: &Path) -> std::io::Result<Inner> {
    let dir = target.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    Ok(Inner::Replacing { temporary: tempfile::NamedTempFile::new_in(dir)?, target: target.to_path_buf() })
}

impl Write for OutputFile {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        match &mut self.inner {
            Inner::Replacing { temporary, .. } => temporary.write(bytes),
            Inner::Direct(file) => file.write(bytes),
        }
    }

    /// Passed on, so that records gathered by the caller reach the file in one system call
    /// instead of one per record, without being copied together first.
    fn write_vectored(&mut self, bufs: &[std::io::IoSlice<'_>]) -> std::io::Result<usize> {
        match &mut self.inner {
            Inner::Replacing { temporary, .. } => temporary.write_vectored(bufs),
            Inner::Direct(file) => file.write_vectored(bufs),
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        match &mut self.inner {
            Inner::Replacing { temporary, .. } => temporary.flush(),
            Inner::Direct(file) => file.flush(),
        }
    }
}

/// Writes `bytes` to `path` whole (see the module documentation).
pub fn write(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut file = OutputFile::create(path)?;
    file.write_all(bytes)?;
    file.commit()
}

#[cfg(test)]
mod tests {
    use std::io::Read;

    #[test]
    fn replaces_the_file_and_leaves_no_temporary_behind() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.txt");
        std::fs::write(&path, "old").unwrap();
        super::write(&path, b"new").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "new");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn a_half_written_file_leaves_the_old_one_in_place() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.txt");
        std::fs::write(&path, "old").unwrap();
        let mut file = super::OutputFile::create(&path).unwrap();
        std::io::Write::write_all(&mut file, b"half").unwrap();
        drop(file);
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "old");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[cfg(unix)]
    #[test]
    fn a_link_is_followed_and_kept() {
        let dir = tempfile::tempdir().unwrap();
        let (target, link) = (dir.path().join("records.jsonl"), dir.path().join("latest.jsonl"));
        std::fs::write(&target, "old").unwrap();
        std::os::unix::fs::symlink(&target, &link).unwrap();
        super::write(&link, b"new").unwrap();
        assert!(link.is_symlink());
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "new");
    }

    #[cfg(unix)]
    #[test]
    fn a_named_pipe_is_written_to_and_stays_a_pipe() {
        use std::os::unix::fs::FileTypeExt;
        let dir = tempfile::tempdir().unwrap();
        let pipe = dir.path().join("records.pipe");
        let name = std::ffi::CString::new(pipe.to_str().unwrap()).unwrap();
        // SAFETY: mkfifo reads the NUL-terminated path and creates the pipe; nothing else.
        assert_eq!(unsafe { libc::mkfifo(name.as_ptr(), 0o600) }, 0);
        let reader = {
            let pipe = pipe.clone();
            std::thread::spawn(move || {
                let mut read = String::new();
                std::fs::File::open(pipe).unwrap().read_to_string(&mut read).unwrap();
                read
            })
        };
        super::write(&pipe, b"{\"id\":1}\n").unwrap();
        // Checked before the reader is joined: had the pipe been replaced, it could wait forever.
        assert!(std::fs::symlink_metadata(&pipe).unwrap().file_type().is_fifo());
        assert_eq!(reader.join().unwrap(), "{\"id\":1}\n");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }
}
