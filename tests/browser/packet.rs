//! "My packet": the reader's evidence under the expectations of their phase and the next, copied
//! as Markdown, downloaded as a JSON file that follows its published schema, uploaded again in a
//! fresh profile (what it changes said first, added by default), printed one phase to a page,
//! and without JavaScript a page that says what it does.

use super::checklists::{checklist_ids, tick};
use super::evidence::{MID_LEVEL, NOTE, item_text, panels_ready, record, steady};
use super::*;

const PACKET: &str = "packet/";

fn packet_ready(tab: &Tab) {
    wait_until(
        tab,
        "!document.querySelector('[data-packet]').hidden",
        "the packet",
    );
}

/// Picks the reader's level in the packet's select, as a keyboard user would.
fn hold(tab: &Tab, phase: &str) {
    js(
        tab,
        &format!(
            "(() => {{ const s = document.getElementById('packet-level'); s.focus(); s.value = '{phase}'; \
               s.dispatchEvent(new Event('change', {{ bubbles: true }})); }})()"
        ),
    );
}

/// The shown sections: [phase id, role line, checklist title].
fn sections(tab: &Tab) -> Value {
    js(
        tab,
        "[...document.querySelectorAll('[data-phase]')].filter(s => !s.hidden).map(s => \
           [s.dataset.phase, s.querySelector('[data-role]').textContent, s.querySelector('[data-checklist-title]').textContent])",
    )
}

/// The item's line in the packet: its state and its notes.
fn item_line(tab: &Tab, phase: &str, id: &str) -> String {
    js_str(
        tab,
        &format!(
            "document.querySelector('[data-phase=\"{phase}\"] [data-item=\"{id}\"]').innerText.replace(/\\s+/g, ' ').trim()"
        ),
    )
}

/// The next level's name after the level of the ladder's phase `index`.
fn next_level_name(index: usize) -> String {
    let ladder = data("ladder");
    let level = string(array(&ladder, "phases")[index + 1], "level").to_string();
    array(&ladder, "levels")
        .iter()
        .find(|l| string(l, "id") == level)
        .map(|l| string(l, "name").to_string())
        .expect("the level")
}

/// Lets this tab's downloads land in `dir`.
fn downloads_into(tab: &Tab, dir: &std::path::Path) {
    tab.call(
        "Page.setDownloadBehavior",
        json!({ "behavior": "allow", "downloadPath": dir.to_string_lossy() }),
    )
    .expect("Page.setDownloadBehavior");
}

/// The one finished download in `dir`.
fn downloaded(dir: &std::path::Path) -> std::path::PathBuf {
    let started = Instant::now();
    loop {
        let done: Vec<std::path::PathBuf> = std::fs::read_dir(dir)
            .expect("read the download folder")
            .map(|e| e.expect("entry").path())
            .filter(|p| p.extension().is_some_and(|e| e == "json"))
            .collect();
        if let [file] = done.as_slice() {
            return file.clone();
        }
        assert!(started.elapsed() < WAIT, "no download in {}", dir.display());
        std::thread::sleep(Duration::from_millis(25));
    }
}

/// What the upload says about the chosen file.
fn upload_status(tab: &Tab) -> String {
    js_str(
        tab,
        "document.querySelector('[data-upload-status]').textContent",
    )
}

fn upload(tab: &Tab, file: &std::path::Path) {
    tab.set_input_files("#packet-file", &[&file.to_string_lossy()])
        .expect("choose the file");
    wait_until(
        tab,
        "!document.querySelector('[data-upload-choice]').hidden",
        "the upload's preview",
    );
}

