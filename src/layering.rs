//! The crate's modules form layers: no top-level module uses one that uses it back, so each can
//! be read (and changed) knowing only the ones below it. Read off the source, so a new import
//! that closes a circle fails here with the circle named. Unit-test modules may use `testing`
//! and are left out.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// `crate::<name>` items re-exported at the crate root, mapped to the module that defines them.
const ROOT_ITEMS: &[(&str, &str)] = &[
    ("Rejection", "error"),
    ("RejectionKind", "error"),
    ("RawBody", "extract"),
    ("Verified", "extract"),
    ("DEFAULT_BODY_LIMIT", "pipeline"),
    ("DEFAULT_BODY_TIMEOUT", "pipeline"),
    ("Scheme", "scheme"),
    ("MIN_SECRET_LEN", "secret"),
    ("Secret", "secret"),
    ("SecretError", "secret"),
    ("WebhookLayer", "tower"),
    ("WebhookService", "tower"),
    ("DEFAULT_TOLERANCE", "verify"),
    ("Verifier", "verify"),
    ("VerifierBuilder", "verify"),
    ("VerifierError", "verify"),
    ("VerifyState", "verify"),
    ("WebhookMeta", "verify"),
];

fn top_module(src: &Path, file: &Path) -> Option<String> {
    let rel = file.strip_prefix(src).ok()?;
    let first = rel.components().next()?.as_os_str().to_str()?;
    let name = first.strip_suffix(".rs").unwrap_or(first);
    (!matches!(name, "lib" | "bin" | "__fuzz" | "layering")).then(|| name.to_owned())
}

/// The code of a file without comments and without its unit-test module.
fn code(text: &str) -> String {
    let text = text
        .split("#[cfg(test)]\nmod tests")
        .next()
        .unwrap_or_default();
    text.lines()
        .map(|line| line.split("//").next().unwrap_or_default())
        .collect::<Vec<_>>()
        .join("\n")
}

/// Every name after `crate::`, and every first-level name inside `crate::{...}`.
fn uses(code: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for (at, _) in code.match_indices("crate::") {
        let rest = &code[at + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let mut depth = 0;
            let mut item = String::new();
            let mut first = true;
            for c in group.chars() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => break,
                    '}' => depth -= 1,
                    ',' if depth == 0 => first = true,
                    c if (c.is_alphanumeric() || c == '_') && depth == 0 && first => item.push(c),
                    _ if !item.is_empty() => {
                        out.insert(std::mem::take(&mut item));
                        first = false;
                    }
                    _ => {}
                }
            }
            if !item.is_empty() {
                out.insert(item);
            }
        } else {
            let name: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            out.insert(name);
        }
    }
    out
}

fn walk(dir: &Path, files: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("src is readable") {
        let path = entry.expect("src is readable").path();
        if path.is_dir() {
            walk(&path, files);
        } else if path.extension().is_some_and(|e| e == "rs") {
            files.push(path);
        }
    }
}

#[test]
fn no_module_uses_a_module_that_uses_it_back() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    walk(&src, &mut files);
    let roots: BTreeMap<_, _> = ROOT_ITEMS.iter().copied().collect();
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for file in &files {
        let Some(module) = top_module(&src, file) else {
            continue;
        };
        let text = std::fs::read_to_string(file).expect("a source file is readable");
        for used in uses(&code(&text)) {
            let target = roots
                .get(used.as_str())
                .map_or(used.clone(), |m| (*m).to_owned());
            if target != module && target != "self" && !target.is_empty() {
                graph.entry(module.clone()).or_default().insert(target);
            }
        }
    }
    assert!(graph.len() > 15, "the scan found the modules: {graph:?}");
    assert!(
        graph["verify"].contains("scheme"),
        "the scan reads imports: {graph:?}"
    );
    // A circle is a path from a module's dependency back to the module.
    for (module, deps) in &graph {
        for dep in deps {
            let mut seen = BTreeSet::new();
            let mut stack = vec![vec![dep.clone()]];
            while let Some(path) = stack.pop() {
                let last = path.last().expect("paths are not empty");
                if last == module {
                    panic!(
                        "`{module}` uses `{}`, which leads back to it",
                        path.join("` -> `")
                    );
                }
                if seen.insert(last.clone()) {
                    for next in graph.get(last).into_iter().flatten() {
                        let mut longer = path.clone();
                        longer.push(next.clone());
                        stack.push(longer);
                    }
                }
            }
        }
    }
}
