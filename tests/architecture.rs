//! The house rules of issue 29, checked from the source text of `src/` (std only): the
//! library's module graph has no cycle, between top-level modules or inside a folder;
//! imports only point down the layers of `docs/ARCHITECTURE.md`; no file is over 600
//! lines (SIMD kernels excepted); the core returns no `Result<_, String>`.
//!
//! The reader is loose on purpose: it blanks comments, literals and `#[cfg(test)]`
//! modules, then reads `use` trees and paths starting with `crate`, `super`, `self` or
//! (in a module with submodules) a submodule's name. An inline `mod x { … }` counts as
//! part of its file's module.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::path::{Path, PathBuf};

/// A module path from the crate root; `[]` is `lib.rs`.
type ModPath = Vec<String>;
/// Node → node it uses → where (`file:line: path as written`).
type Graph = BTreeMap<String, BTreeMap<String, Vec<String>>>;

const MAX_LINES: usize = 600;

// ------------------------------------------------------------------ source text

fn is_ident(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b >= 0x80
}

/// The first index at or after `from` where `pat` occurs.
fn find(c: &[u8], from: usize, pat: &[u8]) -> Option<usize> {
    (from..c.len()).find(|&j| c[j..].starts_with(pat))
}

/// Replaces every byte but newlines with a space, so lines and offsets still hold.
fn blank(bytes: &mut [u8]) {
    bytes
        .iter_mut()
        .filter(|b| **b != b'\n')
        .for_each(|b| *b = b' ');
}

/// The code with comments and string/char literals blanked.
fn strip(src: &str) -> String {
    let (c, mut out, mut i) = (src.as_bytes(), src.as_bytes().to_vec(), 0);
    while i < c.len() {
        match literal_end(c, i) {
            Some(end) => {
                blank(&mut out[i..end]);
                i = end;
            }
            None => i += 1,
        }
    }
    String::from_utf8(out).expect("only whole characters are blanked")
}

/// Where the comment or literal starting at `i` ends, if one starts there.
fn literal_end(c: &[u8], i: usize) -> Option<usize> {
    // `b"…"`, `b'…'` and `br"…"` need no case of their own: the prefix is left as is.
    match (c[i], c.get(i + 1).copied().unwrap_or(0)) {
        (b'/', b'/') => Some(find(c, i, b"\n").unwrap_or(c.len())),
        (b'/', b'*') => Some(find(c, i + 2, b"*/").map_or(c.len(), |j| j + 2)),
        (b'"', _) => Some(string_end(c, i)),
        (b'\'', _) => char_end(c, i),
        (b'r', _) => raw_string_end(c, i),
        _ => None,
    }
}

/// The end of `"…"` (escapes skipped).
fn string_end(c: &[u8], i: usize) -> usize {
    let mut j = i + 1;
    while j < c.len() && c[j] != b'"' {
        j += if c[j] == b'\\' { 2 } else { 1 };
    }
    j + 1
}

/// The end of `r"…"` or `r#"…"#`; `None` for anything else (`r`, `r#type`, `for`).
fn raw_string_end(c: &[u8], i: usize) -> Option<usize> {
    let hashes = c[i + 1..].iter().take_while(|&&b| b == b'#').count();
    if c.get(i + 1 + hashes) != Some(&b'"') {
        return None;
    }
    let close: Vec<u8> = std::iter::once(b'"')
        .chain(std::iter::repeat(b'#').take(hashes))
        .collect();
    Some(find(c, i + 2 + hashes, &close).map_or(c.len(), |j| j + close.len()))
}

/// The end of a char literal (`'x'`, `'\n'`, `'é'`); `None` for a lifetime (`'a`).
fn char_end(c: &[u8], i: usize) -> Option<usize> {
    if c.get(i + 1) == Some(&b'\\') {
        return find(c, i + 3, b"'").map(|j| j + 1);
    }
    let mut j = i + 2;
    while c.get(j).is_some_and(|b| b & 0xC0 == 0x80) {
        j += 1; // the rest of a multi-byte character
    }
    (c.get(j) == Some(&b'\'')).then_some(j + 1)
}

