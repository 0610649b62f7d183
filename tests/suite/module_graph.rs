//! The source's module graph, file by file. Each file of `src/` is a module; it imports another
//! when its code (outside `#[cfg(test)]`) names one of that module's items: in a `use` (groups,
//! renames and globs included) or in any other path, written from `crate::`, `super::`, `self::`
//! or a child module's name. Two rules hold: no cycle, a parent and its child modules included,
//! and no stage importing a later stage or a command, in the order `src/lib.rs` documents.
//! The checker is tested on planted fixtures (`tests/fixtures/module-graph/`) so it cannot pass
//! by reading nothing.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use syn::visit::Visit;

/// The pipeline's order, by top-level module: a module may import only its own rank or lower.
/// Shared values share rank 0; the commands and the preview sit on top.
const STAGES: &[(&str, u8)] = &[
    ("model", 0),
    ("markdown", 1),
    ("load", 2),
    ("theme", 3),
    ("check", 4),
    ("output", 5),
    ("render", 6),
    ("build", 7),
    ("serve", 8),
    ("lsp", 8),
    ("cli", 9),
];

/// A module's path below the crate root: `[]` for `lib.rs`, `["serve", "live"]` for
/// `serve/live.rs`, `["serve"]` for `serve/mod.rs`.
type Module = Vec<String>;

/// Every file of the library below `src` as its module, `main.rs` (the binary) left out.
fn modules(src: &Path) -> BTreeMap<Module, PathBuf> {
    let mut found = BTreeMap::new();
    let mut folders = vec![src.to_path_buf()];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                folders.push(path);
                continue;
            }
            if path.extension().is_none_or(|e| e != "rs") {
                continue;
            }
            let relative = path.strip_prefix(src).unwrap().with_extension("");
            let mut module: Module = relative
                .iter()
                .map(|part| part.to_string_lossy().into_owned())
                .collect();
            match module.last().map(String::as_str) {
                Some("main") if module.len() == 1 => continue,
                Some("lib") if module.len() == 1 => module.clear(),
                Some("mod") => {
                    module.pop();
                }
                _ => {}
            }
            found.insert(module, path);
        }
    }
    found
}

/// The paths one file names, each as written, outside code compiled only for tests.
#[derive(Default)]
struct Names {
    paths: Vec<Vec<String>>,
    /// Child modules the file declares (`mod live;`).
    children: BTreeSet<String>,
}

fn is_test_only(attrs: &[syn::Attribute]) -> bool {
    attrs.iter().any(|attr| {
        attr.path().is_ident("cfg")
            && attr
                .meta
                .require_list()
                .is_ok_and(|list| list.tokens.to_string().contains("test"))
    })
}

impl<'ast> Visit<'ast> for Names {
    fn visit_item(&mut self, item: &'ast syn::Item) {
        let attrs = match item {
            syn::Item::Mod(m) => &m.attrs,
            syn::Item::Fn(f) => &f.attrs,
            syn::Item::Use(u) => &u.attrs,
            syn::Item::Impl(i) => &i.attrs,
            syn::Item::Struct(s) => &s.attrs,
            syn::Item::Enum(e) => &e.attrs,
            syn::Item::Const(c) => &c.attrs,
            syn::Item::Static(s) => &s.attrs,
            syn::Item::Trait(t) => &t.attrs,
            syn::Item::Type(t) => &t.attrs,
            _ => return syn::visit::visit_item(self, item),
        };
        if is_test_only(attrs) {
            return;
        }
        if let syn::Item::Mod(m) = item
            && m.content.is_none()
        {
            self.children.insert(m.ident.to_string());
        }
        syn::visit::visit_item(self, item);
    }

    fn visit_item_use(&mut self, item: &'ast syn::ItemUse) {
        flatten_use(&item.tree, Vec::new(), &mut self.paths);
    }

    fn visit_path(&mut self, path: &'ast syn::Path) {
        if path.segments.len() > 1 {
            self.paths
                .push(path.segments.iter().map(|s| s.ident.to_string()).collect());
        }
        syn::visit::visit_path(self, path);
    }
}

/// `use a::{b, c::d as e, f::*}` → `a::b`, `a::c::d`, `a::f`.
fn flatten_use(tree: &syn::UseTree, prefix: Vec<String>, out: &mut Vec<Vec<String>>) {
    let extended = |name: String| {
        let mut path = prefix.clone();
        path.push(name);
        path
    };
    match tree {
        syn::UseTree::Path(p) => flatten_use(&p.tree, extended(p.ident.to_string()), out),
        syn::UseTree::Name(n) if n.ident == "self" => out.push(prefix.clone()),
        syn::UseTree::Name(n) => out.push(extended(n.ident.to_string())),
        syn::UseTree::Rename(r) => out.push(extended(r.ident.to_string())),
        syn::UseTree::Glob(_) => out.push(prefix.clone()),
        syn::UseTree::Group(g) => {
            for tree in &g.items {
                flatten_use(tree, prefix.clone(), out);
            }
        }
    }
}

