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
        MailKind::VerifyEmail | MailKind::Notification | MailKind::ResetPassword => {
            ("Your request was updated.".to_owned(), None)
        }
    };
    let mut text = format!("{}\n\nHello {},\n\n{}\n", super::inbound::REPLY_LINE, recipient.name, lead);
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

/// A trigger's notification: its subject and body (placeholders already filled), in the same
/// frame as every ticket mail (greeting, then the ticket's number, subject and link).
pub fn render_notification(
    subject: &str,
    body: &str,
    ticket: &Ticket,
    recipient: &User,
    frontend_url: &str,
) -> Rendered {
    let link = format!("{}/tickets/{}", frontend_url.trim_end_matches('/'), ticket.ticket_number);
    let text = format!(
        "{}\n\nHello {},\n\n{}\n\n{} — {}\n{}\n",
        super::inbound::REPLY_LINE,
        recipient.name,
        body.trim_end(),
        ticket.ticket_number,
        ticket.subject,
        link
    );
    let html = format!(
        "<!doctype html><html><body><p style=\"color:#999\">{}</p><p>Hello {},</p><div style=\"white-space:pre-wrap\">{}</div><p><a href=\"{}\">{} — {}</a></p></body></html>",
        super::inbound::REPLY_LINE,
        escape_html(&recipient.name),
        escape_html(body.trim_end()),
        escape_html(&link),
        escape_html(&ticket.ticket_number),
        escape_html(&ticket.subject)
    );
    let clean: String = subject.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
    Rendered { subject: clean.trim().to_owned(), text, html }
}

/// Mail to an address nobody has verified: the ticket number and a link, no text a user
/// wrote (not the subject, not a name, not a comment).
pub fn render_bare(ticket: &Ticket, frontend_url: &str) -> Rendered {
    let link = format!("{}/tickets/{}", frontend_url.trim_end_matches('/'), ticket.ticket_number);
    let number = &ticket.ticket_number;
    let text = format!("Hello,\n\nThere is news on your request {number}. Sign in to read it:\n{link}\n");
    let html = format!(
        "<!doctype html><html><body><p>Hello,</p><p>There is news on your request {}. Sign in to read it:</p><p><a href=\"{}\">{}</a></p></body></html>",
        escape_html(number),
        escape_html(&link),
        escape_html(&link)
    );
    Rendered { subject: format!("[{number}] Your request was updated"), text, html }
}

/// The sign-up mail: the verification link (`<FRONTEND_URL>/verify-email?token=`).
pub fn render_verification(token: &str, frontend_url: &str) -> Rendered {
    let link = format!("{}/verify-email?token={token}", frontend_url.trim_end_matches('/'));
    let text = format!(
        "Hello,\n\nConfirm your email address for the help desk by opening this link (valid for 7 days):\n{link}\n\nIf you did not sign up, ignore this mail.\n"
    );
    let html = format!(
        "<!doctype html><html><body><p>Hello,</p><p>Confirm your email address for the help desk by opening this link (valid for 7 days):</p><p><a href=\"{}\">Verify my address</a></p><p>If you did not sign up, ignore this mail.</p></body></html>",
        escape_html(&link)
    );
    Rendered { subject: "Verify your email address".into(), text, html }
}

/// The password-reset mail: a link valid one hour, usable once.
pub fn render_reset(token: &str, frontend_url: &str) -> Rendered {
    let link = format!("{}/reset-password?token={token}", frontend_url.trim_end_matches('/'));
    let text = format!(
        "Hello,\n\nSomeone asked to reset the password of your help desk account. To choose a new one, open this link (valid for one hour, once):\n{link}\n\nIf it was not you, ignore this mail: your password stays as it is.\n"
    );
    let html = format!(
        "<!doctype html><html><body><p>Hello,</p><p>Someone asked to reset the password of your help desk account. To choose a new one, open this link (valid for one hour, once):</p><p><a href=\"{}\">Choose a new password</a></p><p>If it was not you, ignore this mail: your password stays as it is.</p></body></html>",
        escape_html(&link)
    );
    Rendered { subject: "Reset your password".into(), text, html }
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
