//! The floor: the least work a build of the corpus must do — find every `.md` file under a content
//! folder, read it, render its Markdown with pulldown-cmark and sre-guide's options, write the HTML
//! to the page's `index.html` — on every core, with no templates, checks or data. Run in its own
//! process (the bench binary with `--floor`), measured exactly like sre-guide and Hugo.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use pulldown_cmark::{Parser, html};

/// The options the build itself uses.
use sre_guide::markdown::options;

/// Builds `content` into `output` on `available_parallelism` threads; each thread takes the next
/// file from a shared counter, so a slow file never leaves a core idle.
pub(crate) fn build(content: &Path, output: &Path) -> io::Result<usize> {
    let mut sources = Vec::new();
    for entry in walkdir::WalkDir::new(content) {
        let entry = entry?;
        if entry.file_type().is_file() && entry.path().extension().is_some_and(|e| e == "md") {
            sources.push(entry.into_path());
        }
    }
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let next = AtomicUsize::new(0);
    std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|_| scope.spawn(|| render_files(&sources, &next, content, output)))
            .collect();
        workers.into_iter().try_for_each(|worker| {
            worker
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
        })
    })?;
    Ok(sources.len())
}

fn render_files(
    sources: &[PathBuf],
    next: &AtomicUsize,
    content: &Path,
    output: &Path,
) -> io::Result<()> {
    let mut page = String::new();
    while let Some(source) = sources.get(next.fetch_add(1, Ordering::Relaxed)) {
        let text = fs::read_to_string(source)?;
        page.clear();
        html::push_html(&mut page, Parser::new_ext(body_of(&text), options()));
        let target = output.join(route_of(source, content)).join("index.html");
        if let Some(dir) = target.parent() {
            fs::create_dir_all(dir)?;
        }
        fs::write(&target, &page)?;
    }
    Ok(())
}

/// The Markdown after a `+++` front matter block (not parsed: the floor does no metadata).
fn body_of(text: &str) -> &str {
    text.strip_prefix("+++\n")
        .and_then(|rest| rest.split_once("\n+++\n"))
        .map_or(text, |(_, body)| body)
}

/// `s03/p00042.md` → `s03/p00042`, `s03/_index.md` → `s03`: the folders sre-guide writes to.
fn route_of(source: &Path, content: &Path) -> PathBuf {
    let relative = source.strip_prefix(content).unwrap_or(source);
    if relative.file_stem().is_some_and(|stem| stem == "_index") {
        relative.parent().map(Path::to_path_buf).unwrap_or_default()
    } else {
        relative.with_extension("")
    }
}
