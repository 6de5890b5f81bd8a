//! Every README block that shows output is what the program prints.
//!
//! A block to check is a ```` ```text ```` block right after a comment
//! `<!-- check: handoff ARGS -->` (or `<!-- check (file NAME): handoff ARGS -->`
//! when the command writes NAME instead of printing). The block's lines must
//! appear in the output in order and together, except that a line `…` stands
//! for any number of lines and a line ending in `…` for any line starting with
//! what comes before it.

use assert_cmd::Command;

const BIN: &str = env!("CARGO_BIN_EXE_handoff");

struct Check {
    line: usize,
    file: Option<String>,
    args: Vec<String>,
    expected: Vec<String>,
}

/// Split a command line as a POSIX shell would, for the quoting the README uses.
pub(crate) fn split(command: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut quote: Option<char> = None;
    for c in command.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), c) => word.push(c),
            (None, '\'' | '"') => {
                quote = Some(c);
                in_word = true;
            }
            (None, c) if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            (None, c) => {
                word.push(c);
                in_word = true;
            }
        }
    }
    if in_word {
        words.push(word);
    }
    words
}

fn checks(readme: &str) -> Vec<Check> {
    let lines: Vec<&str> = readme.lines().collect();
    let mut out = Vec::new();
    for (i, l) in lines.iter().enumerate() {
        let Some(rest) = l.strip_prefix("<!-- check") else {
            continue;
        };
        let rest = rest
            .strip_suffix("-->")
            .expect("a check comment on one line");
        let (file, command) = rest.split_once(':').expect("check: COMMAND");
        let file = file
            .trim()
            .strip_prefix("(file ")
            .and_then(|f| f.strip_suffix(')'))
            .map(str::to_owned);
        let mut args = split(command);
        assert_eq!(args.remove(0), "handoff", "README line {}", i + 1);
        assert_eq!(
            lines[i + 1],
            "```text",
            "README line {}: a text block follows",
            i + 2
        );
        let expected = lines[i + 2..]
            .iter()
            .take_while(|l| **l != "```")
            .map(|l| l.to_string())
            .collect();
        out.push(Check {
            line: i + 1,
            file,
            args,
            expected,
        });
    }
    out
}

fn line_matches(expected: &str, actual: &str) -> bool {
    match expected.strip_suffix('…') {
        Some(prefix) => actual.starts_with(prefix),
        None => expected == actual,
    }
}

/// `expected` matches `actual` from its first line on.
fn matches_at(expected: &[String], actual: &[&str]) -> bool {
    match expected.split_first() {
        None => true,
        Some((e, rest)) if e == "…" => {
            (0..=actual.len()).any(|skip| matches_at(rest, &actual[skip..]))
        }
        Some((e, rest)) => match actual.split_first() {
            Some((a, more)) => line_matches(e, a) && matches_at(rest, more),
            None => false,
        },
    }
}

fn appears_in(expected: &[String], actual: &str) -> bool {
    let lines: Vec<&str> = actual.lines().collect();
    (0..lines.len()).any(|start| matches_at(expected, &lines[start..]))
}

#[test]
fn every_output_block_of_the_readme_is_what_the_program_prints() {
    let root = env!("CARGO_MANIFEST_DIR");
    let readme = std::fs::read_to_string(format!("{root}/README.md")).unwrap();
    let checks = checks(&readme);
    assert!(checks.len() >= 4, "the README's output blocks are checked");
    let dir = tempfile::tempdir().unwrap();
    for check in checks {
        let mut args = check.args.clone();
        if let Some(name) = &check.file {
            let at = args
                .iter()
                .position(|a| a == name)
                .expect("the file is an argument");
            args[at] = dir.path().join(name).to_str().unwrap().to_owned();
        }
        let out = Command::new(BIN)
            .current_dir(root)
            .env_remove("NO_COLOR")
            .args(&args)
            .arg("--quiet")
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "README line {}: {:?} failed",
            check.line,
            check.args
        );
        let actual = match &check.file {
            Some(name) => std::fs::read_to_string(dir.path().join(name)).unwrap(),
            None => String::from_utf8(out.stdout).unwrap(),
        };
        assert!(
            appears_in(&check.expected, &actual),
            "README line {}: the block after `handoff {}` is not what it prints \
             (after a deliberate change, `python3 scripts/update-readme-blocks.py` rewrites it):\n{}\n--- it prints ---\n{actual}",
            check.line,
            check.args.join(" "),
            check.expected.join("\n"),
        );
    }
}

#[test]
fn the_matcher_skips_and_cuts_only_where_told() {
    let expected: Vec<String> = ["a", "…", "d…"].iter().map(|s| s.to_string()).collect();
    assert!(appears_in(&expected, "x\na\nb\nc\ndone\n"));
    assert!(!appears_in(&expected, "a\nb\nc\n"));
    let exact: Vec<String> = ["a", "b"].iter().map(|s| s.to_string()).collect();
    assert!(!appears_in(&exact, "a\nx\nb\n"));
    assert_eq!(split("run 'a b' c\"d e\""), ["run", "a b", "cd e"]);
}

#[test]
fn the_files_the_readme_writes_are_ignored_by_git() {
    let root = env!("CARGO_MANIFEST_DIR");
    let readme = std::fs::read_to_string(format!("{root}/README.md")).unwrap();
    let ignore = std::fs::read_to_string(format!("{root}/.gitignore")).unwrap();
    let patterns: Vec<&str> = ignore
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .collect();
    // Every `-o FILE` and `--trace FILE` of a README command.
    let mut written = Vec::new();
    for line in readme.lines() {
        let words = split(line);
        for pair in words.windows(2) {
            if matches!(pair[0].as_str(), "-o" | "--trace") {
                written.push(pair[1].clone());
            }
        }
    }
    assert!(written.len() >= 5, "{written:?}");
    for file in written {
        let covered = patterns
            .iter()
            .any(|p| glob_matches(p.trim_start_matches('/'), &file));
        assert!(
            covered,
            "{file} (written by a README example) is not in .gitignore"
        );
    }
}

/// A `.gitignore` pattern with `*` and `{}`-free names: `part-*.json` matches `part-{}.json`.
fn glob_matches(pattern: &str, name: &str) -> bool {
    match pattern.split_once('*') {
        None => pattern == name,
        Some((before, after)) => {
            name.len() >= before.len() + after.len()
                && name.starts_with(before)
                && name.ends_with(after)
        }
    }
}

#[test]
fn every_ready_scenario_is_in_the_readme_table() {
    let root = env!("CARGO_MANIFEST_DIR");
    let readme = std::fs::read_to_string(format!("{root}/README.md")).unwrap();
    let start = readme
        .find("## Ready scenarios")
        .expect("a Ready scenarios section");
    let section = &readme[start..];
    let section = &section[..section[3..].find("\n## ").map_or(section.len(), |e| e + 3)];
    let mut missing = Vec::new();
    for entry in std::fs::read_dir(format!("{root}/scenarios")).unwrap() {
        let name = entry.unwrap().file_name().into_string().unwrap();
        if name.ends_with(".toml") && !section.contains(&format!("`{name}`")) {
            missing.push(name);
        }
    }
    assert!(missing.is_empty(), "not in the README's table: {missing:?}");
}
