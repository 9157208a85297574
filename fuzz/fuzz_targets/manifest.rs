//! dbt `manifest.json` (plain or gzip): any bytes must parse or fail, never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = tessera::dbt::parse_manifest(data);
});