/// The index after the `}` matching the `{` at `open`.
fn matching_brace(c: &[u8], open: usize) -> usize {
    let mut depth = 0;
    for (j, &b) in c.iter().enumerate().skip(open) {
        depth += match b {
            b'{' => 1,
            b'}' => -1,
            _ => 0,
        };
        if depth == 0 {
            return j + 1;
        }
    }
    c.len()
}

/// Blanks every `#[cfg(test)]` module: the attribute, then `mod name { … }` brace-matched.
fn drop_test_modules(code: &str) -> String {
    const ATTR: &[u8] = b"#[cfg(test)]";
    let (c, mut out, mut from) = (code.as_bytes(), code.as_bytes().to_vec(), 0);
    while let Some(i) = find(c, from, ATTR) {
        from = i + ATTR.len();
        let Some(open) = (from..c.len()).find(|&j| c[j] == b'{' || c[j] == b';') else {
            break;
        };
        let head = &code[from..open];
        if c[open] == b'{' && head.split_whitespace().any(|w| w == "mod") {
            from = matching_brace(c, open);
            blank(&mut out[i..from]);
        }
    }
    String::from_utf8(out).expect("only ASCII is blanked")
}

// ------------------------------------------------------------------ tokens and paths

/// The tokens of code: identifiers, `::` and single punctuation characters, each with
/// its line.
fn tokens(code: &str) -> Vec<(usize, String)> {
    let (c, mut out, mut i, mut line) = (code.as_bytes(), Vec::new(), 0, 1);
    while i < c.len() {
        let start = i;
        i += match c[i] {
            b if is_ident(b) => c[i..].iter().take_while(|&&b| is_ident(b)).count(),
            b':' if c.get(i + 1) == Some(&b':') => 2,
            _ => 1,
        };
        line += (c[start] == b'\n') as usize;
        if !c[start].is_ascii_whitespace() {
            out.push((line, code[start..i].to_string()));
        }
    }
    out
}

/// One path of a `use` tree, or a path in code.
#[derive(Debug)]
struct Import {
    path: Vec<String>,
    /// The name it binds; `None` for a glob or a path in code.
    name: Option<String>,
    line: usize,
    public: bool,
    /// `"use "` or `""`, to show the path as written.
    kind: &'static str,
}

impl Import {
    fn new(path: Vec<String>, name: Option<String>, line: usize, kind: &'static str) -> Import {
        let public = false;
        Import {
            path,
            name,
            line,
            public,
            kind,
        }
    }
}

/// Every `use` path (`use` trees read whole) and every path in other code that starts
/// with `crate`, `super`, `self` or one of `children`.
fn read_imports(toks: &[(usize, String)], children: &BTreeSet<String>) -> Vec<Import> {
    let t = |p: usize| toks.get(p).map_or("", |t| t.1.as_str());
    let (mut out, mut k) = (Vec::new(), 0);
    while k < toks.len() {
        let root = ["crate", "super", "self"].contains(&t(k)) || children.contains(t(k));
        let in_path = k > 0 && matches!(t(k - 1), "::" | ".");
        if t(k) == "use" {
            let (first, public) = (out.len(), is_public(toks, k));
            k += 1;
            use_tree(toks, &mut k, &[], &mut out);
            out[first..].iter_mut().for_each(|imp| imp.public = public);
        } else if root && !in_path && t(k + 1) == "::" {
            let (line, mut path) = (toks[k].0, vec![t(k).to_string()]);
            k += 1;
            while t(k) == "::" && t(k + 1).starts_with(|ch: char| is_ident(ch as u8)) {
                path.push(t(k + 1).to_string());
                k += 2;
            }
            out.push(Import::new(path, None, line, ""));
        } else {
            k += 1;
        }
    }
    out
}

