//! The evidence record on each checklist item: a rating and dated notes, kept in the browser by
//! the item's id, surviving a reload, following across tabs, deleted with an undo, and with
//! storage blocked still usable for the visit, saying so.

use super::checklists::checklist_ids;
use super::*;

pub(super) const MID_LEVEL: &str = "phases/mid-level/";

/// A tab that scrolls at once: a focus the page moves scrolls smoothly otherwise, and a click
/// during the scroll would miss its target.
pub(super) fn steady(tab: Arc<Tab>) -> Arc<Tab> {
    emulate(&tab, "", &[("prefers-reduced-motion", "reduce")]);
    tab
}

/// A note as a reader writes it.
pub(super) struct Note<'a> {
    pub(super) date: &'a str,
    pub(super) text: &'a str,
    pub(super) link: &'a str,
    pub(super) impact: &'a str,
}

pub(super) const NOTE: Note<'static> = Note {
    date: "2025-03-14",
    text: "Wrote the checkout service’s SLOs and its error budget policy",
    link: "https://example.com/slo-review",
    impact: "Paging fell by a third in a quarter",
};

/// The text of item `index` of phase `phase_index`'s checklist, from the data.
pub(super) fn item_text(phase_index: usize, index: usize) -> String {
    let ladder = data("ladder");
    let phase = array(&ladder, "phases")[phase_index];
    let items = array(phase["checklist"].as_table().expect("checklist"), "items");
    string(items[index], "text").to_string()
}

pub(super) fn panel_of(id: &str) -> String {
    format!("#item-{id} details.evidence")
}

/// Waits for the evidence panels checklist.js adds to every item.
pub(super) fn panels_ready(tab: &Tab) {
    wait_until(
        tab,
        "document.querySelectorAll('details.evidence').length === document.querySelectorAll('input[data-check-id]').length",
        "an evidence panel on every item",
    );
}

/// Opens the item's panel, as a reader does: a click on its summary.
pub(super) fn open_panel(tab: &Tab, id: &str) {
    let panel = panel_of(id);
    if !js_bool(tab, &format!("document.querySelector('{panel}').open")) {
        click(tab, &format!("{panel} summary"));
    }
    wait_until(
        tab,
        &format!("document.querySelector('{panel}').open"),
        "the panel to open",
    );
}

/// Types `text` into the field `selector` (a click, then the text as one input).
fn type_into(tab: &Tab, selector: &str, text: &str) {
    click(tab, selector);
    tab.call("Input.insertText", json!({ "text": text }))
        .expect("type");
}

/// Rates the item and adds `note` through its panel's form.
pub(super) fn record(tab: &Tab, id: &str, rating: &str, note: &Note) {
    open_panel(tab, id);
    let panel = panel_of(id);
    click(tab, &format!("{panel} input[value=\"{rating}\"]"));
    js(
        tab,
        &format!(
            "(() => {{ const d = document.querySelector('{panel} [data-field=date]'); d.value = '{}'; \
               d.dispatchEvent(new Event('input', {{ bubbles: true }})); }})()",
            note.date
        ),
    );
    type_into(tab, &format!("{panel} [data-field=text]"), note.text);
    type_into(tab, &format!("{panel} [data-field=link]"), note.link);
    type_into(tab, &format!("{panel} [data-field=impact]"), note.impact);
    click(tab, &format!("{panel} [data-add-note]"));
    wait_until(
        tab,
        &format!("document.querySelectorAll('{panel} [data-notes] li').length > 0"),
        "the note in the list",
    );
}

/// What the item's panel shows: its rating and its notes' text.
pub(super) fn shown(tab: &Tab, id: &str) -> Value {
    let panel = panel_of(id);
    js(
        tab,
        &format!(
            "(() => {{ const p = document.querySelector('{panel}'); \
               const r = p.querySelector('input[type=radio]:checked'); \
               return {{ rating: r ? r.value : null, summary: p.querySelector('summary').textContent, \
                 notes: [...p.querySelectorAll('[data-notes] li')].map(li => ({{ \
                   date: li.querySelector('time').getAttribute('datetime'), \
                   text: li.textContent.replace(/\\s+/g, ' ').trim(), \
                   link: (li.querySelector('a') || {{}}).href || null }})) }}; }})()"
        ),
    )
}

