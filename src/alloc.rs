//! One allocator for the whole process: mimalloc, for Rust's allocations
//! (the global allocator below) and for SQLite's ([`set_up`]).
//!
//! Why: indexing allocates each report on a parsing thread and frees it on
//! the writer, and SQLite allocates and frees a small block for nearly
//! every value it binds or reads. glibc's allocator spent about a tenth of
//! an index run's CPU there, part of it waiting for the lock of another
//! thread's arena. The 10k-report bench corpus, five runs each with
//! `fazhi index` (medians): 4.62 s with glibc, 3.86 s with mimalloc for
//! Rust only, 3.58 s with SQLite's allocations in mimalloc too.
//!
//! Freed memory goes back to the system at once (`purge_delay` 0, where
//! mimalloc waits a second by default), except while indexing
//! ([`KeepFreedMemory`]): `fazhi pick` on the 100k-report bench index
//! peaked at 322 MB with the default, 260 MB with it, against 248 MB with
//! glibc.
//!
//! mimalloc is not made to replace `malloc` itself (its `override`
//! feature): linked statically that depends on the order the linker sees
//! the libraries in. SQLite is instead given mimalloc's functions through
//! its documented `SQLITE_CONFIG_MALLOC`.

use rusqlite::ffi;
use std::os::raw::{c_int, c_void};
use std::sync::OnceLock;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// mimalloc's `mi_option_purge_delay` (its v3, which the sys crate builds
/// by default, names no constant for it).
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// Sets the allocator up: freed memory returned at once, and SQLite
/// allocating with mimalloc, without counting its memory use
/// (`SQLITE_CONFIG_MEMSTATUS`, a mutex around every allocation; fazhi never
/// asks for the figure).
///
/// Call it first thing in `main`, before any other thread runs: SQLite can
/// be configured only before its first use, and `sqlite3_config` must not
/// run while another thread uses SQLite (one that was allocating with
/// SQLite's own allocator would later free its blocks with mimalloc's).
/// So the library never calls it: a program, or a test, that does not
/// keeps SQLite's own allocator. When SQLite was used first, it keeps its
/// own allocator and this returns false. Later calls return what the first
/// did.
pub fn set_up() -> bool {
    static DONE: OnceLock<bool> = OnceLock::new();
    *DONE.get_or_init(|| {
        // SAFETY: mi_option_set only stores the value.
        unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, 0) };
        let methods = ffi::sqlite3_mem_methods {
            xMalloc: Some(sqlite_malloc),
            xFree: Some(sqlite_free),
            xRealloc: Some(sqlite_realloc),
            xSize: Some(sqlite_size),
            xRoundup: Some(sqlite_roundup),
            xInit: Some(sqlite_init),
            xShutdown: Some(sqlite_shutdown),
            pAppData: std::ptr::null_mut(),
        };
        // SAFETY: sqlite3_config is called with the argument each option
        // documents: a pointer to an sqlite3_mem_methods, which SQLite
        // copies, and an int. Before SQLite's initialisation it changes
        // nothing but its settings; after it, it refuses (SQLITE_MISUSE)
        // and changes nothing. The functions obey SQLite's contract: 8-byte
        // aligned blocks (mimalloc aligns to 16), xSize of a block from
        // xMalloc or xRealloc, xRoundup at least its argument.
        unsafe {
            let malloc = ffi::sqlite3_config(ffi::SQLITE_CONFIG_MALLOC, &methods as *const ffi::sqlite3_mem_methods);
            if malloc != ffi::SQLITE_OK {
                return false;
            }
            ffi::sqlite3_config(ffi::SQLITE_CONFIG_MEMSTATUS, 0 as c_int);
        }
        true
    })
}

/// While one lives, freed memory is kept a second before it goes back to
/// the system (mimalloc's default): an index run frees and allocates the
/// same sizes batch after batch. (Loading the palette kept freed memory
/// too while it ran on one thread, 5–10% faster; on two threads it is as
/// fast without, and peaks 260 MB instead of 295–315 at 100k reports.)
/// When the last one is dropped, what was freed meanwhile goes back (the
/// writer's page cache, the reports that waited for it), since `fazhi
/// PATH` browses next in the same process, and the delay is put back as
/// it was. Guards may overlap, on several threads.
pub struct KeepFreedMemory(());

/// mimalloc's own purge delay, in milliseconds.
const DEFAULT_PURGE_DELAY: std::os::raw::c_long = 1000;

/// How many guards live, and the delay before the first.
static KEPT: std::sync::Mutex<(usize, std::os::raw::c_long)> = std::sync::Mutex::new((0, 0));

impl KeepFreedMemory {
    pub fn new() -> KeepFreedMemory {
        let mut kept = KEPT.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if kept.0 == 0 {
            // SAFETY: mi_option_get and mi_option_set only read and store
            // the value.
            unsafe {
                kept.1 = libmimalloc_sys::mi_option_get(MI_OPTION_PURGE_DELAY);
                libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, DEFAULT_PURGE_DELAY);
            }
        }
        kept.0 += 1;
        KeepFreedMemory(())
    }
}

impl Default for KeepFreedMemory {
    fn default() -> Self {
        Self::new()
    }
}

impl Drop for KeepFreedMemory {
    fn drop(&mut self) {
        let mut kept = KEPT.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        kept.0 -= 1;
        if kept.0 == 0 {
            // SAFETY: mi_option_set only stores the value.
            unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, kept.1) };
        }
        drop(kept);
        // SAFETY: mi_collect has no preconditions. It returns this
        // thread's freed memory, whoever else still keeps theirs.
        unsafe { libmimalloc_sys::mi_collect(true) };
    }
}

// SQLite asks for positive sizes only (its xMalloc and xRealloc contract).
unsafe extern "C" fn sqlite_malloc(n: c_int) -> *mut c_void {
    // SAFETY: any size may be asked of mi_malloc.
    unsafe { libmimalloc_sys::mi_malloc(n.max(1) as usize) }
}

unsafe extern "C" fn sqlite_free(p: *mut c_void) {
    // SAFETY: SQLite frees only what sqlite_malloc or sqlite_realloc gave.
    unsafe { libmimalloc_sys::mi_free(p) }
}

unsafe extern "C" fn sqlite_realloc(p: *mut c_void, n: c_int) -> *mut c_void {
    // SAFETY: as for sqlite_free; mi_realloc keeps p on failure, as SQLite
    // expects.
    unsafe { libmimalloc_sys::mi_realloc(p, n.max(1) as usize) }
}

unsafe extern "C" fn sqlite_size(p: *mut c_void) -> c_int {
    // SAFETY: p is a live block of ours (or null, which gives 0).
    let n = unsafe { libmimalloc_sys::mi_usable_size(p) };
    c_int::try_from(n).unwrap_or(c_int::MAX)
}

unsafe extern "C" fn sqlite_roundup(n: c_int) -> c_int {
    // SAFETY: mi_good_size only computes.
    let n = unsafe { libmimalloc_sys::mi_good_size(n.max(1) as usize) };
    c_int::try_from(n).unwrap_or(c_int::MAX)
}

unsafe extern "C" fn sqlite_init(_: *mut c_void) -> c_int {
    ffi::SQLITE_OK
}

unsafe extern "C" fn sqlite_shutdown(_: *mut c_void) {}