/// Reads the use tree at `toks[*pos]` under `prefix` into `out`.
fn use_tree(toks: &[(usize, String)], pos: &mut usize, prefix: &[String], out: &mut Vec<Import>) {
    let t = |p: usize| toks.get(p).map_or("", |t| t.1.as_str());
    let mut path = prefix.to_vec();
    loop {
        let line = toks.get(*pos).map_or(0, |t| t.0);
        let import = |path, name| Import::new(path, name, line, "use ");
        *pos += 1;
        match t(*pos - 1) {
            "" | ";" => return,
            "{" => {
                while !matches!(t(*pos), "}" | ";" | "") {
                    use_tree(toks, pos, &path, out);
                    *pos += (t(*pos) == ",") as usize;
                }
                *pos += 1;
                return;
            }
            "*" => return out.push(import([path, vec!["*".into()]].concat(), None)),
            seg => {
                if seg != "self" || path.is_empty() {
                    path.push(seg.to_string());
                }
                if t(*pos) == "::" {
                    *pos += 1;
                    continue;
                }
                let mut name = path.last().cloned();
                if t(*pos) == "as" {
                    name = Some(t(*pos + 1).to_string());
                    *pos += 2;
                }
                return out.push(import(path, name));
            }
        }
    }
}

/// Whether the `use` at `toks[k]` is `pub` or `pub(…)`.
fn is_public(toks: &[(usize, String)], mut k: usize) -> bool {
    let t = |p: usize| toks.get(p).map_or("", |t| t.1.as_str());
    if k > 0 && t(k - 1) == ")" {
        k = (0..k).rev().find(|&j| t(j) == "(").unwrap_or(0);
    }
    k > 0 && t(k - 1) == "pub"
}

// ------------------------------------------------------------------ the crate

/// One file of `src/`, read.
struct Source {
    rel: String,
    /// `None` for a binary (`src/bin/`).
    module: Option<ModPath>,
    raw: String,
    /// The tokens of its code, comments, literals and test modules left out.
    toks: Vec<(usize, String)>,
}

/// One dependency of a module on another, and where it is.
#[derive(Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Edge {
    from: String,
    to: String,
    at: Place,
}

/// File, line, and the path as written: `("src/a.rs", 3, "use crate::b::", "C")`.
type Place = (String, usize, String, String);

/// The library's modules, their re-exports and their imports.
struct Crate {
    files: Vec<Source>,
    modules: BTreeSet<ModPath>,
    /// Module → name it `pub use`s → the absolute path that name stands for.
    reexports: BTreeMap<ModPath, BTreeMap<String, ModPath>>,
    /// Each file's imports (none for a binary), in the order of `files`.
    imports: Vec<Vec<Import>>,
}

/// The module a file under `src/` is (`src/a/mod.rs` = `a`); `None` for a binary.
fn module_of(rel: &str) -> Option<ModPath> {
    let rel = rel.strip_prefix("src/")?.strip_suffix(".rs")?;
    let mut path: ModPath = rel.split('/').map(String::from).collect();
    if matches!(path.last().map(String::as_str), Some("mod" | "lib")) {
        path.pop();
    }
    Some(path).filter(|p| p.first().map(String::as_str) != Some("bin"))
}

