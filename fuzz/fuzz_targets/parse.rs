//! Bytes → report: never panics, and the report agrees with itself.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(r) = fazhi::ingest::parse_bytes(data) {
        if let Err(e) = r.check_consistency() {
            panic!("inconsistent report: {e}");
        }
    }
});