#[test]
#[ignore = "needs Chromium"]
fn a_record_reaches_the_packet_the_markdown_and_the_file_and_comes_back_in_a_fresh_profile() {
    let schema: Value = serde_json::from_slice(&output()["static/evidence.schema.json"])
        .expect("the evidence schema is JSON");
    let server = guide();
    let chrome = chrome();
    let tab = steady(chrome.tab());
    let errors = watch_errors(&tab);
    let mid = checklist_ids(1);
    open(&tab, &server.at(MID_LEVEL));
    panels_ready(&tab);
    record(&tab, &mid[0], "consistently", &NOTE);
    tick(&tab, &mid[1]);
    open(&tab, &server.at(PACKET));
    packet_ready(&tab);
    hold(&tab, "phase-2");
    the_packet_shows_it_under_phase_2(&tab);
    // The choice is remembered.
    reload(&tab);
    packet_ready(&tab);
    assert_eq!(sections(&tab)[0][0], json!("phase-2"));
    the_markdown_holds_it(&tab);
    let folder = tempfile::tempdir().expect("a download folder");
    let file = the_download_holds_it(&tab, folder.path(), &schema);
    assert_no_errors(&errors);

    // A fresh profile: nothing recorded until the file is uploaded, then all of it.
    let device = chrome.another_device();
    let fresh = steady(device.tab());
    let fresh_errors = watch_errors(&fresh);
    the_upload_restores_it(&fresh, server, &file);
    assert_no_errors(&fresh_errors);
}

/// The note and rating on Phase 2's first item, its second ticked, seen on the packet page.
fn the_packet_shows_it_under_phase_2(tab: &Tab) {
    let (mid, senior) = (checklist_ids(1), checklist_ids(2));
    assert_eq!(
        sections(tab),
        json!([
            [
                "phase-2",
                "The level you hold now",
                format!("Before you move to {}", next_level_name(1))
            ],
            [
                "phase-3",
                "The next level",
                format!("Before you move to {}", next_level_name(2))
            ]
        ])
    );
    // Under the right expectation: the Phase 2 checklist's item, with its rating and note.
    let line = item_line(tab, "phase-2", &mid[0]);
    let item = item_text(1, 0);
    for part in [
        "In progress, consistently",
        &item,
        NOTE.date,
        NOTE.text,
        NOTE.link,
        NOTE.impact,
    ] {
        assert!(
            line.contains(part),
            "the packet's line lacks {part:?}: {line}"
        );
    }
    assert!(item_line(tab, "phase-2", &mid[1]).starts_with("Done:"));
    assert!(item_line(tab, "phase-2", &mid[2]).starts_with("Missing:"));
    assert!(item_line(tab, "phase-3", &senior[0]).starts_with("Missing:"));
    assert_eq!(
        js_str(
            tab,
            "document.querySelector('[data-phase=\"phase-2\"] [data-missing]').textContent"
        ),
        format!(
            "Still missing: {} of {}, marked below.",
            mid.len() - 1,
            mid.len()
        )
    );
}

/// Copied as Markdown: the note and rating under the checklist they belong to, in order.
fn the_markdown_holds_it(tab: &Tab) {
    click(tab, "[data-copy]");
    wait_until(
        tab,
        "document.getElementById('packet-markdown').value.length > 0",
        "the Markdown",
    );
    let markdown = js_str(tab, "document.getElementById('packet-markdown').value");
    assert!(
        markdown.starts_with("# My packet: Phase 2: Mid-level SRE → Phase 3: Senior SRE\n"),
        "{markdown}"
    );
    let expected = [
        "## Phase 2: Mid-level SRE (the level I hold now)".to_string(),
        format!("### Before you move to {}", next_level_name(1)),
        format!("- [ ] {} (consistently)", item_text(1, 0)),
        format!(
            "  - {} · {} · {} · Impact: {}",
            NOTE.date, NOTE.text, NOTE.link, NOTE.impact
        ),
        format!("- [x] {}", item_text(1, 1)),
        format!("- [ ] {}: still missing", item_text(1, 2)),
    ];
    let mut at = 0;
    for line in &expected {
        let found = markdown[at..]
            .find(&format!("{line}\n"))
            .unwrap_or_else(|| panic!("the Markdown lacks {line:?} (in order):\n{markdown}"));
        at += found + line.len();
    }
}

