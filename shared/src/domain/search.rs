//! Search terms: the words of a ticket's subject and description, as the index stores them.
use std::collections::BTreeSet;

/// Words shorter than this are not indexed (and ignored in queries).
pub const MIN_WORD_CHARS: usize = 2;
pub const MAX_WORD_CHARS: usize = 40;
/// A ticket indexes at most this many distinct words.
pub const MAX_TERMS: usize = 200;
/// A search may have at most this many distinct words (each is one index query).
pub const MAX_QUERY_WORDS: usize = 10;

/// Lowercased alphanumeric words, deduplicated, in a stable order.
pub fn tokens(text: &str) -> Vec<String> {
    let mut set = BTreeSet::new();
    for word in text.split(|c: char| !c.is_alphanumeric()) {
        let w = word.to_lowercase();
        let n = w.chars().count();
        if (MIN_WORD_CHARS..=MAX_WORD_CHARS).contains(&n) {
            set.insert(w);
        }
        if set.len() >= MAX_TERMS {
            break;
        }
    }
    set.into_iter().collect()
}

/// The terms of a ticket: words of its subject and description.
pub fn ticket_terms(subject: &str, description: &str) -> Vec<String> {
    tokens(&format!("{subject} {description}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_lowercased_unique_and_trimmed_of_punctuation() {
        assert_eq!(tokens("Printer ON fire! printer, a fire-drill"), ["drill", "fire", "on", "printer"]);
        assert_eq!(tokens("Ünïcode Straße"), ["straße", "ünïcode"]);
        assert!(tokens("a . !").is_empty());
    }
}