#[track_caller]
pub(super) fn assert_recorded(seen: &Value, rating: &str, note: &Note) {
    assert_eq!(seen["rating"], json!(rating), "{seen}");
    let notes = seen["notes"].as_array().expect("notes");
    assert_eq!(notes.len(), 1, "{seen}");
    let text = notes[0]["text"].as_str().expect("text");
    for part in [note.date, note.text, note.link, note.impact] {
        assert!(text.contains(part), "the note lacks {part:?}: {text}");
    }
    assert_eq!(notes[0]["date"], json!(note.date));
    assert_eq!(notes[0]["link"], json!(note.link), "the link is a link");
    assert!(
        seen["summary"]
            .as_str()
            .is_some_and(|s| s.contains("1 note") && s.contains(&rating.replace('-', " "))),
        "the closed panel sums it up: {seen}"
    );
}

#[test]
#[ignore = "needs Chromium"]
fn a_note_and_a_rating_survive_a_reload_and_show_in_another_tab() {
    let server = guide();
    let chrome = chrome();
    let tab = steady(chrome.tab());
    let errors = watch_errors(&tab);
    let id = &checklist_ids(1)[0];
    // A second tab on the same page, open before anything is recorded.
    let other = chrome.tab();
    open(&other, &server.at(MID_LEVEL));
    panels_ready(&other);
    tab.bring_to_front().expect("front");
    open(&tab, &server.at(MID_LEVEL));
    panels_ready(&tab);
    record(&tab, id, "consistently", &NOTE);
    assert_recorded(&shown(&tab, id), "consistently", &NOTE);
    assert_eq!(
        js_str(
            &tab,
            &format!(
                "document.querySelector('{} [data-note-status]').textContent",
                panel_of(id)
            )
        ),
        "Note added."
    );
    // The form is ready for the next note.
    assert_eq!(
        js_str(
            &tab,
            &format!(
                "document.querySelector('{} [data-field=text]').value",
                panel_of(id)
            )
        ),
        ""
    );

    reload(&tab);
    panels_ready(&tab);
    assert_recorded(&shown(&tab, id), "consistently", &NOTE);

    // The other tab followed without a reload.
    other.bring_to_front().expect("front");
    wait_until(
        &other,
        &format!(
            "document.querySelectorAll('{} [data-notes] li').length === 1",
            panel_of(id)
        ),
        "the note in the other tab",
    );
    assert_recorded(&shown(&other, id), "consistently", &NOTE);
    // Nothing leaked to the other items.
    for other_id in &checklist_ids(1)[1..] {
        let seen = shown(&other, other_id);
        assert_eq!(seen["notes"], json!([]), "{other_id}: {seen}");
        assert_eq!(seen["rating"], Value::Null, "{other_id}: {seen}");
    }
    assert_no_errors(&errors);
}

/// The dates of the item's notes, in the order shown.
fn notes_of(tab: &Tab, id: &str) -> Vec<String> {
    serde_json::from_value(js(
        tab,
        &format!(
            "[...document.querySelectorAll('{} [data-notes] li')].map(li => li.querySelector('time').textContent)",
            panel_of(id)
        ),
    ))
    .expect("dates")
}

/// The panel's undo, status line and where focus is.
fn after_delete(tab: &Tab, id: &str) -> Value {
    js(
        tab,
        &format!(
            "(() => {{ const p = document.querySelector('{}'); return {{ \
               undo: !p.querySelector('[data-undo-note]').hidden, \
               focused: document.activeElement.matches('[data-undo-note]') ? 'undo' \
                 : document.activeElement.closest('[data-notes] li') ? 'note' : 'elsewhere', \
               status: p.querySelector('[data-note-status]').textContent, \
               role: p.querySelector('[data-note-status]').getAttribute('role') }}; }})()",
            panel_of(id)
        ),
    )
}

