//! Phase checklists: ticks saved per item id, export and import, and blocked storage.

use super::*;

const PHASE: &str = "phases/junior/";

pub(super) fn checklist_ids(phase_index: usize) -> Vec<String> {
    let ladder = data("ladder");
    let phase = array(&ladder, "phases")[phase_index];
    array(phase["checklist"].as_table().expect("checklist"), "items")
        .iter()
        .map(|i| string(i, "id").to_string())
        .collect()
}

fn checked_ids(tab: &Tab) -> Vec<String> {
    let value = js(
        tab,
        "[...document.querySelectorAll('input[data-check-id]')].filter(c => c.checked).map(c => c.dataset.checkId).sort()",
    );
    serde_json::from_value(value).expect("a list of ids")
}

fn done_line(tab: &Tab) -> String {
    js_str(
        tab,
        "document.querySelector('.progress-line').innerText.replace(/\\s+/g, ' ').trim()",
    )
}

/// Ticks an item the way a reader does: a click on its label's text.
pub(super) fn tick(tab: &Tab, id: &str) {
    click_first_line(tab, &format!("label[for=\"check-{id}\"]"));
}

#[test]
#[ignore = "needs Chromium"]
fn checklist_ticks_survive_a_reload() {
    let server = guide();
    let chrome = chrome();
    let tab = chrome.tab();
    let errors = watch_errors(&tab);
    let ids = checklist_ids(0);
    open(&tab, &server.at(PHASE));
    wait_until(
        &tab,
        "!document.querySelector('[data-tools]').hidden",
        "the checklist tools",
    );
    assert_eq!(done_line(&tab), format!("0 of {} done", ids.len()));
    tick(&tab, &ids[0]);
    tick(&tab, &ids[2]);
    assert_eq!(done_line(&tab), format!("2 of {} done", ids.len()));
    reload(&tab);
    wait_until(
        &tab,
        "!document.querySelector('[data-tools]').hidden",
        "the checklist tools",
    );
    let mut expected = vec![ids[0].clone(), ids[2].clone()];
    expected.sort();
    assert_eq!(checked_ids(&tab), expected, "ticks after a reload");
    assert_eq!(done_line(&tab), format!("2 of {} done", ids.len()));
    // Unticking is saved too.
    tick(&tab, &ids[0]);
    reload(&tab);
    wait_until(
        &tab,
        "!document.querySelector('[data-tools]').hidden",
        "the checklist tools",
    );
    assert_eq!(checked_ids(&tab), vec![ids[2].clone()]);
    assert_eq!(done_line(&tab), format!("1 of {} done", ids.len()));
    assert!(
        js_bool(&tab, "document.querySelector('[data-storage-note]').hidden"),
        "the blocked-storage note shows although storage works"
    );
    assert_no_errors(&errors);
}

#[test]
#[ignore = "needs Chromium"]
fn checklist_ticks_survive_a_rebuild_with_the_items_reordered() {
    // Its own server: it swaps in the rebuilt site.
    let server = Server::start(output().clone());
    let chrome = chrome();
    let tab = chrome.tab();
    let ids = checklist_ids(0);
    open(&tab, &server.at(PHASE));
    wait_until(
        &tab,
        "!document.querySelector('[data-tools]').hidden",
        "the checklist tools",
    );
    tick(&tab, &ids[0]);
    tick(&tab, &ids[1]);

    // Reverse the Junior phase's items in ladder.toml and rebuild; serve the new output.
    let ladder_path = "content/data/ladder.toml";
    let original =
        std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(ladder_path))
            .expect("read ladder.toml");
    let block = |id: &str| -> String {
        let start = original
            .find(&format!("[[phases.checklist.items]]\nid = \"{id}\""))
            .unwrap_or_else(|| panic!("the item {id} in ladder.toml"));
        let end = original[start + 1..]
            .find("\n[")
            .map_or(original.len(), |e| start + 1 + e + 1);
        original[start..end].to_string()
    };
    let blocks: Vec<String> = ids.iter().map(|id| block(id)).collect();
    let first = original.find(&blocks[0]).expect("first block");
    let last = original
        .find(&blocks[blocks.len() - 1])
        .expect("last block")
        + blocks[blocks.len() - 1].len();
    assert_eq!(
        original[first..last],
        blocks.concat(),
        "the items are contiguous"
    );
    let reversed: String = blocks
        .iter()
        .rev()
        .map(|b| format!("{}\n", b.trim_end()))
        .collect::<Vec<_>>()
        .join("\n");
    let edited = format!("{}{}{}", &original[..first], reversed, &original[last..]);
    let rebuilt = Site::repo().file(ladder_path, &edited);
    rebuilt.run(["build"]).code(0);
    server.replace(
        rebuilt
            .tree("output")
            .into_iter()
            .filter(|(p, _)| !p.ends_with('/'))
            .collect(),
    );

    reload(&tab);
    wait_until(
        &tab,
        "!document.querySelector('[data-tools]').hidden",
        "the checklist tools",
    );
    let order: Vec<String> = serde_json::from_value(js(
        &tab,
        "[...document.querySelectorAll('input[data-check-id]')].map(c => c.dataset.checkId)",
    ))
    .expect("ids");
    let mut reversed_ids = ids.clone();
    reversed_ids.reverse();
    assert_eq!(
        order, reversed_ids,
        "the rebuilt page lists the items reversed"
    );
    let mut expected = vec![ids[0].clone(), ids[1].clone()];
    expected.sort();
    assert_eq!(
        checked_ids(&tab),
        expected,
        "the same items stay ticked, by id"
    );
    assert_eq!(done_line(&tab), format!("2 of {} done", ids.len()));
}

