//! The store's directory and files, private to the user running Hallpass.
//!
//! Without an encryption key the database holds the signing keys as plain
//! PEM, so whoever can read it can mint tokens. The directory is created
//! `0700` and the database file `0600` before SQLite opens it; SQLite
//! creates its `-wal` and `-shm` files with the database file's
//! permissions. A store that already exists keeps its permissions (they
//! are the operator's), and [`exposed_paths`] lists what others may read.

use std::path::{Path, PathBuf};

/// Permission bits for group and others.
#[cfg(unix)]
const GROUP_OR_OTHERS: u32 = 0o077;

/// Creates `dir` and its missing parents, accessible to this user only.
pub(crate) fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)
}

/// Creates the empty database file at `path`, readable and writable by
/// this user only, unless it exists. (SQLite takes an empty file for an
/// empty database.)
pub(crate) fn create_private_file(path: &Path) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    match options.open(path) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(e),
    }
}

/// A directory or file of the store that group or others may access.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExposedPath {
    pub path: PathBuf,
    /// The permission bits, e.g. `0o644`.
    pub mode: u32,
    pub is_dir: bool,
}

impl ExposedPath {
    /// The mode that keeps others out: `0700` for the directory, `0600`
    /// for a file.
    pub fn private_mode(&self) -> u32 {
        if self.is_dir { 0o700 } else { 0o600 }
    }
}

/// The store at `path`: its directory, its database file and the `-wal` and
/// `-shm` files beside it, those of them that exist and that group or
/// others may access. Always empty where permissions are not Unix modes.
pub fn exposed_paths(path: &Path) -> Vec<ExposedPath> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mut candidates = Vec::with_capacity(4);
        if let Some(dir) = path.parent() {
            let dir = if dir.as_os_str().is_empty() {
                Path::new(".")
            } else {
                dir
            };
            candidates.push(dir.to_path_buf());
        }
        candidates.push(path.to_path_buf());
        for suffix in ["-wal", "-shm"] {
            let mut name = path.as_os_str().to_owned();
            name.push(suffix);
            candidates.push(PathBuf::from(name));
        }
        candidates
            .into_iter()
            .filter_map(|path| {
                let meta = std::fs::metadata(&path).ok()?;
                let mode = meta.permissions().mode() & 0o7777;
                (mode & GROUP_OR_OTHERS != 0).then(|| ExposedPath {
                    is_dir: meta.is_dir(),
                    path,
                    mode,
                })
            })
            .collect()
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        Vec::new()
    }
}

#[cfg(all(test, unix))]
mod tests {
    #![allow(clippy::unwrap_used)]
    use std::os::unix::fs::PermissionsExt as _;

    use super::*;
    use crate::SqliteStore;

    /// The mode in octal, as `ls -l` and `chmod` speak.
    fn mode(path: &Path) -> String {
        format!(
            "{:o}",
            std::fs::metadata(path).unwrap().permissions().mode() & 0o7777
        )
    }

    fn chmod(path: &Path, mode: u32) {
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
    }

    #[test]
    fn a_new_store_is_private_and_exposes_nothing() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("a").join("data");
        let db = dir.join("hallpass.sqlite3");
        let _store = SqliteStore::open(&db).unwrap();
        assert_eq!(mode(&tmp.path().join("a")), "700");
        assert_eq!(mode(&dir), "700");
        assert_eq!(mode(&db), "600");
        // Open in WAL mode: SQLite made its files like the database file.
        for suffix in ["-wal", "-shm"] {
            let path = dir.join(format!("hallpass.sqlite3{suffix}"));
            assert_eq!(mode(&path), "600", "{}", path.display());
        }
        assert_eq!(exposed_paths(&db), []);
    }

    #[test]
    fn an_existing_store_keeps_its_modes_and_its_exposure_is_listed() {
        let tmp = tempfile::tempdir().unwrap();
        let db = tmp.path().join("hallpass.sqlite3");
        drop(SqliteStore::open(&db).unwrap());
        chmod(tmp.path(), 0o755);
        chmod(&db, 0o640);
        let _store = SqliteStore::open(&db).unwrap();
        assert_eq!(mode(&db), "640", "an existing file is left as it is");
        let exposed = exposed_paths(&db);
        assert_eq!(exposed.len(), 4, "{exposed:?}");
        assert_eq!(
            exposed
                .iter()
                .map(|e| (e.mode, e.is_dir))
                .collect::<Vec<_>>()[..2],
            [(0o755, true), (0o640, false)]
        );
        assert_eq!(exposed[0].path, tmp.path());
        assert_eq!(exposed[0].private_mode(), 0o700);
        assert_eq!(exposed[1].path, db);
        assert_eq!(exposed[1].private_mode(), 0o600);
        // The -wal and -shm files SQLite made take the database's mode.
        for (e, suffix) in exposed[2..].iter().zip(["-wal", "-shm"]) {
            assert_eq!(e.path, tmp.path().join(format!("hallpass.sqlite3{suffix}")));
            assert_eq!((e.mode, e.is_dir, e.private_mode()), (0o640, false, 0o600));
        }
    }
}
