//! Domain types and rules. No AWS in here.
pub mod actions;
pub mod attachment;
pub mod automations;
pub mod comment;
pub mod conditions;
pub mod report;
pub mod satisfaction;
pub mod schedules;
pub mod search;
pub mod sla;
pub mod ticket;
pub mod user;
pub mod views;
pub mod webhooks;

/// Characters that change how text reads without being seen: bidirectional overrides and
/// isolates (`invoice\u{202E}fdp.exe` shows as `invoiceexe.pdf`), zero-width and other invisible
/// format characters. Names and filenames refuse them.
pub fn has_deceptive_chars(s: &str) -> bool {
    s.chars().any(|c| {
        matches!(c,
            '\u{00AD}' | '\u{034F}' | '\u{061C}' | '\u{115F}' | '\u{1160}' | '\u{17B4}' | '\u{17B5}'
            | '\u{180B}'..='\u{180F}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{206F}' | '\u{3164}' | '\u{FE00}'..='\u{FE0F}' | '\u{FEFF}' | '\u{FFA0}'
            | '\u{FFF9}'..='\u{FFFB}' | '\u{1D173}'..='\u{1D17A}' | '\u{E0000}'..='\u{E007F}')
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn deceptive_characters() {
        for bad in ["invoice\u{202E}fdp.exe", "a\u{200B}b", "\u{2066}x\u{2069}", "x\u{FEFF}", "a\u{061C}"] {
            assert!(super::has_deceptive_chars(bad), "{bad:?}");
        }
        for good in ["Zoë Ångström", "李小龍", "عربي", "invoice.pdf", "emoji 🎉"] {
            assert!(!super::has_deceptive_chars(good), "{good:?}");
        }
    }
}