impl Crate {
    /// Reads `(path from the crate's folder, contents)` pairs.
    fn new(files: Vec<(String, String)>) -> Crate {
        let read = |(rel, raw): (String, String)| {
            let toks = tokens(&drop_test_modules(&strip(&raw)));
            Source {
                module: module_of(&rel),
                rel,
                raw,
                toks,
            }
        };
        let files: Vec<Source> = files.into_iter().map(read).collect();
        let modules = files.iter().filter_map(|f| f.module.clone()).collect();
        let (reexports, imports) = (BTreeMap::new(), Vec::new());
        let mut krate = Crate {
            files,
            modules,
            reexports,
            imports,
        };
        for i in 0..krate.files.len() {
            let Some(module) = krate.files[i].module.clone() else {
                krate.imports.push(Vec::new());
                continue;
            };
            let imports = read_imports(&krate.files[i].toks, &krate.children(&module));
            for imp in imports.iter().filter(|imp| imp.public) {
                if let (Some(name), Some(abs)) = (&imp.name, krate.absolute(&module, &imp.path)) {
                    let names = krate.reexports.entry(module.clone()).or_default();
                    names.insert(name.clone(), abs);
                }
            }
            krate.imports.push(imports);
        }
        krate
    }

    /// The source tree under `root/src`.
    fn read(root: &Path) -> Crate {
        let mut files = Vec::new();
        read_tree(root, &root.join("src"), &mut files);
        Crate::new(files)
    }

    /// The names of a module's direct submodules.
    fn children(&self, module: &[String]) -> BTreeSet<String> {
        let direct = |m: &&ModPath| m.len() == module.len() + 1 && m.starts_with(module);
        let names = self.modules.iter().filter(direct);
        names.map(|m| m[module.len()].clone()).collect()
    }

    /// The absolute path a path written in `module` names; `None` outside the crate.
    fn absolute(&self, module: &[String], path: &[String]) -> Option<ModPath> {
        let first = path.first()?.as_str();
        let local = first == "super" || self.children(module).contains(first);
        let (mut base, mut rest) = match first {
            "crate" => (Vec::new(), &path[1..]),
            "self" => (module.to_vec(), &path[1..]),
            _ if local => (module.to_vec(), path),
            _ => return None,
        };
        while rest.first().is_some_and(|s| s == "super") {
            base.pop()?; // a `mod.rs` module's `super` is its folder's parent
            rest = &rest[1..];
        }
        Some([base, rest.to_vec()].concat())
    }

    /// The deepest module an absolute path names, following `pub use` re-exports.
    fn resolve(&self, path: &[String]) -> ModPath {
        let mut path = path.to_vec();
        for _ in 0..8 {
            let n = (0..=path.len())
                .rev()
                .find(|&n| self.modules.contains(&path[..n]));
            let n = n.unwrap_or(0);
            let reexported = path
                .get(n)
                .and_then(|name| self.reexports.get(&path[..n])?.get(name));
            match reexported {
                Some(target) => path = [target, &path[n + 1..]].concat(),
                None => return path[..n].to_vec(),
            }
        }
        path
    }

    /// Every dependency between two modules, sorted; a parent's `pub use` of its own
    /// descendants is none.
    fn edges(&self) -> Vec<Edge> {
        let mut out = Vec::new();
        for (file, imports) in self.files.iter().zip(&self.imports) {
            let Some(module) = &file.module else { continue };
            for imp in imports {
                let Some(abs) = self.absolute(module, &imp.path) else {
                    continue;
                };
                let to = self.resolve(&abs);
                let own_reexport = imp.public && to.len() > module.len() && to.starts_with(module);
                if to == *module || own_reexport {
                    continue;
                }
                let (leaf, stem) = imp.path.split_last().unwrap();
                let stem: String = stem.iter().map(|s| s.clone() + "::").collect();
                let at = (
                    file.rel.clone(),
                    imp.line,
                    imp.kind.to_string() + &stem,
                    leaf.clone(),
                );
                let (from, to) = (name(module), name(&to));
                out.push(Edge { from, to, at });
            }
        }
        out.sort();
        out
    }

    /// The top-level modules `src/lib.rs` declares (`mod x;`).
    fn top_level(&self) -> Vec<String> {
        let lib = self.files.iter().find(|f| f.rel == "src/lib.rs");
        let windows = lib.expect("src/lib.rs").toks.windows(3);
        let declared = windows.filter(|w| w[0].1 == "mod" && w[2].1 == ";");
        declared.map(|w| w[1].1.clone()).collect()
    }
}