/// Downloaded into `folder`: the whole record, as its schema says. Returns the file.
fn the_download_holds_it(
    tab: &Tab,
    folder: &std::path::Path,
    schema: &Value,
) -> std::path::PathBuf {
    let mid = checklist_ids(1);
    downloads_into(tab, folder);
    click(tab, "[data-download]");
    let file = downloaded(folder);
    let record: Value =
        serde_json::from_slice(&std::fs::read(&file).expect("read the download")).expect("JSON");
    let validator = jsonschema::validator_for(schema).expect("a valid schema");
    let problems: Vec<String> = validator
        .iter_errors(&record)
        .map(|e| e.to_string())
        .collect();
    assert!(
        problems.is_empty(),
        "the file breaks its schema: {problems:?}\n{record:#}"
    );
    assert_eq!(
        [&record["format"], &record["version"]],
        [&json!("sre-guide-evidence"), &json!(1)]
    );
    assert_eq!(
        record["items"][&mid[0]]["rating"],
        json!("consistently"),
        "{record:#}"
    );
    let note = &record["items"][&mid[0]]["notes"][0];
    assert_eq!(
        [&note["date"], &note["text"], &note["link"], &note["impact"]],
        [
            &json!(NOTE.date),
            &json!(NOTE.text),
            &json!(NOTE.link),
            &json!(NOTE.impact)
        ]
    );
    assert_eq!(record["items"][&mid[1]], json!({ "done": true }));
    file
}

/// In a fresh profile: the upload says what it brings, changes nothing until the reader adds
/// it (the default), and then the packet and the phase page show everything.
fn the_upload_restores_it(fresh: &Tab, server: &Server, file: &std::path::Path) {
    let mid = checklist_ids(1);
    open(fresh, &server.at(PACKET));
    packet_ready(fresh);
    hold(fresh, "phase-2");
    assert!(item_line(fresh, "phase-2", &mid[0]).starts_with("Missing:"));
    click(fresh, "details.upload summary");
    upload(fresh, file);
    let preview = upload_status(fresh);
    assert!(
        preview.contains("1 tick, 1 rating and 1 note")
            && preview.contains("brings 1 new tick, 1 new rating and 1 new note"),
        "the upload says what it holds and changes: {preview}"
    );
    assert!(
        item_line(fresh, "phase-2", &mid[0]).starts_with("Missing:"),
        "nothing changes before the reader agrees"
    );
    assert!(
        js_bool(fresh, "document.activeElement.matches('[data-take]')"),
        "adding is the default"
    );
    click(fresh, "[data-take]");
    let line = item_line(fresh, "phase-2", &mid[0]);
    assert!(
        line.contains(NOTE.text) && line.contains("consistently"),
        "{line}"
    );
    open(fresh, &server.at(MID_LEVEL));
    panels_ready(fresh);
    super::evidence::assert_recorded(
        &super::evidence::shown(fresh, &mid[0]),
        "consistently",
        &NOTE,
    );
    assert!(js_bool(
        fresh,
        &format!("document.getElementById('check-{}').checked", mid[1])
    ));
}

#[test]
#[ignore = "needs Chromium"]
fn an_upload_adds_by_default_keeping_the_readers_own_and_replaces_on_request() {
    let server = guide();
    let chrome = chrome();
    let tab = steady(chrome.tab());
    let errors = watch_errors(&tab);
    let mid = checklist_ids(1);
    open(&tab, &server.at(MID_LEVEL));
    panels_ready(&tab);
    record(&tab, &mid[0], "sometimes", &NOTE);
    // A file from elsewhere: another rating for the same item, another note, a tick.
    let folder = tempfile::tempdir().expect("a folder");
    let file = folder.path().join("record.json");
    let theirs = json!({
        "format": "sre-guide-evidence", "version": 1, "exported": "2025-05-01T10:00:00.000Z",
        "items": {
            (mid[0].clone()): { "rating": "consistently", "notes": [
                { "id": "abc", "date": "2025-04-30", "text": "Presented the SLO review", "link": "", "impact": "" } ] },
            (mid[3].clone()): { "done": true }
        }
    });
    std::fs::write(&file, serde_json::to_vec(&theirs).expect("JSON")).expect("write the file");
    open(&tab, &server.at(PACKET));
    packet_ready(&tab);
    hold(&tab, "phase-2");
    click(&tab, "details.upload summary");
    upload(&tab, &file);
    let preview = upload_status(&tab);
    assert!(
        preview.contains("your own rating stays on 1 item"),
        "a different rating of the reader's is kept, and it says so: {preview}"
    );
    click(&tab, "[data-take]");
    let line = item_line(&tab, "phase-2", &mid[0]);
    assert!(
        line.contains("sometimes")
            && line.contains(NOTE.text)
            && line.contains("Presented the SLO review"),
        "added: both notes, the reader's rating: {line}"
    );
    assert!(item_line(&tab, "phase-2", &mid[3]).starts_with("Done:"));
    // The same file again adds nothing twice.
    upload(&tab, &file);
    let again = upload_status(&tab);
    assert!(
        again.contains("brings 0 new ticks, 0 new ratings and 0 new notes"),
        "{again}"
    );
    // Replacing makes the browser match the file.
    click(&tab, "[data-replace]");
    let line = item_line(&tab, "phase-2", &mid[0]);
    assert!(
        line.contains("consistently")
            && !line.contains(NOTE.text)
            && line.contains("Presented the SLO review"),
        "replaced: {line}"
    );
    // Not a record of this guide: said, and nothing changes.
    std::fs::write(&file, b"{\"format\": \"other\"}").expect("write");
    js(&tab, "document.getElementById('packet-file').value = ''");
    tab.set_input_files("#packet-file", &[&file.to_string_lossy()])
        .expect("choose");
    wait_until(
        &tab,
        "document.querySelector('[data-upload-status]').textContent.includes('not an evidence file')",
        "the refusal",
    );
    assert!(js_bool(
        &tab,
        "document.querySelector('[data-upload-choice]').hidden"
    ));
    assert_no_errors(&errors);
}

