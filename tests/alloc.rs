//! SQLite allocates with mimalloc once fazhi has opened an index (see
//! `fazhi::alloc`). Its own test binary: SQLite can be configured only
//! before its first use in a process.

use fazhi::store::Store;

/// Whether SQLite's allocator hands out blocks from mimalloc's heap.
fn sqlite_block_is_mimallocs() -> bool {
    // SAFETY: a block from sqlite3_malloc is freed with sqlite3_free, and
    // only its address is looked at in between.
    unsafe {
        let p = rusqlite::ffi::sqlite3_malloc(100);
        assert!(!p.is_null());
        let ours = libmimalloc_sys::mi_is_in_heap_region(p);
        rusqlite::ffi::sqlite3_free(p);
        ours
    }
}

#[test]
fn sqlite_allocates_with_mimalloc_after_an_index_is_opened() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("index.db")).unwrap();
    assert!(sqlite_block_is_mimallocs());
    // Later calls say what the first did, and change nothing.
    assert!(fazhi::alloc::use_for_sqlite());
    assert!(sqlite_block_is_mimallocs());
    drop(store);
}
