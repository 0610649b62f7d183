//! The site as the editor sees it: the pipeline's own stages (`build::prepare_unsaved`, then
//! `build::finish` into a sink that keeps nothing) run over the site on disk with the open
//! documents' unsaved texts in place of their files. What comes back is what every request
//! reads — the checked site, the theme's templates — and the diagnostics, by file, as LSP
//! diagnostics with the same messages and codes as the terminal and the edits their
//! did-you-means make. Writes nothing.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use lsp_types::{
    DiagnosticRelatedInformation, DiagnosticSeverity, Location as LspLocation, NumberOrString,
    TextEdit,
};

use crate::build::{self, BuildOptions, Failure};
use crate::lsp::documents::{Documents, Encoding, range, uri_of};
use crate::lsp::memory::PageCache;
use crate::model::Site;
use crate::model::diagnostic::{Diagnostic, Location, Severity};

/// One diagnostic as published, with the edits that fix it (for code actions).
#[derive(Clone, PartialEq)]
pub(crate) struct Published {
    pub(crate) diagnostic: lsp_types::Diagnostic,
    pub(crate) fixes: Vec<(String, TextEdit)>,
}

/// What one run of the pipeline found.
pub(crate) struct Analysis {
    /// The checked site: pages, data and assets that passed their checks.
    pub(crate) site: Arc<Site>,
    /// The theme's template names (`page.html`).
    pub(crate) templates: Vec<String>,
    /// Every file's diagnostics, by absolute path.
    pub(crate) diagnostics: HashMap<PathBuf, Vec<Published>>,
}

/// Runs the pipeline over the site at `root` with the open documents' texts; an error when the
/// environment fails (no `content/` folder): there is nothing to analyse.
pub(crate) fn analyse(
    root: &Path,
    documents: &Documents,
    encoding: Encoding,
    memory: &PageCache,
) -> Result<Analysis, anyhow::Error> {
    let unsaved = documents
        .iter()
        .map(|(path, document)| (path.clone(), document.text.clone()))
        .collect();
    let options = BuildOptions {
        root: root.to_path_buf(),
        base_url: None,
        drafts: false,
        spill_in: None,
    };
    let mut prepared = match build::prepare_unsaved(&options, Some(memory), Some(&unsaved)) {
        Ok(prepared) => prepared,
        Err(Failure::Environment(error)) => return Err(error),
        Err(Failure::Content(found)) => {
            anyhow::bail!("the site cannot be loaded: {} problems", found.len())
        }
    };
    let found = match build::finish(&mut prepared, &crate::output::Discard) {
        Ok(counts) => counts.warnings,
        Err(Failure::Content(diagnostics)) => diagnostics,
        Err(Failure::Environment(error)) => return Err(error),
    };
    let mut diagnostics: HashMap<PathBuf, Vec<Published>> = HashMap::new();
    for diagnostic in &found {
        let path = root.join(diagnostic.path());
        diagnostics
            .entry(path.clone())
            .or_default()
            .push(published(diagnostic, &path, encoding));
    }
    Ok(Analysis {
        site: Arc::clone(prepared.site.site()),
        templates: prepared.theme.templates.keys().cloned().collect(),
        diagnostics,
    })
}

/// A pipeline diagnostic as LSP shows it: the message with its note and help, the code, the
/// labels as related information, and each edit as a fix.
fn published(diagnostic: &Diagnostic, path: &Path, encoding: Encoding) -> Published {
    let text = match &diagnostic.location {
        Location::At(file, _) => file.text(),
        Location::File(_) => "",
    };
    let span = diagnostic.span().cloned().unwrap_or(0..0);
    let mut message = diagnostic.message.clone();
    if let Some(context) = &diagnostic.context {
        message.push_str(&format!("\nnote: {context}"));
    }
    if let Some(help) = &diagnostic.help {
        message.push_str(&format!("\nhelp: {help}"));
    }
    let uri = uri_of(path);
    let related = uri.as_ref().map(|uri| {
        diagnostic
            .labels()
            .iter()
            .map(|label| DiagnosticRelatedInformation {
                location: LspLocation::new(uri.clone(), range(text, &label.span, encoding)),
                message: label.message.clone(),
            })
            .collect::<Vec<_>>()
    });
    let fixes = diagnostic
        .edits()
        .iter()
        .map(|edit| {
            let title = format!("Replace with `{}`", edit.replacement);
            let edit = TextEdit::new(range(text, &edit.span, encoding), edit.replacement.clone());
            (title, edit)
        })
        .collect();
    Published {
        diagnostic: lsp_types::Diagnostic {
            range: range(text, &span, encoding),
            severity: Some(match diagnostic.severity {
                Severity::Error => DiagnosticSeverity::ERROR,
                Severity::Warning => DiagnosticSeverity::WARNING,
            }),
            code: Some(NumberOrString::String(diagnostic.code.name().to_string())),
            code_description: None,
            source: Some("sre-guide".to_string()),
            message,
            related_information: related.filter(|r| !r.is_empty()),
            tags: None,
            data: None,
        },
        fixes,
    }
}
