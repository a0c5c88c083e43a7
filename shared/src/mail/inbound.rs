//! Mail in: a raw message (RFC 5322, as SES stores it in S3 or the local SMTP listener
//! receives it) parsed with `mail-parser` into what the desk needs: who wrote, to which
//! addresses, the thread headers, whether it is automatic, and the new text of the reply
//! (text part preferred, HTML turned into text; quoted history and everything below the reply
//! line removed).
use mail_parser::{HeaderName, MessageParser, MimeHeaders};

/// The line every ticket mail starts with; a reply's text above it is what is new.
pub const REPLY_LINE: &str = "##- Please type your reply above this line -##";

/// The largest message the desk takes (SES's own limit for receiving is 40 MB; the desk keeps
/// comments small).
pub const MAX_MESSAGE_BYTES: usize = 10 * 1024 * 1024;

#[derive(Debug, Clone, PartialEq)]
pub struct Inbound {
    /// The sender's address, lower case.
    pub from: String,
    pub from_name: Option<String>,
    /// Every `To` and `Cc` address, lower case.
    pub to: Vec<String>,
    pub subject: String,
    /// Without angle brackets.
    pub message_id: Option<String>,
    /// `In-Reply-To` then `References`, newest first, without angle brackets.
    pub thread: Vec<String>,
    /// `Auto-Submitted` other than `no`, `Precedence: bulk|junk|list`, a bounce.
    pub automatic: bool,
    /// A failed SPF, DKIM or DMARC check, or a spam or virus verdict (SES's headers).
    pub failed_checks: Vec<String>,
    /// The reply's new text.
    pub text: String,
    /// Attached files and inline images (at most [`MAX_PARTS`]).
    pub attachments: Vec<Part>,
}

/// One attached file of a received message.
#[derive(Debug, Clone, PartialEq)]
pub struct Part {
    pub filename: String,
    pub mime_type: String,
    pub bytes: Vec<u8>,
}

/// Attachments taken from one message (as for a comment).
pub const MAX_PARTS: usize = 10;

/// Text of HTML: tags dropped, line breaks kept at block ends, entities for the common five.
fn html_to_text(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut in_tag = false;
    let mut tag = String::new();
    for c in html.chars() {
        match (in_tag, c) {
            (false, '<') => {
                in_tag = true;
                tag.clear();
            }
            (true, '>') => {
                in_tag = false;
                let name = tag.trim_start_matches('/').split_whitespace().next().unwrap_or("").to_lowercase();
                if matches!(
                    name.as_str(),
                    "br" | "p" | "div" | "li" | "tr" | "blockquote" | "h1" | "h2" | "h3"
                ) {
                    out.push('\n');
                }
            }
            (true, c) => tag.push(c),
            (false, c) => out.push(c),
        }
    }
    out.replace("&nbsp;", " ")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

/// The new part of a reply: above the reply line, without `>` quotes and the "On ... wrote:"
/// line that introduces them, trimmed.
pub fn reply_text(body: &str) -> String {
    let above = body.split(REPLY_LINE).next().unwrap_or(body);
    let lines: Vec<&str> = above.lines().collect();
    let mut kept: Vec<&str> = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let t = line.trim_start();
        if t.starts_with('>') {
            continue;
        }
        // "On Mon, 1 Jan 2026 at 10:00, Desk <reply+...> wrote:" right before a quote.
        let next_quoted = lines[i + 1..]
            .iter()
            .find(|l| !l.trim().is_empty())
            .is_some_and(|l| l.trim_start().starts_with('>'));
        if t.ends_with("wrote:") && (next_quoted || i + 1 == lines.len()) {
            continue;
        }
        kept.push(line);
    }
    kept.join("\n").trim().to_owned()
}

fn unbracket(s: &str) -> String {
    s.trim().trim_start_matches('<').trim_end_matches('>').to_owned()
}