#[test]
#[ignore = "needs Chromium"]
fn a_deleted_note_comes_back_in_its_place_with_undo() {
    let server = guide();
    let chrome = chrome();
    let tab = steady(chrome.tab());
    let errors = watch_errors(&tab);
    let id = &checklist_ids(1)[2];
    open(&tab, &server.at(MID_LEVEL));
    panels_ready(&tab);
    record(&tab, id, "sometimes", &NOTE);
    let (panel, second) = (panel_of(id), "2025-04-01");
    js(
        &tab,
        &format!("document.querySelector('{panel} [data-field=date]').value = '{second}'"),
    );
    type_into(
        &tab,
        &format!("{panel} [data-field=text]"),
        "Closed the follow-up",
    );
    click(&tab, &format!("{panel} [data-add-note]"));
    assert_eq!(notes_of(&tab, id), [NOTE.date, second]);
    // Delete the first: it goes, the undo takes focus and the deletion is announced.
    click(&tab, &format!("{panel} [data-notes] li:first-child button"));
    assert_eq!(notes_of(&tab, id), [second]);
    assert_eq!(
        after_delete(&tab, id),
        json!({ "undo": true, "focused": "undo", "status": "Note deleted.", "role": "status" })
    );
    // Undo: the note returns to its place, focus to it, and it is kept.
    click(&tab, &format!("{panel} [data-undo-note]"));
    assert_eq!(notes_of(&tab, id), [NOTE.date, second]);
    assert_eq!(
        after_delete(&tab, id),
        json!({ "undo": false, "focused": "note", "status": "Note restored.", "role": "status" })
    );
    reload(&tab);
    panels_ready(&tab);
    assert_eq!(notes_of(&tab, id), [NOTE.date, second]);
    // A deletion left alone is kept; after a reload there is nothing to undo.
    open_panel(&tab, id);
    click(&tab, &format!("{panel} [data-notes] li:first-child button"));
    reload(&tab);
    panels_ready(&tab);
    assert_eq!(notes_of(&tab, id), [second]);
    assert_eq!(after_delete(&tab, id)["undo"], json!(false));
    assert_no_errors(&errors);
}

#[test]
#[ignore = "needs Chromium"]
fn with_storage_blocked_the_page_reads_and_says_notes_cannot_be_kept() {
    let server = guide();
    let chrome = chrome();
    let tab = steady(chrome.tab());
    let errors = watch_errors(&tab);
    before_every_page(
        &tab,
        "Object.defineProperty(window, 'localStorage', { configurable: true, get() { \
           throw new DOMException('The operation is insecure.', 'SecurityError'); } });",
    );
    let id = &checklist_ids(1)[1];
    open(&tab, &server.at(MID_LEVEL));
    panels_ready(&tab);
    let text = js_str(&tab, "document.querySelector('main').innerText");
    assert!(text.contains(&item_text(1, 1)), "the page reads: {text}");
    open_panel(&tab, id);
    assert!(
        js_bool(
            &tab,
            &format!(
                "!document.querySelector('{} [data-evidence-blocked]').hidden",
                panel_of(id)
            )
        ),
        "the panel says notes cannot be kept"
    );
    assert!(
        js_bool(
            &tab,
            "!document.querySelector('[data-storage-note]').hidden"
        ),
        "so does the checklist"
    );
    record(&tab, id, "not-yet", &NOTE);
    assert_recorded(&shown(&tab, id), "not-yet", &NOTE);
    assert!(
        js_str(
            &tab,
            &format!(
                "document.querySelector('{} [data-note-status]').textContent",
                panel_of(id)
            )
        )
        .contains("this visit only"),
        "adding says the note lasts the visit"
    );
    // The packet page reads too, and says there is nothing kept.
    open(&tab, &server.at("packet/"));
    wait_until(
        &tab,
        "!document.querySelector('[data-packet]').hidden",
        "the packet",
    );
    assert!(js_bool(
        &tab,
        "!document.querySelector('[data-packet-blocked]').hidden"
    ));
    assert_no_errors(&errors);
}

#[test]
#[ignore = "needs Chromium and axe-core (AXE_JS)"]
fn open_evidence_panels_and_the_filled_packet_pass_axe_in_light_and_dark() {
    let axe = super::axe::axe_source();
    let server = guide();
    let chrome = chrome();
    let id = &checklist_ids(1)[0];
    let mut violations = Vec::new();
    for scheme in ["light", "dark"] {
        let tab = chrome.tab();
        set_color_scheme(&tab, scheme);
        before_every_page(&tab, &axe);
        open(&tab, &server.at(MID_LEVEL));
        panels_ready(&tab);
        if scheme == "light" {
            record(&tab, id, "sometimes", &NOTE);
        }
        js(
            &tab,
            "document.querySelectorAll('details').forEach(d => d.open = true)",
        );
        violations.extend(
            super::axe::run_axe(&tab, "evidence panels")
                .into_iter()
                .map(|v| format!("{scheme} {MID_LEVEL}: {v}")),
        );
        open(&tab, &server.at("packet/"));
        js(
            &tab,
            "document.querySelectorAll('details').forEach(d => d.open = true)",
        );
        click(&tab, "[data-copy]");
        violations.extend(
            super::axe::run_axe(&tab, "packet")
                .into_iter()
                .map(|v| format!("{scheme} packet/: {v}")),
        );
        tab.close().expect("close");
    }
    assert!(violations.is_empty(), "{violations:#?}");
}
