//! Search (API.md part 2, "Search"): how text becomes words, what a searchable document holds
//! and which index terms it posts ([`doc`]), Zendesk's query language ([`query`]) and how a
//! parsed, resolved query tests a document ([`check`]).
//! The planner that reads the index is `app::search`; the design is docs/search.md.
pub mod check;
pub mod doc;
pub mod query;

/// Words shorter than this are not posted in the index (they still count in phrases).
pub const MIN_WORD_CHARS: usize = 2;
/// Longer words are cut to this many characters, in documents and queries alike.
pub const MAX_WORD_CHARS: usize = 40;
/// Prefixes of each word are posted from this length...
pub const MIN_PREFIX_CHARS: usize = 2;
/// ...to this one; a longer `stem*` is driven by its first six characters and checked per
/// candidate.
pub const MAX_PREFIX_CHARS: usize = 6;

/// The words of a text in order: lowercased runs of letters and digits, cut to
/// [`MAX_WORD_CHARS`]. Phrases compare these sequences; the index posts the distinct ones of at
/// least [`MIN_WORD_CHARS`].
pub fn words(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| w.to_lowercase().chars().take(MAX_WORD_CHARS).collect())
}

/// A word worth a posting.
pub fn is_postable(word: &str) -> bool {
    word.chars().count() >= MIN_WORD_CHARS
}

/// The posted prefixes of a word: its first 2..=6 characters (the whole word when shorter).
pub fn prefixes(word: &str) -> impl Iterator<Item = String> + '_ {
    let n = word.chars().count();
    (MIN_PREFIX_CHARS..=MAX_PREFIX_CHARS.min(n)).map(move |k| word.chars().take(k).collect())
}

/// The prefix that drives a `stem*` search: the stem, cut to [`MAX_PREFIX_CHARS`].
pub fn driving_prefix(stem: &str) -> String {
    stem.chars().take(MAX_PREFIX_CHARS).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_lowercased_in_order_and_split_on_punctuation() {
        assert_eq!(
            words("Printer ON fire! printer, a fire-drill").collect::<Vec<_>>(),
            ["printer", "on", "fire", "printer", "a", "fire", "drill"]
        );
        assert_eq!(words("Ünïcode Straße").collect::<Vec<_>>(), ["ünïcode", "straße"]);
        assert!(words(" . !").next().is_none());
        assert!(!is_postable("a") && is_postable("ab"));
    }

    #[test]
    fn prefixes_run_from_two_to_six_characters() {
        assert_eq!(prefixes("printer").collect::<Vec<_>>(), ["pr", "pri", "prin", "print", "printe"]);
        assert_eq!(prefixes("on").collect::<Vec<_>>(), ["on"]);
        assert!(prefixes("a").next().is_none());
        assert_eq!(driving_prefix("printers"), "printe");
    }
}
