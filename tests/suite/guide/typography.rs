//! One typography on every page, whether the words come from Markdown, data or templates: en
//! dashes in ranges ("4–7 years", "$87,500–$126,500"), curly apostrophes and quotes.

use super::*;

/// Every place on `page` where the text breaks the rule, with a little context.
fn offences(text: &str) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    let around = |i: usize| -> String {
        chars[i.saturating_sub(20)..(i + 20).min(chars.len())]
            .iter()
            .collect()
    };
    let mut found = Vec::new();
    for (i, &c) in chars.iter().enumerate() {
        let before = i.checked_sub(1).map(|j| chars[j]);
        let after = chars.get(i + 1).copied();
        let range = c == '-'
            && before.is_some_and(|b| b.is_ascii_digit() || b == '%')
            && after.is_some_and(|a| a.is_ascii_digit() || a == '$');
        if range {
            found.push(format!("a hyphen in a range: …{}…", around(i)));
        }
        if c == '\'' || c == '"' {
            found.push(format!("a straight quote: …{}…", around(i)));
        }
    }
    found
}

#[test]
fn ranges_take_en_dashes_and_quotes_are_curly_on_every_page() {
    let mut all = Vec::new();
    for (page, html) in pages() {
        // What a reader sees: tags, scripts and styles gone, references decoded.
        let text = decode(&without_tags(html, |_| " "));
        all.extend(offences(&text).into_iter().map(|o| format!("{page}: {o}")));
    }
    assert!(
        all.is_empty(),
        "{} problems:\n{}",
        all.len(),
        all.join("\n")
    );
}

#[test]
fn the_rule_catches_what_it_should() {
    assert_eq!(
        offences("4–7 years, $87,500–$126,500, team’s"),
        Vec::<String>::new()
    );
    assert_eq!(offences("4-7").len(), 1);
    assert_eq!(offences("$87,500-$126,500").len(), 1);
    assert_eq!(offences("team's").len(), 1);
    assert_eq!(offences("IC-vs-management, on-call, Phase 1-2").len(), 1);
}

#[test]
fn data_typed_with_straight_quotes_and_hyphens_is_typeset_like_prose() {
    let path = "content/data/ladder.toml";
    let text = edited(path, "the team’s strongest", "the team's \\\"strongest\\\"");
    let quiz_path = "content/data/quiz.toml";
    let quiz = edited(
        quiz_path,
        "someone else’s rotation",
        "someone else's rotation, 1-2 weeks",
    );
    let site = crate::support::Site::repo()
        .file(path, &text)
        .file(quiz_path, &quiz);
    site.run(["build"]).code(0).stderr("");
    let home = site.read("output/index.html");
    assert!(
        home.contains("the team’s “strongest”"),
        "the ladder's plateau is typeset"
    );
    let quiz_page = site.read("output/where-are-you-now/index.html");
    assert!(
        quiz_page.contains("someone else’s rotation, 1–2 weeks"),
        "a quiz hint is typeset"
    );
    // The quiz script's copy of the data too.
    let data = quiz_page
        .split("id=\"quiz-data\">")
        .nth(1)
        .expect("the quiz data");
    assert!(data.contains("else’s rotation, 1–2 weeks"), "{data}");
}
