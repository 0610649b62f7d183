//! The content lints as site.toml's `[lints]` sets them: each lint's level (its code's default,
//! `error`, `warning` or `allow`) and the acronyms that may be written in capitals. Stages that
//! find a lint's problem hand it to `report`, which applies the level, so every lint is
//! configured in one place and the same in every channel.

use std::collections::{BTreeSet, HashMap};
use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::OnceLock;

use crate::model::diagnostic::{Code, Diagnostic, Diagnostics, Severity};

/// Acronyms of the field the all-caps lint allows without configuration. Words of four letters
/// or fewer are never reported; the short ones are listed so the list reads as the field's.
pub(crate) const DEFAULT_ACRONYMS: &[&str] = &[
    "SRE", "SLO", "SLI", "SLA", "MTTD", "MTTR", "MTBF", "MTTA", "RTO", "RPO", "FAANG", "MAANG",
    "HIPAA", "GDPR", "HTTPS", "HTTP", "HTML", "JSON", "YAML", "CNCF", "DORA", "ITIL", "OKR", "API",
];

/// How loud a lint is: a build-failing error, a warning, or not reported at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum LintLevel {
    /// Reported, and the build fails.
    Error,
    /// Reported; the build goes on.
    Warning,
    /// Not reported, nor looked for.
    Allow,
}

impl LintLevel {
    /// The names site.toml accepts, in the order the documentation gives them.
    pub(crate) const NAMES: [&'static str; 3] = ["error", "warning", "allow"];

    /// The level site.toml names `name`, if it is one.
    pub(crate) fn from_name(name: &str) -> Option<LintLevel> {
        match name {
            "error" => Some(LintLevel::Error),
            "warning" => Some(LintLevel::Warning),
            "allow" => Some(LintLevel::Allow),
            _ => None,
        }
    }
}

/// The lints' configuration. `Default` is every lint at its code's default level and the
/// default acronyms.
#[derive(Debug, Clone)]
pub(crate) struct Lints {
    /// Levels site.toml set; a lint not here has its code's default.
    levels: HashMap<Code, LintLevel>,
    /// Words the all-caps lint lets pass, as written (upper case).
    acronyms: BTreeSet<String>,
    /// [`fingerprint`](Self::fingerprint), worked out once: every page asks for it.
    fingerprint: OnceLock<u64>,
}

impl Default for Lints {
    fn default() -> Self {
        Lints {
            levels: HashMap::new(),
            acronyms: DEFAULT_ACRONYMS.iter().map(|a| a.to_string()).collect(),
            fingerprint: OnceLock::new(),
        }
    }
}

impl Lints {
    /// Sets `code`'s level (a lint's: other codes are not configurable).
    pub(crate) fn set(&mut self, code: Code, level: LintLevel) {
        debug_assert!(code.is_lint(), "{code} is not a lint");
        self.levels.insert(code, level);
        self.fingerprint = OnceLock::new();
    }

    /// Lets `acronym` pass the all-caps lint, beside the defaults.
    pub(crate) fn allow_acronym(&mut self, acronym: &str) {
        self.acronyms.insert(acronym.to_string());
        self.fingerprint = OnceLock::new();
    }

    /// The severity `code`'s problems are reported with; `None` when it is allowed.
    pub(crate) fn severity(&self, code: Code) -> Option<Severity> {
        match self.levels.get(&code) {
            Some(LintLevel::Error) => Some(Severity::Error),
            Some(LintLevel::Warning) => Some(Severity::Warning),
            Some(LintLevel::Allow) => None,
            None => Some(code.default_severity()),
        }
    }

    /// Whether `code` is reported at all: a lint set to `allow` need not even be looked for.
    pub(crate) fn is_on(&self, code: Code) -> bool {
        self.severity(code).is_some()
    }

    /// Reports a lint's problem at the level configured for its code, or not at all.
    pub(crate) fn report(&self, diagnostic: Diagnostic, out: &mut Diagnostics) {
        if let Some(severity) = self.severity(diagnostic.code) {
            out.push(diagnostic.with_severity(severity));
        }
    }

    /// A hash of the whole configuration: a page remembered from a load with another one
    /// (`Page::linted_with`) must be linted again.
    pub(crate) fn fingerprint(&self) -> u64 {
        *self.fingerprint.get_or_init(|| self.hash())
    }

    /// The fingerprint, worked out.
    fn hash(&self) -> u64 {
        let mut levels: Vec<(Code, LintLevel)> =
            self.levels.iter().map(|(c, l)| (*c, *l)).collect();
        levels.sort_by_key(|(code, _)| *code);
        let mut hasher = DefaultHasher::new();
        for (code, level) in levels {
            (code.name(), LintLevel::NAMES[level as usize]).hash(&mut hasher);
        }
        self.acronyms.hash(&mut hasher);
        hasher.finish()
    }

    /// Whether `word`, written in capitals, is an acronym the site allows.
    pub(crate) fn is_acronym(&self, word: &str) -> bool {
        self.acronyms.contains(word)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::source::SourceFile;

    #[test]
    fn levels_default_to_the_codes_and_can_be_changed_or_allowed() {
        let mut lints = Lints::default();
        assert_eq!(lints.severity(Code::AltTextMissing), Some(Severity::Error));
        assert_eq!(lints.severity(Code::AllCaps), Some(Severity::Warning));
        lints.set(Code::AltTextMissing, LintLevel::Warning);
        lints.set(Code::AllCaps, LintLevel::Allow);
        let file = SourceFile::new("content/a.md", "x\n");
        let mut out = Diagnostics::default();
        lints.report(
            Diagnostic::at(Code::AltTextMissing, &file, 0..1, "m"),
            &mut out,
        );
        lints.report(Diagnostic::at(Code::AllCaps, &file, 0..1, "m"), &mut out);
        assert_eq!(out.0.len(), 1);
        assert_eq!(out.0[0].severity, Severity::Warning);
        assert!(!lints.is_on(Code::AllCaps));
    }

    /// The explanation lists the defaults, so the documentation cannot drift from them.
    #[test]
    fn the_all_caps_explanation_lists_every_default_acronym() {
        let explanation = Code::AllCaps.explanation();
        for acronym in DEFAULT_ACRONYMS {
            assert!(
                explanation.contains(&format!("`{acronym}`")),
                "explanations/all-caps.md does not list `{acronym}`"
            );
        }
    }

    #[test]
    fn the_fingerprint_changes_with_any_level_or_acronym() {
        let default = Lints::default().fingerprint();
        assert_eq!(Lints::default().fingerprint(), default, "stable");
        let mut allowed = Lints::default();
        allowed.set(Code::AllCaps, LintLevel::Allow);
        let allowed_print = allowed.fingerprint();
        let mut acronym = Lints::default();
        acronym.allow_acronym("ONCALL");
        // Worked out once, and again after a change, a clone's too.
        let mut both = allowed.clone();
        both.allow_acronym("ONCALL");
        let prints = [
            default,
            allowed_print,
            acronym.fingerprint(),
            both.fingerprint(),
        ];
        let distinct: BTreeSet<u64> = prints.into_iter().collect();
        assert_eq!(distinct.len(), 4);
    }

    #[test]
    fn acronyms_are_the_defaults_and_those_added() {
        let mut lints = Lints::default();
        assert!(lints.is_acronym("MTTR") && lints.is_acronym("HIPAA"));
        assert!(!lints.is_acronym("OUTAGE"));
        lints.allow_acronym("OUTAGE");
        assert!(lints.is_acronym("OUTAGE"));
    }
}