#[test]
#[ignore = "needs Chromium"]
fn without_javascript_the_packet_page_says_what_it_does_and_links_the_checklists() {
    let server = guide();
    let chrome = chrome();
    let tab = steady(chrome.tab());
    tab.call(
        "Emulation.setScriptExecutionDisabled",
        json!({ "value": true }),
    )
    .expect("disable JavaScript");
    open(&tab, &server.at(PACKET));
    let seen = js(
        &tab,
        "({ text: document.querySelector('main').innerText, \
            links: [...document.querySelectorAll('.no-js a')].filter(a => a.offsetParent).map(a => a.getAttribute('href')), \
            app: getComputedStyle(document.querySelector('[data-packet]')).display })",
    );
    let text = seen["text"].as_str().expect("text");
    assert!(text.contains("needs JavaScript"), "{text}");
    assert!(
        text.contains("Nothing is sent anywhere"),
        "it says what it does: {text}"
    );
    assert_eq!(seen["app"], json!("none"), "no controls that cannot work");
    let ladder = data("ladder");
    let expected: Vec<String> = array(&ladder, "phases")
        .iter()
        .map(|p| {
            format!(
                "../{}/index.html#phase-checklist",
                string(p, "page").trim_end_matches(".md")
            )
        })
        .collect();
    assert_eq!(seen["links"], json!(expected));
}

#[test]
#[ignore = "needs Chromium"]
fn the_packet_prints_a_page_per_phase_without_its_controls() {
    let server = guide();
    let chrome = chrome();
    let tab = steady(chrome.tab());
    open(&tab, &server.at(PACKET));
    packet_ready(&tab);
    hold(&tab, "phase-2");
    let pdf = tab.print_to_pdf(a4()).expect("print");
    let pages = pdf_pages(&pdf);
    assert_eq!(pages.len(), 2, "one page per phase: {pages:#?}");
    assert!(
        pages[0].contains("Phase 2: Mid-level SRE") && !pages[0].contains("Phase 3: Senior SRE")
    );
    assert!(pages[1].contains("Phase 3: Senior SRE"));
    for control in [
        "Copy as Markdown",
        "Download the record",
        "Upload a record",
        "(Phase 1)",
    ] {
        assert!(!pages.concat().contains(control), "{control:?} is printed");
    }
}

/// A4 paper, the page's own @page rules (size and margins) in charge.
pub(super) fn a4() -> Value {
    json!({ "paperWidth": 8.27, "paperHeight": 11.69, "preferCSSPageSize": true })
}

/// The text of each page of a PDF, its whitespace runs as one space and its ligatures ("ﬀ")
/// as letters.
pub(super) fn pdf_pages(pdf: &[u8]) -> Vec<String> {
    let document = lopdf::Document::load_mem(pdf).expect("a PDF");
    document
        .get_pages()
        .keys()
        .map(|number| {
            let text = document.extract_text(&[*number]).expect("the page's text");
            text.replace('\u{fb00}', "ff")
                .replace('\u{fb01}', "fi")
                .replace('\u{fb02}', "fl")
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect()
}