fn name(module: &[String]) -> String {
    if module.is_empty() {
        "crate".into()
    } else {
        module.join("::")
    }
}

/// A module's top-level module (`None` for the root).
fn top(module: &str) -> Option<String> {
    Some(module.split("::").next()?.to_string()).filter(|t| t != "crate")
}

/// The `.rs` files under `dir`, sorted: (path from `root`, contents).
fn read_tree(root: &Path, dir: &Path, out: &mut Vec<(String, String)>) {
    let entries = std::fs::read_dir(dir).unwrap();
    let mut paths: Vec<PathBuf> = entries.map(|e| e.unwrap().path()).collect();
    paths.sort();
    for p in paths {
        if p.is_dir() {
            read_tree(root, &p, out);
        } else if p.extension().is_some_and(|e| e == "rs") {
            let rel = p
                .strip_prefix(root)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            let text = std::fs::read_to_string(&p);
            out.push((rel, text.unwrap_or_else(|e| panic!("{}: {e}", p.display()))));
        }
    }
}

fn root() -> PathBuf {
    let dir = option_env!("CARGO_MANIFEST_DIR").map(PathBuf::from);
    dir.unwrap_or_else(|| std::env::current_dir().unwrap())
}

// ------------------------------------------------------------------ graphs

/// The graph of the edges mapped by `node` (`None` drops an edge, loops are dropped),
/// with one evidence line per place: `file:line: use crate::a::{B, C}`.
fn graph(edges: &[Edge], node: impl Fn(&str) -> Option<String>) -> Graph {
    // (a, b) → (file, line, stem) → leaves
    let mut pairs: BTreeMap<_, BTreeMap<_, BTreeSet<&str>>> = BTreeMap::new();
    for e in edges {
        if let (Some(a), Some(b)) = (node(&e.from), node(&e.to)) {
            let (file, line, stem, leaf) = &e.at;
            if a != b {
                let places = pairs.entry((a, b)).or_default();
                places.entry((file, line, stem)).or_default().insert(leaf);
            }
        }
    }
    let mut g = Graph::new();
    for ((a, b), places) in pairs {
        let place = |((file, line, stem), leaves): ((_, _, _), BTreeSet<&str>)| {
            let list = Vec::from_iter(leaves.iter().copied()).join(", ");
            let list = if leaves.len() > 1 {
                format!("{{{list}}}")
            } else {
                list
            };
            format!("{file}:{line}: {stem}{list}")
        };
        let places = places.into_iter().map(place).collect();
        g.entry(a).or_default().insert(b, places);
    }
    g
}

/// The shortest path `from` →* `to`.
fn shortest_path(g: &Graph, from: &str, to: &str) -> Option<Vec<String>> {
    let mut prev: BTreeMap<&str, &str> = BTreeMap::new();
    let mut queue = VecDeque::from([from]);
    while let Some(n) = queue.pop_front() {
        if n == to {
            let mut path = vec![n.to_string()];
            while let Some(p) = prev.get(path.last().unwrap().as_str()) {
                path.push(p.to_string()); // `from` has no predecessor: the walk ends there
            }
            return Some(path.into_iter().rev().collect());
        }
        for m in g.get(n).into_iter().flat_map(|outs| outs.keys()) {
            if m != from && !prev.contains_key(m.as_str()) {
                prev.insert(m, n);
                queue.push_back(m);
            }
        }
    }
    None
}

