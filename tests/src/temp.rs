//! Private temporary directories and files in them.

/// A fresh, empty directory under the system's temporary directory, removed on drop:
/// created with a random name and mode 0700 (`tempfile`), so nobody else can have made it
/// first or look inside.
#[derive(Debug)]
pub struct TempDir(tempfile::TempDir);

impl TempDir {
    /// Creates a directory whose name starts with `tag`.
    ///
    /// # Panics
    /// If the directory cannot be created.
    pub fn new(tag: &str) -> TempDir {
        let dir = tempfile::Builder::new()
            .prefix(&format!("ancillary-tests-{tag}-"))
            .tempdir()
            .expect("create temp dir");
        TempDir(dir)
    }

    /// The directory's path.
    pub fn path(&self) -> &std::path::Path {
        self.0.path()
    }
}

/// A file in `dir` holding `contents`, opened for reading.
///
/// # Panics
/// If it cannot be written or opened.
pub fn file_with(dir: &TempDir, name: &str, contents: &[u8]) -> std::fs::File {
    let path = dir.path().join(name);
    std::fs::write(&path, contents).expect("write temp file");
    std::fs::File::open(&path).expect("open temp file")
}
