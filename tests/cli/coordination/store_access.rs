//! Stores tessera cannot write: an unknown `--store` scheme, a read-only store, a full disk.
//! Each gets its own message, and the reading commands keep working on a read-only store.

use std::path::{Path, PathBuf};

use super::support::{World, edit, tools_present};
use crate::common::{code, stderr, stdout};

#[test]
fn an_unknown_store_scheme_is_a_usage_error_not_a_file() {
    if !tools_present() {
        return;
    }
    let w = World::new();
    for command in [&["sync"][..], &["assets"], &["check"]] {
        let o = w
            .cmd(&w.bi)
            .args(["--store", "mysql://x"])
            .args(command)
            .output()
            .expect("runs");
        assert_eq!(code(&o), 2, "{command:?}: {}{}", stdout(&o), stderr(&o));
        let err = stderr(&o);
        assert!(err.contains("`mysql`"), "{err}");
        assert!(
            err.contains("sqlite:PATH") && err.contains("tessera serve"),
            "{err}"
        );
        assert!(
            !w.bi.path().join("mysql:").exists(),
            "a file named `mysql:` was created"
        );
    }
}

/// A directory that tessera may not write: a read-only tmpfs mount when running as root (root
/// ignores file modes), else modes 0444/0555. Restored (unmounted or made writable) on drop.
struct ReadOnlyDir {
    dir: PathBuf,
    mounted: bool,
}

fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions and cannot fail.
    unsafe { libc::geteuid() == 0 }
}

fn sh(script: &str) -> bool {
    std::process::Command::new("sh")
        .args(["-c", script])
        .status()
        .is_ok_and(|s| s.success())
}

fn mount_tmpfs(dir: &Path, size: &str) -> bool {
    std::fs::create_dir_all(dir).expect("mkdir");
    sh(&format!(
        "mount -t tmpfs -o size={size} tmpfs '{}' 2>/dev/null",
        dir.display()
    ))
}

impl ReadOnlyDir {
    /// A read-only directory holding a copy of `store`; `None` (with the reason printed) when
    /// this machine cannot make one.
    fn with_copy_of(store: &Path, dir: PathBuf) -> Option<ReadOnlyDir> {
        if is_root() {
            if !mount_tmpfs(&dir, "8m") {
                eprintln!("skipped: running as root, and mounting a tmpfs is not permitted here");
                return None;
            }
            std::fs::copy(store, dir.join("store.db")).expect("copy");
            assert!(
                sh(&format!("mount -o remount,ro '{}'", dir.display())),
                "remount read-only"
            );
            return Some(ReadOnlyDir { dir, mounted: true });
        }
        std::fs::create_dir_all(&dir).expect("mkdir");
        std::fs::copy(store, dir.join("store.db")).expect("copy");
        set_mode(&dir.join("store.db"), 0o444);
        set_mode(&dir, 0o555);
        Some(ReadOnlyDir {
            dir,
            mounted: false,
        })
    }

    fn store(&self) -> String {
        format!("sqlite:{}", self.dir.join("store.db").display())
    }
}

fn set_mode(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).expect("chmod");
}

impl Drop for ReadOnlyDir {
    fn drop(&mut self) {
        if self.mounted {
            sh(&format!("umount '{}'", self.dir.display()));
        } else {
            set_mode(&self.dir, 0o755);
        }
    }
}

#[test]
fn reading_commands_work_on_a_read_only_store_and_writes_say_why_not() {
    if !tools_present() {
        return;
    }
    let w = World::new();
    w.propose_id();
    // A WAL store whose last writer has gone: no -wal or -shm beside it, as CI caches hold it.
    let Some(ro) = ReadOnlyDir::with_copy_of(&w.db_path(), w.dir.path().join("ro")) else {
        return;
    };
    for args in [
        &["assets"][..],
        &["consumers", "marts.orders"],
        &["verify"],
        &["proposals", "list"],
        &["status"],
        &["graph"],
        &["signers", "export"],
    ] {
        let o = w
            .cmd(&w.shop)
            .env("TESSERA_STORE", ro.store())
            .args(args)
            .output()
            .expect("runs");
        assert_eq!(code(&o), 0, "{args:?} on a read-only store: {}", stderr(&o));
        assert!(!stdout(&o).is_empty(), "{args:?}");
    }
    let status = w
        .cmd(&w.shop)
        .env("TESSERA_STORE", ro.store())
        .args(["status"])
        .output()
        .expect("runs");
    assert!(
        stdout(&status).contains("proposals 1"),
        "{}",
        stdout(&status)
    );

    // A write on it: its own message, not "unexpected, report it".
    edit(&w.bi, "tessera.yaml", "name: Bo Chen", "name: Bo C.");
    w.bi.commit("Bo's name, shorter");
    let o = w
        .cmd(&w.bi)
        .env("TESSERA_STORE", ro.store())
        .args(["sync"])
        .output()
        .expect("runs");
    assert_eq!(code(&o), 2, "{}{}", stdout(&o), stderr(&o));
    let err = stderr(&o);
    assert!(err.contains("tessera::store::read_only"), "{err}");
    assert!(err.contains("is read-only"), "{err}");
    assert!(!err.contains("unexpected"), "{err}");
}

#[test]
fn a_full_disk_gets_its_own_message_and_leaves_the_store_as_it_was() {
    if !tools_present() {
        return;
    }
    if !is_root() {
        eprintln!("skipped: filling a disk needs a tmpfs mount, which needs root");
        return;
    }
    let w = World::new();
    let dir = w.dir.path().join("full");
    if !mount_tmpfs(&dir, "1m") {
        eprintln!("skipped: mounting a tmpfs is not permitted here");
        return;
    }
    struct Unmount(PathBuf);
    impl Drop for Unmount {
        fn drop(&mut self) {
            sh(&format!("umount '{}'", self.0.display()));
        }
    }
    let _unmount = Unmount(dir.clone());
    std::fs::copy(w.db_path(), dir.join("store.db")).expect("copy");
    // Fill what is left; dd stops at ENOSPC.
    sh(&format!(
        "dd if=/dev/zero of='{}' bs=4k 2>/dev/null",
        dir.join("fill").display()
    ));
    let store = format!("sqlite:{}", dir.join("store.db").display());
    edit(&w.bi, "tessera.yaml", "name: Bo Chen", "name: Bo C.");
    w.bi.commit("Bo's name, shorter");
    let o = w
        .cmd(&w.bi)
        .env("TESSERA_STORE", &store)
        .args(["sync"])
        .output()
        .expect("runs");
    assert_eq!(code(&o), 2, "{}{}", stdout(&o), stderr(&o));
    let err = stderr(&o);
    assert!(err.contains("tessera::store::disk_full"), "{err}");
    assert!(!err.contains("unexpected"), "{err}");

    std::fs::remove_file(dir.join("fill")).expect("free the disk");
    let o = w
        .cmd(&w.bi)
        .env("TESSERA_STORE", &store)
        .args(["sync"])
        .output()
        .expect("runs");
    assert_eq!(code(&o), 0, "with room again: {}", stderr(&o));
    assert!(stdout(&o).contains("bi → "), "{}", stdout(&o));
}