/// The shortest cycle through each edge that is on one (deduplicated), then the
/// evidence of every edge on those cycles.
fn cycle_report(title: &str, g: &Graph) -> Vec<String> {
    let mut cycles = BTreeSet::new();
    for (a, outs) in g {
        for b in outs.keys() {
            if let Some(mut cycle) = shortest_path(g, b, a) {
                cycle.rotate_right(1); // a, b, …
                let k = (0..cycle.len()).min_by_key(|&k| &cycle[k]).unwrap();
                cycle.rotate_left(k);
                cycles.insert(cycle);
            }
        }
    }
    let mut on_cycles = BTreeSet::new();
    let mut lines = Vec::new();
    for c in &cycles {
        lines.push(format!("{title}: cycle {} → {}", c.join(" → "), c[0]));
        on_cycles.extend((0..c.len()).map(|k| (&c[k], &c[(k + 1) % c.len()])));
    }
    for (a, b) in on_cycles {
        lines.push(format!("  {a} → {b}:"));
        lines.extend(g[a][b].iter().map(|at| format!("      {at}")));
    }
    lines
}

fn check(rule: &str, violations: Vec<String>) {
    assert!(
        violations.is_empty(),
        "{rule}:\n{}\n",
        violations.join("\n")
    );
}

// ------------------------------------------------------------------ the rules

#[test]
fn top_level_modules_have_no_cycle() {
    let g = graph(&Crate::read(&root()).edges(), top);
    check(
        "rule 1a: a cycle among top-level modules",
        cycle_report("top level", &g),
    );
}

#[test]
fn modules_inside_each_folder_have_no_cycle() {
    let krate = Crate::read(&root());
    let edges = krate.edges();
    let mut violations = Vec::new();
    for f in krate.files.iter().filter(|f| f.rel.ends_with("/mod.rs")) {
        let folder = name(f.module.as_ref().unwrap());
        let node = |m: &str| {
            if m == folder {
                return Some(format!("{folder} (mod.rs)"));
            }
            let rest = m.strip_prefix(folder.as_str())?.strip_prefix("::")?;
            Some(format!("{folder}::{}", rest.split("::").next()?)) // a child folder is one node
        };
        let g = graph(&edges, node);
        violations.extend(cycle_report(&format!("in {}", f.rel), &without_known_debt(g)));
    }
    check("rule 1b: a cycle inside a folder", violations);
}

/// The page's panels still written as `impl App` blocks in a child file of `web/app/`
/// (each reads `App` and `Msg` from `mod.rs`, which composes them: a cycle by
/// construction). Issue 29 made the run bar, the results table, the LLM panel, All
/// settings and Embed components with `Properties`; these are what is left. Their edge
/// back to `mod.rs` is the one exception to rule 1b, and the list can only shrink:
/// [`the_known_debt_is_still_owed`] fails once a panel listed here no longer needs `App`
/// (then delete its line).
const PANELS_STILL_ON_APP: &[&str] = &[
    "chart", "consent", "data_panel", "inspector", "links", "llm_panel", "policies",
    "results", "run_bar", "saved_run", "settings",
];

/// `g` without the edges `web::app::X → web::app (mod.rs)` of [`PANELS_STILL_ON_APP`].
fn without_known_debt(mut g: Graph) -> Graph {
    for panel in PANELS_STILL_ON_APP {
        if let Some(outs) = g.get_mut(&format!("web::app::{panel}")) {
            outs.remove("web::app (mod.rs)");
        }
    }
    g
}

#[test]
fn the_known_debt_is_still_owed() {
    let edges = Crate::read(&root()).edges();
    let paid: Vec<_> = PANELS_STILL_ON_APP
        .iter()
        .filter(|p| {
            let from = format!("web::app::{p}");
            !edges.iter().any(|e| {
                (e.from == from || e.from.starts_with(&format!("{from}::"))) && e.to == "web::app"
            })
        })
        .collect();
    assert!(
        paid.is_empty(),
        "these panels no longer import web/app/mod.rs: delete them from PANELS_STILL_ON_APP: {paid:?}"
    );
}

