//! The page script the preview adds to every page it serves (`livereload.js`: reloads, the
//! stylesheet swap and the overlay) and where it and the event stream live, relative to the
//! site root. Constants only.

/// Where the page script and the event stream live, relative to the site root.
pub(super) const EVENTS: &str = "__sre-guide/events";
pub(super) const SCRIPT: &str = "__sre-guide/livereload.js";
pub(super) const LIVERELOAD_JS: &str = include_str!("livereload.js");
