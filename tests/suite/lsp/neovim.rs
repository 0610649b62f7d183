//! A real editor: Debian's Neovim, headless, with its built-in LSP client started on
//! `sre-guide lsp` the way docs/editors.md sets it up. A broken link typed into an unsaved buffer
//! of a guide page must come back as the server's diagnostic, and the file on disk must not
//! change. Ignored by default like the browser tests (it needs `nvim`, which .ci/run installs);
//! CI runs it with `--include-ignored`.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::support::Site;

/// Starts the client (`vim.lsp.start_client`, which Neovim 0.7 and later have), types the link
/// into the buffer without saving, waits for the diagnostic and writes what Neovim holds.
const SCRIPT: &str = r#"
local root, out = os.getenv("SITE"), os.getenv("OUT")
local client = vim.lsp.start_client({
  name = "sre-guide",
  cmd = { os.getenv("SRE_GUIDE"), "lsp" },
  root_dir = root,
})
vim.cmd("edit " .. vim.fn.fnameescape(root .. "/content/phases/senior.md"))
local buf = vim.api.nvim_get_current_buf()
vim.lsp.buf_attach_client(buf, client)
vim.wait(5000, function() return next(vim.lsp.buf_get_clients(buf)) ~= nil end, 20)
vim.api.nvim_buf_set_lines(buf, -1, -1, false, { "", "See [Staff](staf.md) next." })
vim.wait(30000, function()
  for _, d in ipairs(vim.diagnostic.get(buf)) do
    if d.code == "link-target-missing" then return true end
  end
  return false
end, 20)
local lines = {}
for _, d in ipairs(vim.diagnostic.get(buf)) do
  table.insert(lines, string.format("%d:%d %s %s", d.lnum + 1, d.col + 1, tostring(d.code),
    (d.message:gsub("\n", " | "))))
end
table.insert(lines, "modified=" .. tostring(vim.bo[buf].modified))
vim.fn.writefile(lines, out)
vim.lsp.stop_client(client)
vim.wait(5000, function() return vim.lsp.get_client_by_id(client) == nil end, 20)
vim.cmd("qall!")
"#;

#[test]
#[ignore = "needs Neovim (apt-get install neovim); CI runs it with --include-ignored"]
fn neovim_shows_the_diagnostic_of_a_link_typed_into_an_unsaved_buffer() {
    let site = Site::repo();
    let root = site.root().canonicalize().unwrap();
    let page = site.read("content/phases/senior.md");
    let work = tempfile::tempdir().unwrap();
    let script = work.path().join("lsp.lua");
    let out = work.path().join("diagnostics.txt");
    std::fs::write(&script, SCRIPT).unwrap();
    let mut nvim = Command::new("nvim")
        .args(["--headless", "--clean", "-n", "-i", "NONE", "-c"])
        .arg(format!("luafile {}", script.display()))
        .env("SITE", &root)
        .env("OUT", &out)
        .env("SRE_GUIDE", env!("CARGO_BIN_EXE_sre-guide"))
        .env("XDG_STATE_HOME", work.path())
        .env("XDG_DATA_HOME", work.path())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("nvim is installed (apt-get install neovim)");
    let started = Instant::now();
    let status = loop {
        if let Some(status) = nvim.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > Duration::from_secs(90) {
            let _ = nvim.kill();
            panic!("nvim did not finish within 90 s");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(status.success(), "nvim exited with {status}");
    let lines = std::fs::read_to_string(&out).expect("the script wrote what Neovim holds");
    let line = page.lines().count() + 2;
    assert_eq!(
        lines,
        format!(
            "{line}:13 link-target-missing link target `phases/staf.md` does not exist | help: did you mean `staff.md`?\nmodified=true\n"
        )
    );
    assert_eq!(
        site.read("content/phases/senior.md"),
        page,
        "the page on disk is untouched"
    );
}
