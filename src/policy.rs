//! The safety policy in front of the tools: read-only mode, the allowlist and the denylist.
//!
//! The policy decides once, at start-up, which tools `tools/list` shows, and again at call time
//! for every call, so a client that calls a hidden tool by name is refused with `READ_ONLY` or
//! `TOOL_DISABLED` instead of reaching the backend. Tools whose access depends on the call (an
//! escape hatch that reads with GET and writes with POST) stay listed in read-only mode and are
//! refused only for the calls that would write. The order is: read-only first, then the
//! allowlist (empty = every tool), then the denylist.
//!
//! Patterns are shell-style, matched on the whole tool name with globset: `*` and `?`,
//! `[abc]`, `[a-z]`, `[!x]`; `{a,b}` is an alternation (Python's fnmatch would take braces
//! literally); an unclosed `[` is taken literally, as fnmatch does; matching is case-sensitive.

use crate::catalog::{Access, ToolDef};
use crate::error::{ErrorCode, StartupError, ToolError};
use globset::{Glob, GlobBuilder, GlobSet, GlobSetBuilder};

/// A compiled list of tool-name patterns.
#[derive(Debug, Clone)]
pub struct Patterns {
    set: GlobSet,
    patterns: Vec<String>,
}

impl Patterns {
    /// Parses a comma list of patterns; `None` when the list is empty.
    pub fn parse(setting: &str, text: &str) -> Result<Option<Patterns>, StartupError> {
        let patterns: Vec<String> = split_list(text)
            .into_iter()
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(str::to_string)
            .collect();
        if patterns.is_empty() {
            return Ok(None);
        }
        let mut builder = GlobSetBuilder::new();
        for p in &patterns {
            builder.add(glob(p).map_err(|e| {
                StartupError::Config(format!("{setting}: pattern `{p}` is not valid: {e}"))
            })?);
        }
        let set = builder
            .build()
            .map_err(|e| StartupError::Config(format!("{setting}: {e}")))?;
        Ok(Some(Patterns { set, patterns }))
    }

    pub fn is_match(&self, name: &str) -> bool {
        self.set.is_match(name)
    }

    /// The patterns that match none of `names` (likely typos).
    pub fn unmatched<'a>(&'a self, names: &[&str]) -> Vec<&'a str> {
        self.patterns
            .iter()
            .filter(|p| {
                glob(p).is_ok_and(|g| {
                    let m = g.compile_matcher();
                    !names.iter().any(|n| m.is_match(n))
                })
            })
            .map(String::as_str)
            .collect()
    }

    pub fn as_list(&self) -> String {
        self.patterns.join(",")
    }
}

/// Splits a comma list, keeping the commas of `{a,b}` alternations inside their pattern.
fn split_list(text: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut depth = 0usize;
    let mut start = 0;
    for (i, c) in text.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => depth = depth.saturating_sub(1),
            ',' if depth == 0 => {
                parts.push(&text[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&text[start..]);
    parts
}

fn glob(pattern: &str) -> Result<Glob, globset::Error> {
    GlobBuilder::new(pattern)
        .literal_separator(false)
        .backslash_escape(true)
        .allow_unclosed_class(true)
        .build()
}

/// The policy of one backend instance.
#[derive(Debug, Clone, Default)]
pub struct Policy {
    pub read_only: bool,
    pub enabled: Option<Patterns>,
    pub disabled: Option<Patterns>,
    /// The instance's tool-name prefix: patterns match a tool's name with or without it.
    pub prefix: String,
}

/// Why a tool is not available.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    ReadOnly,
    Disabled,
}

impl Policy {
    /// Whether `tools/list` shows the tool.
    pub fn visible(&self, def: &ToolDef) -> bool {
        self.refusal(def, def.access == Access::Write).is_none()
    }

    /// Why a call of `def` that `writes` (or not) is refused, if it is.
    pub fn refusal(&self, def: &ToolDef, writes: bool) -> Option<Refusal> {
        if self.read_only && (def.access == Access::Write || writes) {
            return Some(Refusal::ReadOnly);
        }
        let exposed = self.exposed(&def.name);
        let matches = |p: &Patterns| p.is_match(&def.name) || p.is_match(&exposed);
        if self.enabled.as_ref().is_some_and(|p| !matches(p)) {
            return Some(Refusal::Disabled);
        }
        if self.disabled.as_ref().is_some_and(matches) {
            return Some(Refusal::Disabled);
        }
        None
    }

    /// A tool's name as clients see it.
    pub fn exposed(&self, name: &str) -> String {
        format!("{}{name}", self.prefix)
    }

    /// The call-time check: `Ok` or the structured refusal.
    pub fn check(
        &self,
        def: &ToolDef,
        writes: bool,
        settings: &PolicyNames,
    ) -> Result<(), ToolError> {
        match self.refusal(def, writes) {
            None => Ok(()),
            Some(Refusal::ReadOnly) if def.access == Access::Write => Err(ToolError::new(
                ErrorCode::ReadOnly,
                format!(
                    "`{}` changes monitoring state and this gateway is read-only",
                    self.exposed(&def.name)
                ),
            )
            .with_hint(format!(
                "Read-only mode is on ({}). Use the read tools, or ask the operator to turn it off.",
                settings.read_only
            ))),
            Some(Refusal::ReadOnly) => Err(ToolError::new(
                ErrorCode::ReadOnly,
                format!(
                    "this call of `{}` would write and this gateway is read-only",
                    self.exposed(&def.name)
                ),
            )
            .with_hint("In read-only mode escape hatches only read: use method GET or HEAD.")),
            Some(Refusal::Disabled) => Err(ToolError::new(
                ErrorCode::ToolDisabled,
                format!("`{}` is disabled on this gateway", self.exposed(&def.name)),
            )
            .with_hint(format!(
                "The operator's tool filter ({} / {}) excludes it; call tools/list for the tools you can use.",
                settings.enabled, settings.disabled
            ))),
        }
    }
}

/// The names of the settings behind a policy, for hints that tell the user what to change.
#[derive(Debug, Clone)]
pub struct PolicyNames {
    pub read_only: String,
    pub enabled: String,
    pub disabled: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pats(text: &str) -> Patterns {
        Patterns::parse("TEST", text)
            .ok()
            .flatten()
            .expect("patterns")
    }

    #[test]
    fn fnmatch_style_patterns() {
        let p = pats("thruk_list_*, thruk_get_?ost");
        assert!(p.is_match("thruk_list_hosts"));
        assert!(p.is_match("thruk_get_host"));
        assert!(!p.is_match("thruk_get_service"));
        assert!(!p.is_match("THRUK_LIST_HOSTS"), "case-sensitive");
        let p = pats("thruk_{stats,sites}, thruk_recheck");
        assert!(
            p.is_match("thruk_stats") && p.is_match("thruk_sites") && p.is_match("thruk_recheck")
        );
        assert!(!p.is_match("thruk_problems"));
        let p = pats("thruk_[!q]*");
        assert!(p.is_match("thruk_stats") && !p.is_match("thruk_query"));
        // An unclosed class is literal, as in fnmatch.
        let p = pats("odd[name");
        assert!(p.is_match("odd[name"));
        assert_eq!(
            Patterns::parse("TEST", " , ")
                .ok()
                .flatten()
                .map(|p| p.as_list()),
            None
        );
    }

    #[test]
    fn unmatched_patterns_are_reported() {
        let p = pats("thruk_list_*,thruk_lsit_hosts");
        assert_eq!(p.unmatched(&["thruk_list_hosts"]), vec!["thruk_lsit_hosts"]);
    }
}
