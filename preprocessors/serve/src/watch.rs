//! Which file events are saves, and waiting for them.
//!
//! mdBook 0.5.4's native watcher rebuilds in a loop on Linux because notify
//! 8's inotify backend also subscribes to `IN_OPEN`, and mdBook's debouncer
//! passes every event on: each build opens the files it reads, and each open
//! is taken for an edit. Here only events that change a file count, and the
//! build folder is never watched.

use anyhow::{Context, Result};
use notify::event::{AccessKind, AccessMode, EventKind, ModifyKind};
use notify::{RecursiveMode, Watcher};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::time::Duration;

/// How long to wait after a save for the rest of it (editors write a file
/// in several steps, or several files at once).
const SETTLE: Duration = Duration::from_millis(20);

/// Whether an event of this kind changes what a build reads.
pub fn is_change(kind: &EventKind) -> bool {
    match kind {
        EventKind::Create(_) | EventKind::Remove(_) => true,
        // Permissions, ownership and times: not content.
        EventKind::Modify(ModifyKind::Metadata(_)) => false,
        EventKind::Modify(_) => true,
        // A file opened for writing was closed: the end of a save.
        EventKind::Access(AccessKind::Close(AccessMode::Write)) => true,
        // Opening and reading, which every build does.
        EventKind::Access(_) => false,
        EventKind::Any | EventKind::Other => false,
    }
}

/// Whether a changed path is an editor's scratch file rather than the book's.
pub fn is_scratch(path: &Path) -> bool {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    name.starts_with('.')
        || name.ends_with('~')
        || name.ends_with(".swp")
        || name.ends_with(".swx")
        || name == "4913"
}

/// Watches the book's inputs.
pub struct Watch {
    rx: Receiver<PathBuf>,
    _watcher: notify::RecommendedWatcher,
}

impl Watch {
    /// Watch `paths` (folders recursively, files alone), ignoring anything
    /// under `ignore`.
    pub fn new(paths: &[PathBuf], ignore: Vec<PathBuf>) -> Result<Watch> {
        let (tx, rx) = channel();
        let mut watcher = notify::recommended_watcher(move |res: notify::Result<notify::Event>| {
            let Ok(event) = res else { return };
            if !is_change(&event.kind) {
                return;
            }
            for path in event.paths {
                if !is_scratch(&path) && !ignore.iter().any(|i| path.starts_with(i)) {
                    let _ = tx.send(path);
                }
            }
        })
        .context("cannot start the file watcher")?;
        for p in paths {
            let mode = if p.is_dir() {
                RecursiveMode::Recursive
            } else {
                RecursiveMode::NonRecursive
            };
            watcher
                .watch(p, mode)
                .with_context(|| format!("cannot watch {}", p.display()))?;
        }
        Ok(Watch {
            rx,
            _watcher: watcher,
        })
    }

    /// Block until something changes, then return every path that changed
    /// until the files have been quiet for a moment; `None` when the watcher
    /// stopped.
    pub fn next_batch(&self) -> Option<Vec<PathBuf>> {
        let first = self.rx.recv().ok()?;
        let mut paths = vec![first];
        loop {
            match self.rx.recv_timeout(SETTLE) {
                Ok(p) => {
                    if !paths.contains(&p) {
                        paths.push(p);
                    }
                }
                Err(RecvTimeoutError::Timeout) => return Some(paths),
                Err(RecvTimeoutError::Disconnected) => return Some(paths),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use notify::event::{CreateKind, DataChange, MetadataKind};

    #[test]
    fn opening_and_reading_are_not_changes() {
        for kind in [
            EventKind::Access(AccessKind::Open(AccessMode::Any)),
            EventKind::Access(AccessKind::Read),
            EventKind::Access(AccessKind::Close(AccessMode::Read)),
            EventKind::Modify(ModifyKind::Metadata(MetadataKind::AccessTime)),
        ] {
            assert!(!is_change(&kind), "{kind:?}");
        }
        for kind in [
            EventKind::Create(CreateKind::File),
            EventKind::Modify(ModifyKind::Data(DataChange::Any)),
            EventKind::Access(AccessKind::Close(AccessMode::Write)),
        ] {
            assert!(is_change(&kind), "{kind:?}");
        }
    }

    #[test]
    fn a_save_is_seen_and_a_read_is_not() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("page.md");
        std::fs::write(&file, "a").unwrap();
        let watch = Watch::new(&[dir.path().to_path_buf()], vec![]).unwrap();
        let _ = std::fs::read_to_string(&file).unwrap();
        assert!(
            watch.rx.recv_timeout(Duration::from_millis(300)).is_err(),
            "a read was taken for a change"
        );
        std::fs::write(&file, "b").unwrap();
        let batch = watch.next_batch().unwrap();
        assert_eq!(batch, vec![file]);
    }
}
