//! The allocator set-up of `fazhi::alloc`, as the binary does it first
//! thing in `main`. Its own test binary, and one test: SQLite can be
//! configured only before its first use in a process, and with no other
//! thread using it.

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

/// mimalloc's purge delay (its option 15), in milliseconds.
fn purge_delay() -> std::os::raw::c_long {
    // SAFETY: mi_option_get only reads.
    unsafe { libmimalloc_sys::mi_option_get(15) }
}

#[test]
fn sqlite_allocates_with_mimalloc_and_memory_is_kept_only_while_indexing() {
    assert!(fazhi::alloc::set_up());
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("index.db")).unwrap();
    assert!(sqlite_block_is_mimallocs());
    // Later calls say what the first did, and change nothing.
    assert!(fazhi::alloc::set_up());
    assert!(sqlite_block_is_mimallocs());

    // Freed memory goes back at once, but during an index run.
    assert_eq!(purge_delay(), 0);
    {
        let _kept = fazhi::alloc::KeepFreedMemory::new();
        assert_eq!(purge_delay(), 1000);
    }
    assert_eq!(purge_delay(), 0);
    // Guards that overlap, on two threads, dropped in either order: the
    // delay is back only when the last one goes.
    let first = fazhi::alloc::KeepFreedMemory::new();
    let second = std::thread::spawn(fazhi::alloc::KeepFreedMemory::new).join().unwrap();
    drop(first);
    assert_eq!(purge_delay(), 1000);
    drop(second);
    assert_eq!(purge_delay(), 0);
    let samples = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-data");
    let stats = store.index(&[samples], Default::default(), &mut |_| {}).unwrap();
    assert!(stats.new > 0);
    assert_eq!(purge_delay(), 0);
    // Loading the palette (on two threads) leaves the delay as it was.
    store.palette().unwrap();
    assert_eq!(purge_delay(), 0);
    assert!(sqlite_block_is_mimallocs());
}