#[test]
#[ignore = "needs Chromium"]
fn checklist_progress_exported_as_a_link_imports_on_another_device() {
    let server = guide();
    let chrome = chrome();
    let tab = chrome.tab();
    let errors = watch_errors(&tab);
    let junior = checklist_ids(0);
    let mid = checklist_ids(1);
    // Ticks on two phases.
    open(&tab, &server.at(PHASE));
    wait_until(
        &tab,
        "!document.querySelector('[data-tools]').hidden",
        "the checklist tools",
    );
    tick(&tab, &junior[1]);
    tick(&tab, &junior[3]);
    open(&tab, &server.at("phases/mid-level/"));
    wait_until(
        &tab,
        "!document.querySelector('[data-tools]').hidden",
        "the checklist tools",
    );
    tick(&tab, &mid[0]);
    // Export: open the transfer panel, create the link.
    click(&tab, "details.transfer summary");
    click(&tab, "button[data-export]");
    wait_until(
        &tab,
        "document.querySelector('[data-status]').textContent.length > 0",
        "the export status",
    );
    let link = js_str(&tab, "document.querySelector('[data-code]').value");
    assert!(
        link.starts_with(&server.url),
        "the link is to this site: {link}"
    );
    assert_no_errors(&errors);

    // Another device: a fresh browser context (its own storage) opens the link.
    let device = chrome.another_device();
    let other = device.tab();
    let other_errors = watch_errors(&other);
    open(&other, &server.at(PHASE));
    wait_until(
        &other,
        "!document.querySelector('[data-tools]').hidden",
        "the checklist tools",
    );
    assert!(
        checked_ids(&other).is_empty(),
        "the other device starts empty"
    );
    open(&other, &link);
    wait_until(
        &other,
        "!document.querySelector('[data-tools]').hidden",
        "the checklist tools",
    );
    assert!(
        checked_ids(&other).is_empty(),
        "opening the link must not overwrite progress before the reader agrees"
    );
    assert!(
        js_bool(&other, "document.querySelector('details.transfer').open"),
        "the import is offered"
    );
    click(&other, "button[data-import]");
    let mut expected = vec![mid[0].clone()];
    expected.sort();
    assert_eq!(checked_ids(&other), expected, "mid-level ticks imported");
    assert_eq!(done_line(&other), format!("1 of {} done", mid.len()));
    // The other phase's ticks came along.
    open(&other, &server.at(PHASE));
    wait_until(
        &other,
        "!document.querySelector('[data-tools]').hidden",
        "the checklist tools",
    );
    let mut expected = vec![junior[1].clone(), junior[3].clone()];
    expected.sort();
    assert_eq!(checked_ids(&other), expected, "junior ticks imported");
    assert_eq!(done_line(&other), format!("2 of {} done", junior.len()));
    // The same import pasted by hand works too.
    click(&other, "button[data-reset]");
    assert!(checked_ids(&other).is_empty());
    click(&other, "details.transfer summary");
    click(&other, "[data-code]");
    js(&other, "document.querySelector('[data-code]').value = ''");
    // Pasted, as a reader would: one input of the whole text.
    other
        .call("Input.insertText", json!({ "text": link }))
        .expect("paste the link");
    click(&other, "button[data-import]");
    assert_eq!(
        checked_ids(&other),
        expected,
        "junior ticks imported from a pasted link"
    );
    assert_no_errors(&other_errors);
}

#[test]
#[ignore = "needs Chromium"]
fn checklists_work_with_storage_blocked() {
    let server = guide();
    let chrome = chrome();
    let tab = chrome.tab();
    let errors = watch_errors(&tab);
    before_every_page(
        &tab,
        "Object.defineProperty(window, 'localStorage', { configurable: true, get() { \
           throw new DOMException('The operation is insecure.', 'SecurityError'); } });",
    );
    let ids = checklist_ids(0);
    open(&tab, &server.at(PHASE));
    assert!(
        js_bool(
            &tab,
            "(() => { try { localStorage; return false; } catch (e) { return true; } })()"
        ),
        "storage is blocked for this test"
    );
    wait_until(
        &tab,
        "!document.querySelector('[data-tools]').hidden",
        "the checklist tools",
    );
    assert!(
        js_bool(
            &tab,
            "!document.querySelector('[data-storage-note]').hidden"
        ),
        "a note says the ticks will not be kept"
    );
    tick(&tab, &ids[0]);
    tick(&tab, &ids[3]);
    let mut expected = vec![ids[0].clone(), ids[3].clone()];
    expected.sort();
    assert_eq!(checked_ids(&tab), expected);
    assert_eq!(done_line(&tab), format!("2 of {} done", ids.len()));
    tick(&tab, &ids[0]);
    assert_eq!(done_line(&tab), format!("1 of {} done", ids.len()));
    click(&tab, "button[data-reset]");
    assert_eq!(done_line(&tab), format!("0 of {} done", ids.len()));
    // The theme choice still works for the visit.
    choose_theme(&tab, "dark");
    assert!(js_bool(
        &tab,
        "document.documentElement.hasAttribute('data-theme')"
    ));
    assert_no_errors(&errors);
}
