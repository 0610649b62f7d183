//! The source's module graph has no cycles: each `src/` module's `crate::…` references (outside
//! its unit tests) are its edges, and a depth-first walk must never meet a module still on its
//! own path. `main` (which wires the commands together) is left out.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Module → the modules it names as `crate::name` (or `crate::{a, b}`), from the source.
fn module_graph(src: &Path) -> BTreeMap<String, BTreeSet<String>> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(src).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            for inner in std::fs::read_dir(&path).unwrap() {
                files.push(inner.unwrap().path());
            }
        } else {
            files.push(path);
        }
    }
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for file in files
        .iter()
        .filter(|f| f.extension().is_some_and(|e| e == "rs"))
    {
        let relative = file.strip_prefix(src).unwrap();
        let module = relative.iter().next().unwrap().to_string_lossy();
        let module = module.trim_end_matches(".rs").to_string();
        if module == "main" || module == "lib" {
            continue;
        }
        let text = std::fs::read_to_string(file).unwrap();
        let code = text.split("#[cfg(test)]\nmod tests").next().unwrap();
        let edges = graph.entry(module.clone()).or_default();
        for (at, _) in code.match_indices("crate::") {
            let rest = &code[at + "crate::".len()..];
            // `crate::{a, b::C}` names several modules; `crate::a::…` one.
            let names = match rest.strip_prefix('{') {
                Some(group) => group.split('}').next().unwrap(),
                None => rest
                    .split(|c: char| c == ',' || c.is_whitespace())
                    .next()
                    .unwrap(),
            };
            for name in names.split(',').map(|name| {
                name.trim()
                    .split(|c: char| !(c.is_alphanumeric() || c == '_'))
                    .next()
                    .unwrap()
            }) {
                if !name.is_empty() && name != module && name != "self" {
                    edges.insert(name.to_string());
                }
            }
        }
    }
    // Only edges to modules (not to items of `main`, such as `crate::use_color`).
    let modules: BTreeSet<String> = graph.keys().cloned().collect();
    for edges in graph.values_mut() {
        edges.retain(|edge| modules.contains(edge));
    }
    graph
}

/// A cycle through `module`, as the path that closes it, if the graph has one.
fn cycle_from(
    graph: &BTreeMap<String, BTreeSet<String>>,
    module: &str,
    path: &mut Vec<String>,
    done: &mut BTreeSet<String>,
) -> Option<Vec<String>> {
    if let Some(start) = path.iter().position(|m| m == module) {
        let mut cycle = path[start..].to_vec();
        cycle.push(module.to_string());
        return Some(cycle);
    }
    if done.contains(module) {
        return None;
    }
    path.push(module.to_string());
    for next in graph.get(module).into_iter().flatten() {
        if let Some(cycle) = cycle_from(graph, next, path, done) {
            return Some(cycle);
        }
    }
    path.pop();
    done.insert(module.to_string());
    None
}

#[test]
fn modules_import_each_other_without_cycles() {
    let graph = module_graph(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src"));
    assert!(graph.len() > 10, "found only {:?}", graph.keys());
    assert!(graph["build"].contains("render"), "{:?}", graph["build"]);
    let mut done = BTreeSet::new();
    for module in graph.keys() {
        if let Some(cycle) = cycle_from(&graph, module, &mut Vec::new(), &mut done) {
            panic!("import cycle: {}", cycle.join(" -> "));
        }
    }
}

#[test]
fn a_cycle_is_found() {
    let mut graph = BTreeMap::new();
    graph.insert("a".to_string(), BTreeSet::from(["b".to_string()]));
    graph.insert("b".to_string(), BTreeSet::from(["c".to_string()]));
    graph.insert("c".to_string(), BTreeSet::from(["a".to_string()]));
    let cycle = cycle_from(&graph, "a", &mut Vec::new(), &mut BTreeSet::new());
    assert_eq!(cycle.unwrap(), ["a", "b", "c", "a"]);
}
