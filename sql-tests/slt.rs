//! Runs quarry's own sqllogictest files (`sql-tests/slt/*.slt`) through the
//! `quarry slt` runner, and checks that the runner reports a wrong answer.

use quarry::slt::run_files;
use std::path::PathBuf;

#[test]
fn own_sqllogictest_files_pass() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("sql-tests/slt");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "slt"))
        .collect();
    files.sort();
    let mut out = Vec::new();
    let summary = run_files(&files, &mut out).unwrap();
    let text = String::from_utf8_lossy(&out);
    assert_eq!(summary.failed, 0, "{text}");
    assert!(summary.passed >= 20, "{text}");
    assert!(text.ends_with(&format!("{} passed, 0 failed\n", summary.passed)));
}

#[test]
fn wrong_expectation_is_reported_with_location() {
    let path = std::env::temp_dir().join("quarry_wrong_answer.slt");
    std::fs::write(
        &path,
        "query I\nSELECT 1 + 1\n----\n3\n\nquery I\nSELECT 2\n----\n2\n",
    )
    .unwrap();
    let mut out = Vec::new();
    let summary = run_files(&[&path], &mut out).unwrap();
    let text = String::from_utf8_lossy(&out);
    assert_eq!((summary.passed, summary.failed), (1, 1), "{text}");
    assert!(text.contains("quarry_wrong_answer.slt:1"), "{text}");
    assert!(text.contains("expected:\n  3\ngot:\n  2"), "{text}");
    assert!(text.ends_with("1 passed, 1 failed\n"), "{text}");
}
