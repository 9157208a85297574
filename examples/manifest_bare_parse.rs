//! The baseline of the manifest benchmark (benches/README.md): read each file, gunzip it when it
//! is gzip, and have serde_json check every byte of it without building anything
//! (`IgnoredAny`). Nothing can read a manifest faster than this, so `tessera check
//! --base-manifest A --manifest B` is measured against it.
//!
//! `cargo run --release --example manifest_bare_parse -- [--parallel] FILE...`

use std::io::Read;

fn bare_parse(path: &str) -> Result<(), String> {
    let bytes = std::fs::read(path).map_err(|e| format!("{path}: {e}"))?;
    let json = if bytes.starts_with(&[0x1f, 0x8b]) {
        let mut out = Vec::new();
        flate2::read::MultiGzDecoder::new(&bytes[..])
            .read_to_end(&mut out)
            .map_err(|e| format!("{path}: {e}"))?;
        out
    } else {
        bytes
    };
    serde_json::from_slice::<serde::de::IgnoredAny>(&json)
        .map(|_| ())
        .map_err(|e| format!("{path}: {e}"))
}

fn main() -> std::process::ExitCode {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let parallel = args.first().is_some_and(|a| a == "--parallel");
    if parallel {
        args.remove(0);
    }
    let results: Vec<Result<(), String>> = if parallel {
        std::thread::scope(|s| {
            let handles: Vec<_> = args
                .iter()
                .map(|p| s.spawn(move || bare_parse(p)))
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().unwrap_or_else(|_| Err("a thread panicked".into())))
                .collect()
        })
    } else {
        args.iter().map(|p| bare_parse(p)).collect()
    };
    let mut status = std::process::ExitCode::SUCCESS;
    for r in results {
        if let Err(e) = r {
            eprintln!("{e}");
            status = std::process::ExitCode::FAILURE;
        }
    }
    status
}