/// Where a path written in `module` (whose child modules are `children`) leads, from the crate
/// root; `None` for paths into other crates, the prelude or local names.
fn resolve(module: &Module, children: &BTreeSet<String>, path: &[String]) -> Option<Module> {
    let (first, rest) = path.split_first()?;
    let mut at = match first.as_str() {
        "crate" => Vec::new(),
        "self" => module.clone(),
        "super" => module[..module.len().checked_sub(1)?].to_vec(),
        name if children.contains(name) => {
            let mut at = module.clone();
            at.push(name.to_string());
            at
        }
        _ => return None,
    };
    let mut rest = rest.iter().peekable();
    while rest.peek().is_some_and(|segment| *segment == "super") {
        at.pop()?;
        rest.next();
    }
    at.extend(rest.cloned());
    Some(at)
}

/// File → the files it imports from.
fn module_graph(src: &Path) -> BTreeMap<Module, BTreeSet<Module>> {
    let modules = modules(src);
    let mut graph = BTreeMap::new();
    for (module, path) in &modules {
        let file = syn::parse_file(&std::fs::read_to_string(path).unwrap())
            .unwrap_or_else(|error| panic!("{}: {error}", path.display()));
        let mut names = Names::default();
        names.visit_file(&file);
        let mut edges = BTreeSet::new();
        for written in &names.paths {
            let Some(mut target) = resolve(module, &names.children, written) else {
                continue;
            };
            // The longest prefix that is a file: `crate::serve::live::Live` → `serve/live.rs`.
            while !modules.contains_key(&target) && target.pop().is_some() {}
            if &target != module && modules.contains_key(&target) {
                edges.insert(target);
            }
        }
        graph.insert(module.clone(), edges);
    }
    graph
}

fn name(module: &Module) -> String {
    if module.is_empty() {
        "lib".to_string()
    } else {
        module.join("::")
    }
}

/// Every cycle the graph has, one per strongly connected group, as the path that closes it.
fn cycles(graph: &BTreeMap<Module, BTreeSet<Module>>) -> Vec<String> {
    fn walk(
        graph: &BTreeMap<Module, BTreeSet<Module>>,
        module: &Module,
        path: &mut Vec<Module>,
        done: &mut BTreeSet<Module>,
        found: &mut Vec<String>,
    ) {
        if let Some(start) = path.iter().position(|m| m == module) {
            let mut cycle: Vec<String> = path[start..].iter().map(name).collect();
            cycle.push(name(module));
            found.push(cycle.join(" → "));
            return;
        }
        if !done.insert(module.clone()) {
            return;
        }
        path.push(module.clone());
        for next in graph.get(module).into_iter().flatten() {
            walk(graph, next, path, done, found);
        }
        path.pop();
    }
    let mut found = Vec::new();
    let mut done = BTreeSet::new();
    for module in graph.keys() {
        walk(graph, module, &mut Vec::new(), &mut done, &mut found);
    }
    found
}

/// Every import from a stage into a later stage or a command, and every top-level module the
/// order does not place.
fn back_imports(graph: &BTreeMap<Module, BTreeSet<Module>>) -> Vec<String> {
    let rank = |module: &Module| {
        let top = module.first()?;
        STAGES
            .iter()
            .find(|(stage, _)| stage == top)
            .map(|(_, rank)| *rank)
    };
    let mut found = Vec::new();
    for (module, edges) in graph {
        if module.is_empty() {
            continue; // lib.rs only declares the modules.
        }
        let Some(from) = rank(module) else {
            found.push(format!("`{}` is in no stage: add it to STAGES", module[0]));
            continue;
        };
        for target in edges {
            if rank(target).is_some_and(|to| to > from) {
                found.push(format!(
                    "{} imports the later {}",
                    name(module),
                    name(target)
                ));
            }
        }
    }
    found.dedup();
    found
}

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/module-graph")
        .join(name)
        .join("src")
}

#[test]
fn modules_import_each_other_without_cycles_and_in_stage_order() {
    let graph = module_graph(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src"));
    // It reads nested modules and every kind of path, so these edges must be there.
    let serve = |s: &str| -> Module { s.split("::").map(str::to_string).collect() };
    assert!(graph.len() > 40, "found only {:?}", graph.keys());
    assert!(graph[&serve("build")].contains(&serve("render")));
    assert!(
        graph[&serve("serve::http")].contains(&serve("serve::live")),
        "use super::live"
    );
    assert!(
        graph[&serve("serve")].contains(&serve("serve::live")),
        "use live::…"
    );
    assert_eq!(cycles(&graph), Vec::<String>::new());
    assert_eq!(back_imports(&graph), Vec::<String>::new());
}

#[test]
fn a_planted_cycle_through_super_and_a_use_group_is_found() {
    let graph = module_graph(&fixture("cycle"));
    assert_eq!(
        cycles(&graph),
        ["serve → serve::http → serve::respond → serve"]
    );
}

#[test]
fn a_planted_back_import_is_found() {
    let graph = module_graph(&fixture("back-import"));
    assert_eq!(cycles(&graph), Vec::<String>::new());
    assert_eq!(
        back_imports(&graph),
        [
            "`extras` is in no stage: add it to STAGES",
            "load::page imports the later render::view",
        ]
    );
}
