//! The local stack's SMTP listener (`127.0.0.1:2525`, `HELPDESK_SMTP_PORT`): what SES receiving
//! is in AWS. Each message to the receiving domain is stored under `inbound/` in the local S3
//! bucket and handed to the same consumer the `mail-inbound` Lambda runs.
//!
//! A small SMTP subset (RFC 5321: EHLO/HELO, MAIL, RCPT, DATA with dot-unstuffing, RSET, NOOP,
//! QUIT), enough for any stock client (Python's `smtplib`, swaks). Written here rather than
//! taken from a crate: the embeddable servers on crates.io are blocking and bring a second TLS
//! stack (aws-lc) into the build, for a listener that only ever runs on loopback.
use helpdesk::consumers::mail_inbound::{receive_object, PREFIX};
use helpdesk::mail::inbound::MAX_MESSAGE_BYTES;
use helpdesk::{AppState, BoxError};
use std::sync::Arc;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};

/// Serves SMTP on `listener` until the task is dropped.
pub async fn serve(listener: TcpListener, state: Arc<AppState>) {
    loop {
        let Ok((stream, _)) = listener.accept().await else { continue };
        let state = state.clone();
        tokio::spawn(async move {
            if let Err(e) = session(stream, &state).await {
                tracing::debug!(error = %e, "smtp session ended");
            }
        });
    }
}

async fn session(stream: TcpStream, state: &AppState) -> Result<(), BoxError> {
    let domain = state.config.receiving_domain();
    let (read, mut write) = stream.into_split();
    let mut lines = BufReader::new(read);
    write.write_all(format!("220 {domain} ESMTP helpdesk-local\r\n").as_bytes()).await?;
    let mut recipients = 0;
    let mut line = String::new();
    loop {
        line.clear();
        if lines.read_line(&mut line).await? == 0 {
            return Ok(());
        }
        let command = line.trim_end().to_owned();
        let verb = command.split_whitespace().next().unwrap_or("").to_uppercase();
        let reply = match verb.as_str() {
            "EHLO" => format!("250-{domain}\r\n250-SIZE {MAX_MESSAGE_BYTES}\r\n250 8BITMIME\r\n"),
            "HELO" => format!("250 {domain}\r\n"),
            "MAIL" => {
                recipients = 0;
                "250 OK\r\n".to_owned()
            }
            "RCPT" => {
                let to = command.to_lowercase();
                if to.contains(&format!("@{domain}>")) || to.contains(&format!("@{domain}")) {
                    recipients += 1;
                    "250 OK\r\n".to_owned()
                } else {
                    format!("550 this server only receives mail for {domain}\r\n")
                }
            }
            "DATA" if recipients == 0 => "503 RCPT first\r\n".to_owned(),
            "DATA" => {
                write.write_all(b"354 end with <CRLF>.<CRLF>\r\n").await?;
                let raw = read_data(&mut lines).await?;
                recipients = 0;
                match raw {
                    None => "552 message too large\r\n".to_owned(),
                    Some(raw) => match store_and_receive(state, raw).await {
                        Ok(()) => "250 OK: received\r\n".to_owned(),
                        Err(e) => {
                            tracing::warn!(error = %e, "received mail failed");
                            "451 try again later\r\n".to_owned()
                        }
                    },
                }
            }
            "RSET" => {
                recipients = 0;
                "250 OK\r\n".to_owned()
            }
            "NOOP" => "250 OK\r\n".to_owned(),
            "QUIT" => {
                write.write_all(b"221 bye\r\n").await?;
                return Ok(());
            }
            _ => "502 command not implemented\r\n".to_owned(),
        };
        write.write_all(reply.as_bytes()).await?;
    }
}

/// The message after DATA, up to the lone dot, dot-unstuffed; `None` if it is too large (the
/// rest is still read, so the session can go on).
async fn read_data<R: tokio::io::AsyncBufRead + Unpin>(lines: &mut R) -> Result<Option<Vec<u8>>, BoxError> {
    let mut raw = Vec::new();
    let mut too_large = false;
    let mut line = Vec::new();
    loop {
        line.clear();
        if lines.read_until(b'\n', &mut line).await? == 0 {
            return Err("connection closed during DATA".into());
        }
        if line == b".\r\n" || line == b".\n" {
            return Ok((!too_large).then_some(raw));
        }
        let content = if line.starts_with(b"..") { &line[1..] } else { &line[..] };
        if raw.len() + content.len() > MAX_MESSAGE_BYTES {
            too_large = true;
        } else if !too_large {
            raw.extend_from_slice(content);
        }
    }
}

/// Stores the message as SES would (`inbound/<id>`) and runs the inbound consumer on it.
async fn store_and_receive(state: &AppState, raw: Vec<u8>) -> Result<(), BoxError> {
    let (s3, bucket) = state.attachments().map_err(|e| format!("{e:?}"))?;
    let key = format!("{PREFIX}{}", uuid::Uuid::now_v7());
    s3.put_object().bucket(bucket).key(&key).body(raw.into()).send().await?;
    receive_object(state, &key).await?;
    Ok(())
}