/// The layers of the ```text block under `## Layers`, top first: `(name, modules)`.
fn layers(doc: &str) -> Vec<(String, Vec<String>)> {
    let section = doc
        .split("\n## Layers")
        .nth(1)
        .expect("a `## Layers` section");
    let block = section
        .split("```text")
        .nth(1)
        .expect("a ```text block under `## Layers`");
    let layer = |l: &str| {
        let (name, mods) = l.split_once(':').expect("layer lines are `name: mod …`");
        (
            name.trim().to_string(),
            mods.split_whitespace().map(String::from).collect(),
        )
    };
    let lines = block.split("```").next().unwrap().lines();
    lines.filter(|l| !l.trim().is_empty()).map(layer).collect()
}

#[test]
fn imports_point_down_the_layers() {
    let root = root();
    let layers = layers(&std::fs::read_to_string(root.join("docs/ARCHITECTURE.md")).unwrap());
    let mut rank: BTreeMap<&str, (usize, &str)> = BTreeMap::new();
    for (k, (layer, mods)) in layers.iter().enumerate() {
        rank.extend(mods.iter().map(|m| (m.as_str(), (k, layer.as_str()))));
    }
    let krate = Crate::read(&root);
    let mut violations = Vec::new();
    let top_level = krate.top_level();
    for m in top_level.iter().filter(|m| !rank.contains_key(m.as_str())) {
        violations.push(format!("`{m}` (declared in src/lib.rs) is on no layer"));
    }
    for (a, outs) in graph(&krate.edges(), top) {
        for (b, ats) in outs {
            let (Some(&(ra, la)), Some(&(rb, lb))) = (rank.get(a.as_str()), rank.get(b.as_str()))
            else {
                continue;
            };
            if rb < ra {
                violations.push(format!("{a} (layer {la}) → {b} (layer {lb}, higher):"));
                violations.extend(ats.iter().map(|at| format!("      {at}")));
            }
        }
    }
    check("rule 1c: an import up the layers", violations);
}

/// Whether a file's leading `//!` lines say it holds SIMD kernels.
fn holds_simd_kernels(raw: &str) -> bool {
    let doc = raw.lines().map_while(|l| l.strip_prefix("//!"));
    let words: Vec<&str> = doc.flat_map(str::split_whitespace).collect();
    words.join(" ").to_lowercase().contains("simd kernels")
}

#[test]
fn no_file_is_over_600_lines() {
    let krate = Crate::read(&root());
    let mut violations = Vec::new();
    for f in &krate.files {
        if f.raw.lines().count() > MAX_LINES && !holds_simd_kernels(&f.raw) {
            violations.push(format!("{}: {} lines", f.rel, f.raw.lines().count()));
        }
    }
    check("rule 2: a file over 600 lines", violations);
}

/// The lines of every `Result<…, String>` in the tokens.
fn string_results(toks: &[(usize, String)]) -> Vec<usize> {
    let t = |p: usize| toks.get(p).map_or("", |t| t.1.as_str());
    let opens = (0..toks.len()).filter(|&k| t(k) == "Result" && t(k + 1) == "<");
    opens
        .filter(|&k| error_type(toks, k + 1).ends_with(&["String"]))
        .map(|k| toks[k].0)
        .collect()
}

/// The tokens of the second generic argument opening at `toks[open]` (`<A, B>` → `B`),
/// or none if there is one argument (`io::Result<String>`).
fn error_type(toks: &[(usize, String)], open: usize) -> Vec<&str> {
    let (mut depth, mut second) = (0, None);
    for k in open..toks.len() {
        match toks[k].1.as_str() {
            ">" if toks[k - 1].1 == "-" => {} // the `->` of `Fn() -> T`
            "<" | "(" | "[" => depth += 1,
            ">" | ")" | "]" if depth == 1 => {
                return second.map_or(Vec::new(), |s| {
                    toks[s..k].iter().map(|t| t.1.as_str()).collect()
                })
            }
            ">" | ")" | "]" => depth -= 1,
            "," if depth == 1 => second = Some(k + 1),
            ";" | "{" => break,
            _ => {}
        }
    }
    Vec::new()
}

