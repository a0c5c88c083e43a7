//! Mail templates: subject with the ticket number, plain text and HTML bodies. User content
//! (subjects, names, comments) is HTML-escaped in the HTML body.
use super::MailKind;
use crate::domain::comment::Comment;
use crate::domain::ticket::Ticket;
use crate::domain::user::User;

pub struct Rendered {
    pub subject: String,
    pub text: String,
    pub html: String,
}

pub fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// `[TKT-000042] Printer on fire` (line breaks in a subject would break the header).
pub fn subject(ticket: &Ticket) -> String {
    let clean: String = ticket.subject.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
    format!("[{}] {}", ticket.ticket_number, clean.trim())
}

pub fn render(
    kind: MailKind,
    ticket: &Ticket,
    recipient: &User,
    comment: Option<(&Comment, &User)>,
    frontend_url: &str,
) -> Rendered {
    let link = format!("{}/tickets/{}", frontend_url.trim_end_matches('/'), ticket.ticket_number);
    let (lead, body) = match kind {
        MailKind::TicketCreated => (
            "We received your request. Reply to this email to add to it.".to_owned(),
            Some(ticket.description.clone()),
        ),
        MailKind::AgentReply => {
            let (c, author) = comment.expect("replies carry their comment");
            (format!("{} replied:", author.name), Some(c.content.clone()))
        }
        MailKind::Solved => {
            ("Your request has been solved. Reply to this email if you still need help.".to_owned(), None)
        }
        MailKind::Assigned => (
            format!("Ticket {} has been assigned to you.", ticket.ticket_number),
            Some(ticket.description.clone()),
        ),
    };
    let mut text = format!("Hello {},\n\n{}\n", recipient.name, lead);
    if let Some(b) = &body {
        text.push_str(&format!("\n{b}\n"));
    }
    text.push_str(&format!("\n{} — {}\n{}\n", ticket.ticket_number, ticket.subject, link));
    let quoted = body
        .map(|b| format!("<blockquote style=\"white-space:pre-wrap\">{}</blockquote>", escape_html(&b)))
        .unwrap_or_default();
    let html = format!(
        "<!doctype html><html><body><p>Hello {},</p><p>{}</p>{}<p><a href=\"{}\">{} — {}</a></p></body></html>",
        escape_html(&recipient.name),
        escape_html(&lead),
        quoted,
        escape_html(&link),
        escape_html(&ticket.ticket_number),
        escape_html(&ticket.subject)
    );
    Rendered { subject: subject(ticket), text, html }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup() {
        assert_eq!(
            escape_html("<script>alert('x')</script> & \"y\""),
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;y&quot;"
        );
    }
}