/// Parses a raw message; `None` when it is not a message at all.
pub fn parse(raw: &[u8]) -> Option<Inbound> {
    let message = MessageParser::default().parse(raw)?;
    let sender = message.from().and_then(|a| a.first())?;
    let from = sender.address()?.trim().to_lowercase();
    let mut to: Vec<String> = Vec::new();
    for list in
        [message.to(), message.header(HeaderName::Cc).and_then(|h| h.as_address())].into_iter().flatten()
    {
        to.extend(list.iter().filter_map(|a| a.address()).map(|a| a.trim().to_lowercase()));
    }
    let mut thread: Vec<String> = Vec::new();
    for header in [message.in_reply_to(), message.references()] {
        if let Some(ids) = header.as_text_list() {
            thread.extend(ids.iter().rev().map(|id| unbracket(id)));
        }
    }
    let raw_header = |name: &str| message.header_raw(name).map(|v| v.trim().to_lowercase());
    let auto_submitted = raw_header("Auto-Submitted").is_some_and(|v| v != "no");
    let precedence = raw_header("Precedence").is_some_and(|v| matches!(v.as_str(), "bulk" | "junk" | "list"));
    let bounce = from.starts_with("mailer-daemon@")
        || from.starts_with("postmaster@")
        || raw_header("X-Failed-Recipients").is_some();
    let mut failed_checks = Vec::new();
    for (header, label) in [("X-SES-Spam-Verdict", "spam"), ("X-SES-Virus-Verdict", "virus")] {
        if raw_header(header).is_some_and(|v| v == "fail") {
            failed_checks.push(label.to_owned());
        }
    }
    if let Some(results) = raw_header("Authentication-Results") {
        for check in ["spf", "dkim", "dmarc"] {
            if results.contains(&format!("{check}=fail")) {
                failed_checks.push(check.to_owned());
            }
        }
    }
    let body = match message.body_text(0) {
        Some(text) => text.into_owned(),
        None => message.body_html(0).map(|h| html_to_text(&h)).unwrap_or_default(),
    };
    let attachments: Vec<Part> = message
        .attachments()
        .take(MAX_PARTS)
        .enumerate()
        .map(|(i, part)| {
            let mime_type = part
                .content_type()
                .map(|ct| match ct.subtype() {
                    Some(sub) => format!("{}/{sub}", ct.ctype()),
                    None => ct.ctype().to_owned(),
                })
                .unwrap_or_else(|| "application/octet-stream".to_owned())
                .to_lowercase();
            let filename =
                part.attachment_name().map(str::to_owned).unwrap_or_else(|| format!("attachment-{}", i + 1));
            Part { filename, mime_type, bytes: part.contents().to_vec() }
        })
        .collect();
    Some(Inbound {
        attachments,
        from,
        from_name: sender.name().map(|n| n.trim().to_owned()).filter(|n| !n.is_empty()),
        to,
        subject: message.subject().unwrap_or("").trim().to_owned(),
        message_id: message.message_id().map(unbracket),
        thread,
        automatic: auto_submitted || precedence || bounce,
        failed_checks,
        text: reply_text(&body),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reply_keeps_only_its_new_text() {
        let raw = format!(
            "From: Casey <Casey@Example.com>\r\nTo: reply+TKT-000042.abcd1234@helpdesk.local\r\nSubject: Re: [TKT-000042] Printer\r\nMessage-ID: <m1@example.com>\r\nIn-Reply-To: <notify.x@helpdesk>\r\nReferences: <a@x> <notify.x@helpdesk>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nIt works now, thanks!\r\n\r\nOn Mon, 1 Jan 2026, Desk <reply+TKT-000042.abcd1234@helpdesk.local> wrote:\r\n> {REPLY_LINE}\r\n> Hello Casey\r\n"
        );
        let m = parse(raw.as_bytes()).unwrap();
        assert_eq!(m.from, "casey@example.com");
        assert_eq!(m.from_name.as_deref(), Some("Casey"));
        assert_eq!(m.to, ["reply+tkt-000042.abcd1234@helpdesk.local"]);
        assert_eq!(m.message_id.as_deref(), Some("m1@example.com"));
        assert_eq!(m.thread.first().map(String::as_str), Some("notify.x@helpdesk"));
        assert_eq!(m.text, "It works now, thanks!");
        assert!(!m.automatic);
    }

    #[test]
    fn charsets_quoted_printable_and_html_only_mail() {
        let raw = b"From: a@b.example\r\nTo: support@helpdesk.local\r\nSubject: =?utf-8?q?Caf=C3=A9?=\r\nContent-Type: text/html; charset=iso-8859-1\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n<p>Ol=E1 &amp; bem-vindo</p><div>Linha 2</div>\r\n";
        let m = parse(raw).unwrap();
        assert_eq!(m.subject, "Café");
        assert_eq!(m.text, "Olá & bem-vindo\nLinha 2");
    }

    #[test]
    fn automatic_mail_and_failed_checks_are_recognised() {
        let raw = b"From: a@b.example\r\nTo: support@helpdesk.local\r\nSubject: Out of office\r\nAuto-Submitted: auto-replied\r\nX-SES-Spam-Verdict: FAIL\r\nAuthentication-Results: amazonses.com; spf=pass; dkim=fail header.i=@b.example\r\n\r\nAway\r\n";
        let m = parse(raw).unwrap();
        assert!(m.automatic);
        assert_eq!(m.failed_checks, ["spam", "dkim"]);
    }
}
