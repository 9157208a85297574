//! `tessera check --base-manifest X --manifest X` on the largest fixture, against the time
//! serde_json alone needs to parse the two files: checking every byte without building anything
//! (`IgnoredAny`, the target's baseline) and building a `Value` tree. `cargo bench --bench
//! manifest`; the end-to-end figures (hyperfine on the binary) are in benches/README.md.

use std::path::PathBuf;

use divan::Bencher;

fn main() {
    divan::main();
}

fn spellbook() -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/fixtures/dbt/spellbook_daily-v12-dbt1.10.23/manifest.json.gz");
    let gz = std::fs::read(&path).unwrap_or_default();
    let mut out = Vec::new();
    let _ = std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(&gz[..]), &mut out);
    out
}

/// The baseline: serde_json checking both files, one after the other, building nothing.
#[divan::bench(sample_count = 10)]
fn serde_json_bare_parse_two_files(bencher: Bencher) {
    let bytes = spellbook();
    bencher.bench(|| {
        let a = serde_json::from_slice::<serde::de::IgnoredAny>(divan::black_box(&bytes));
        let b = serde_json::from_slice::<serde::de::IgnoredAny>(divan::black_box(&bytes));
        (a.is_ok(), b.is_ok())
    });
}

/// serde_json parsing both files into `Value`s.
#[divan::bench(sample_count = 10)]
fn serde_json_parses_two_files(bencher: Bencher) {
    let bytes = spellbook();
    bencher.bench(|| {
        let a: serde_json::Value =
            serde_json::from_slice(divan::black_box(&bytes)).unwrap_or_default();
        let b: serde_json::Value =
            serde_json::from_slice(divan::black_box(&bytes)).unwrap_or_default();
        (a.is_null(), b.is_null())
    });
}

/// What Tessera does: read both manifests into contracts and classify the differences.
#[divan::bench(sample_count = 10)]
fn tessera_reads_and_compares_two_files(bencher: Bencher) {
    let bytes = spellbook();
    let settings = tessera::compat::Settings::new(tessera::contract::Date {
        year: 2026,
        month: 6,
        day: 1,
    });
    bencher.bench(|| {
        // One file per thread, as `check` reads them.
        let (a, b) = std::thread::scope(|s| {
            let a = s.spawn(|| tessera::dbt::parse_manifest(divan::black_box(&bytes)));
            let b = tessera::dbt::parse_manifest(divan::black_box(&bytes));
            (a.join().ok(), b)
        });
        let a = a.ok_or(()).and_then(|a| a.map_err(|_| ()));
        let b = b.map_err(|_| ());
        match (a, b) {
            (Ok(a), Ok(b)) => tessera::compat::diff(&a.relations, &b.relations, &settings)
                .findings
                .len(),
            _ => usize::MAX,
        }
    });
}
