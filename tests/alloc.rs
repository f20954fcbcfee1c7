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
    assert!(fazhi::alloc::set_up());
    assert!(sqlite_block_is_mimallocs());
    drop(store);
}

#[test]
fn freed_memory_is_kept_only_while_indexing() {
    // mimalloc's purge delay (its option 15), in milliseconds.
    // SAFETY: mi_option_get only reads.
    let purge_delay = || unsafe { libmimalloc_sys::mi_option_get(15) };
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("index.db")).unwrap();
    assert_eq!(purge_delay(), 0);
    {
        let _kept = fazhi::alloc::KeepFreedMemory::new();
        assert_eq!(purge_delay(), 1000);
    }
    assert_eq!(purge_delay(), 0);
    let samples = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-data");
    let stats = store.index(&[samples], Default::default(), &mut |_| {}).unwrap();
    assert!(stats.new > 0);
    assert_eq!(purge_delay(), 0);
}
