//! Bytes → text: never panics, and what comes out carries nothing that
//! could drive a terminal.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(d) = fazhi::ingest::decode::decode(data) {
        assert!(
            !d.text.chars().any(|c| c == '\x1b' || c == '\u{9b}' || c == '\u{7}'),
            "a control sequence survived decoding"
        );
        assert!(!d.text.trim().is_empty());
    }
});
