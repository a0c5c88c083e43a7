//! A small MIME writer and reader for the mails we send: `multipart/alternative` with a plain
//! text and an HTML part, base64 bodies, RFC 2047 subjects. The reader serves the local mail
//! sink, which reads back exactly what the writer produced.
use base64::engine::general_purpose::STANDARD;
use base64::Engine;

pub struct Message<'a> {
    pub from: &'a str,
    pub to: &'a str,
    pub reply_to: &'a str,
    pub subject: &'a str,
    pub text: &'a str,
    pub html: &'a str,
    /// RFC 2822 date.
    pub date: &'a str,
    pub message_id: &'a str,
}

fn encode_header(value: &str) -> String {
    if value.is_ascii() && !value.contains(['\r', '\n']) {
        value.to_owned()
    } else {
        format!("=?UTF-8?B?{}?=", STANDARD.encode(value.replace(['\r', '\n'], " ")))
    }
}

fn wrap(b64: String) -> String {
    b64.as_bytes()
        .chunks(76)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join("\r\n")
}

pub fn write(m: &Message) -> String {
    let boundary = format!("=_helpdesk_{}", uuid::Uuid::new_v4().simple());
    format!(
        "From: {from}\r\nTo: {to}\r\nReply-To: {reply}\r\nSubject: {subject}\r\nDate: {date}\r\nMessage-ID: <{id}>\r\n\
MIME-Version: 1.0\r\nContent-Type: multipart/alternative; boundary=\"{b}\"\r\n\r\n\
--{b}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n{text}\r\n\
--{b}\r\nContent-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n{html}\r\n\
--{b}--\r\n",
        from = m.from,
        to = m.to,
        reply = m.reply_to,
        subject = encode_header(m.subject),
        date = m.date,
        id = m.message_id,
        b = boundary,
        text = wrap(STANDARD.encode(m.text)),
        html = wrap(STANDARD.encode(m.html)),
    )
}

/// What the local mail sink shows of a message written by [`write`].
#[derive(Debug, Default, Clone, PartialEq, serde::Serialize)]
pub struct Parsed {
    pub from: String,
    pub to: String,
    pub reply_to: String,
    pub subject: String,
    pub date: String,
    pub text: String,
    pub html: String,
}

fn decode_header(value: &str) -> String {
    match value.strip_prefix("=?UTF-8?B?").and_then(|v| v.strip_suffix("?=")) {
        Some(b64) => STANDARD
            .decode(b64)
            .ok()
            .and_then(|b| String::from_utf8(b).ok())
            .unwrap_or_else(|| value.to_owned()),
        None => value.to_owned(),
    }
}

pub fn read(raw: &str) -> Parsed {
    let mut p = Parsed::default();
    let (head, body) = raw.split_once("\r\n\r\n").unwrap_or((raw, ""));
    let mut boundary = None;
    for line in head.split("\r\n") {
        let Some((name, value)) = line.split_once(": ") else { continue };
        match name.to_ascii_lowercase().as_str() {
            "from" => p.from = value.to_owned(),
            "to" => p.to = value.to_owned(),
            "reply-to" => p.reply_to = value.to_owned(),
            "subject" => p.subject = decode_header(value),
            "date" => p.date = value.to_owned(),
            "content-type" => {
                boundary =
                    value.split("boundary=\"").nth(1).and_then(|b| b.split('"').next()).map(str::to_owned)
            }
            _ => {}
        }
    }
    let Some(boundary) = boundary else {
        p.text = body.to_owned();
        return p;
    };
    for part in body.split(&format!("--{boundary}")) {
        let Some((part_head, part_body)) = part.trim_start_matches("\r\n").split_once("\r\n\r\n") else {
            continue;
        };
        let decoded = STANDARD
            .decode(part_body.replace(['\r', '\n'], ""))
            .ok()
            .and_then(|b| String::from_utf8(b).ok())
            .unwrap_or_default();
        if part_head.contains("text/plain") {
            p.text = decoded;
        } else if part_head.contains("text/html") {
            p.html = decoded;
        }
    }
    p
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        let text = "Hello Zoë,\nline two ".repeat(20);
        let m = Message {
            from: "helpdesk@example.com",
            to: "a@example.com",
            reply_to: "reply+TKT-000001@example.com",
            subject: "[TKT-000001] Café on fire",
            text: &text,
            html: "<p>Hello</p>",
            date: "Thu, 26 Nov 2026 15:04:05 +0000",
            message_id: "x@helpdesk",
        };
        let p = read(&write(&m));
        assert_eq!(p.subject, "[TKT-000001] Café on fire");
        assert_eq!(p.text, text);
        assert_eq!(p.html, "<p>Hello</p>");
        assert_eq!(p.reply_to, "reply+TKT-000001@example.com");
        assert!(write(&m).lines().all(|l| l.len() <= 998));
    }
}
