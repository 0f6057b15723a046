//! Replays the committed fuzz corpus (`fuzz/corpus/<target>/`) through the same checks the
//! fuzz targets run, as an ordinary test: every input that once found new coverage stays
//! a regression test without a nightly or cargo-fuzz.

#[path = "../../fuzz/src/lib.rs"]
#[allow(
    dead_code,
    reason = "shared with the fuzz crate, where everything is used"
)]
mod checks;

use std::path::PathBuf;

/// Under Miri, which interprets every instruction, only this many inputs of each corpus
/// run (spread evenly over the sorted files), and the edge cases take fewer offsets and
/// sizes: the whole corpus takes Miri well over ten minutes. Natively everything runs.
const MIRI_SAMPLE: usize = 6;

/// The offsets (or sizes) in `0..n` to try: all natively, a spread few under Miri.
fn spread(n: u8) -> impl Iterator<Item = u8> {
    let step = if cfg!(miri) { n.div_ceil(4).max(1) } else { 1 };
    (0..n).step_by(usize::from(step))
}

/// Runs `check` on every file of `fuzz/corpus/<target>`, and fails if there are none.
fn replay(target: &str, check: fn(&[u8])) {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../fuzz/corpus")
        .join(target);
    let mut entries: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|err| panic!("{}: {err}", dir.display()))
        .map(|entry| entry.expect("directory entry").path())
        .collect();
    entries.sort();
    assert!(!entries.is_empty(), "no corpus in {}", dir.display());
    let stride = if cfg!(miri) {
        entries.len().div_ceil(MIRI_SAMPLE)
    } else {
        1
    };
    let mut replayed = 0;
    for path in entries.iter().step_by(stride) {
        replayed += 1;
        let input = std::fs::read(path).expect("read corpus file");
        let name = path.file_name().unwrap_or_default().to_string_lossy();
        if let Err(panic) = std::panic::catch_unwind(|| check(&input)) {
            eprintln!(
                "{target}: corpus input {name} ({} bytes) failed",
                input.len()
            );
            std::panic::resume_unwind(panic);
        }
    }
    println!("{target}: {replayed} of {} inputs replayed", entries.len());
}

#[test]
fn parse_corpus() {
    replay("parse", checks::check_parse);
}

#[test]
fn differential_corpus() {
    replay("differential", checks::check_differential);
}

#[test]
fn roundtrip_corpus() {
    replay("roundtrip", checks::check_roundtrip);
}

/// Hand-written inputs for the edge cases the fuzzers found or the checks document, run
/// even with an empty corpus.
#[test]
fn documented_edge_cases() {
    let header = |len: u64, level: i32, ty: i32| {
        let mut h = Vec::new();
        h.extend_from_slice(&len.to_ne_bytes());
        h.extend_from_slice(&level.to_ne_bytes());
        h.extend_from_slice(&ty.to_ne_bytes());
        h
    };
    // (Laid out for 64-bit glibc; elsewhere they are just other bytes, which every check
    // must take too.)
    let inputs: Vec<Vec<u8>> = vec![
        vec![],
        vec![0; 64],            // cmsg_len 0: no message, no endless loop
        header(u64::MAX, 1, 1), // cmsg_len near usize::MAX
        header(17, 1, 1),       // runs past the end
        [header(20, 1, 1), vec![1; 4], header(0, 0, 0)].concat(), // a later cmsg_len 0
        [header(21, 1, 1), vec![1; 5]].concat(), // last padding cut
        [header(20, 1, 1), vec![1; 4], header(1000, 1, 1)].concat(), // a later one past the end
    ];
    for input in &inputs {
        checks::check_differential(input);
        for offset in spread(16) {
            checks::check_parse(&[&[offset][..], input].concat());
        }
        checks::check_roundtrip(input);
    }
    // Fixed storage of every small size, at every offset, filled past its end.
    for size in spread(65) {
        for offset in spread(16) {
            let mut program = vec![1, offset, size];
            for k in 0..40u8 {
                program.extend_from_slice(&[k.wrapping_mul(37) | 0x80, 1, 2, 8, 9, 9, 9]);
            }
            checks::check_roundtrip(&program);
        }
    }
}

#[test]
fn recvmsg_out_corpus() {
    replay("recvmsg_out", checks::check_recvmsg_out);
}
