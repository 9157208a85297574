//! `tessera.yaml`: any text must parse or fail with a diagnostic, never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // The CLI reads the file as UTF-8 before parsing; invalid UTF-8 never reaches the parser.
    if let Ok(src) = std::str::from_utf8(data) {
        let _ = tessera::config::parse(src, "tessera.yaml");
    }
});