#[test]
fn the_core_returns_no_string_errors() {
    let krate = Crate::read(&root());
    let mut violations = Vec::new();
    let core = |f: &&Source| !f.rel.starts_with("src/web/") && !f.rel.starts_with("src/bin/");
    for f in krate.files.iter().filter(core) {
        for line in string_results(&f.toks) {
            let text = f.raw.lines().nth(line - 1).unwrap().trim();
            violations.push(format!("{}:{line}: {text}", f.rel));
        }
    }
    check("rule 3: Result<_, String> in the core", violations);
}

// ------------------------------------------------------------------ the checker itself

#[test]
fn the_checker_reads_what_it_should() {
    let files = [
        ("src/lib.rs", "pub mod a;\npub mod b;\nmod c;\nmod d;"),
        ("src/a/mod.rs", "pub mod w; pub mod x; pub mod z;\npub use x::{Y, Other as Alias};"),
        ("src/a/x.rs", "pub struct Y; pub struct Other;"),
        ("src/a/z.rs", "pub fn f() {}"),
        ("src/a/w.rs", "use super::{\n    x::Y,\n    z,\n};\nuse std::fmt;"),
        (
            "src/b.rs",
            "use crate::a::Alias;\n// crate::c::Comment\nfn s() -> &'static str { \"crate::fake\" }\n\
             fn r() -> &'static str { r#\"crate::fake::Raw\"# }\nfn q() -> char { '\"' }\n\
             #[cfg(test)]\nmod tests {\n    use crate::c::Test;\n    fn t() { let _ = { 1 }; }\n}\n\
             fn g() { crate::c::h() }",
        ),
        (
            "src/c.rs",
            "pub fn h() {}\nfn e() -> Result<Vec<(u32, f64)>, String> { todo!() }\n\
             fn ok() -> Result<u32, E> { let f = |x: u8| -> Result<(), std::string::String> { Ok(()) }; }\n\
             /// Result<(), String> in a doc comment\ntype F = Result<Box<dyn Fn() -> u8>, String>;\n\
             fn io() -> std::io::Result<String> { todo!() }\nuse crate::d::K;",
        ),
        ("src/d.rs", "pub struct K;\nfn k() { super::c::h() }"),
        ("src/bin/tool.rs", "use ialp::c::h;"),
    ];
    let krate = Crate::new(files.map(|(rel, src)| (rel.into(), src.into())).to_vec());
    let edges = krate.edges();
    let edge = |e: &Edge| format!("{}:{} {} → {}", e.at.0, e.at.1, e.from, e.to);
    let got: Vec<String> = edges.iter().map(edge).collect();
    // The group is read whole, `Alias` is followed into `a::x`, neither the comment, the
    // strings nor the test module count, and `a`'s `pub use` of its child is no edge.
    let want = "src/a/w.rs:2 a::w → a::x, src/a/w.rs:3 a::w → a::z, src/b.rs:1 b → a::x, \
                src/b.rs:11 b → c, src/c.rs:7 c → d, src/d.rs:2 d → c";
    assert_eq!(got.join(", "), want);
    assert_eq!(krate.top_level(), ["a", "b", "c", "d"]);
    assert_eq!(
        string_results(&krate.files[6].toks),
        [2, 3, 5],
        "in src/c.rs"
    );
    assert!(holds_simd_kernels(
        "//! The SIMD\n//! Kernels of…\nfn f() {}"
    ));
    assert!(!holds_simd_kernels("fn f() {}\n//! SIMD kernels"));
    let cycles = cycle_report("t", &graph(&edges, top)).join("\n");
    let want = "t: cycle c → d → c\n  c → d:\n      src/c.rs:7: use crate::d::K\n  \
                d → c:\n      src/d.rs:2: super::c::h";
    assert_eq!(cycles, want);
}
