//! Building the emails actions send (RFC 5322 by lettre's builder: a reply threaded with
//! `In-Reply-To`/`References`, an invitation carrying an iTIP `REQUEST`, a reminder) and handing
//! them to the sender: an SMTP server (the stack's mailsink in demo mode, a relay) or Gmail's
//! `users.messages.send` as the user.

use std::sync::Arc;

use lettre::message::header::ContentType;
use lettre::message::{Mailbox, MultiPart, SinglePart};
use lettre::{AsyncTransport, Message};
use mindy_core::smtp::SmtpServerArgs;
use uuid::Uuid;

use super::google::GmailSender;
use super::model::{EmailDraft, Person};
use super::ActionError;

/// Where mail goes.
#[derive(Debug, Clone)]
pub enum Mailer {
    /// An SMTP server (`MINDY_ACTIONS_MAIL=smtp`, the default).
    Smtp(SmtpServerArgs),
    /// Gmail's `users.messages.send` as the authorised user (`MINDY_ACTIONS_MAIL=gmail`).
    Gmail(Arc<GmailSender>),
}

/// A built message and the Message-ID it carries (without angle brackets).
pub struct Outgoing {
    /// Its Message-ID.
    pub message_id: String,
    /// The Message-ID it answers, for a reply.
    pub in_reply_to: Option<String>,
    /// The message.
    pub message: Message,
}

fn mailbox(person: &Person) -> Result<Mailbox, ActionError> {
    let address = person.address.parse().map_err(|e| {
        ActionError::Invalid(format!("{:?} is not a mail address: {e}", person.address))
    })?;
    Ok(Mailbox::new(person.name.clone(), address))
}

/// A new Message-ID at the sender's domain.
pub fn message_id(from: &Person) -> String {
    let domain = from
        .address
        .rsplit_once('@')
        .map(|(_, d)| d)
        .unwrap_or("mini-mindy.local");
    format!("{}@{domain}", Uuid::new_v4())
}

fn angle(id: &str) -> String {
    format!("<{id}>")
}

/// The reply `draft` as a message with a new Message-ID.
pub fn reply(draft: &EmailDraft) -> Result<Outgoing, ActionError> {
    let id = message_id(&draft.from);
    let mut builder = Message::builder()
        .from(mailbox(&draft.from)?)
        .subject(&draft.subject)
        .message_id(Some(angle(&id)))
        .date_now();
    if let Some(parent) = &draft.in_reply_to {
        builder = builder.in_reply_to(angle(parent));
    }
    if !draft.references.is_empty() {
        let references: Vec<String> = draft.references.iter().map(|r| angle(r)).collect();
        builder = builder.references(references.join(" "));
    }
    for to in &draft.to {
        builder = builder.to(mailbox(to)?);
    }
    for cc in &draft.cc {
        builder = builder.cc(mailbox(cc)?);
    }
    let message = builder
        .header(ContentType::TEXT_PLAIN)
        .body(draft.body.clone())
        .map_err(|e| ActionError::Invalid(format!("building the reply: {e}")))?;
    Ok(Outgoing {
        message_id: id,
        in_reply_to: draft.in_reply_to.clone(),
        message,
    })
}

/// An invitation from `organizer` to `attendees`: a text part and the event as
/// `text/calendar; method=REQUEST` (RFC 6047), which mail clients offer to accept.
pub fn invitation(
    organizer: &Person,
    attendees: &[Person],
    subject: &str,
    text: &str,
    ics: &str,
) -> Result<Outgoing, ActionError> {
    let id = message_id(organizer);
    let mut builder = Message::builder()
        .from(mailbox(organizer)?)
        .subject(format!("Invitation: {subject}"))
        .message_id(Some(angle(&id)))
        .date_now();
    for attendee in attendees {
        builder = builder.to(mailbox(attendee)?);
    }
    let calendar = ContentType::parse("text/calendar; charset=utf-8; method=REQUEST")
        .map_err(|e| ActionError::Invalid(format!("content type: {e}")))?;
    let message = builder
        .multipart(
            MultiPart::alternative()
                .singlepart(SinglePart::plain(text.to_string()))
                .singlepart(SinglePart::builder().header(calendar).body(ics.to_string())),
        )
        .map_err(|e| ActionError::Invalid(format!("building the invitation: {e}")))?;
    Ok(Outgoing {
        message_id: id,
        in_reply_to: None,
        message,
    })
}

/// A reminder to `to`, from `to` (a note to self, which any relay accepts from the user), with
/// the Message-ID given (stable per reminder, so a delivery repeated after a crash is
/// recognisable as the same message).
pub fn reminder(to: &Person, message_id: &str, text: &str) -> Result<Outgoing, ActionError> {
    let message = Message::builder()
        .from(mailbox(to)?)
        .to(mailbox(to)?)
        .subject(format!(
            "Reminder: {}",
            text.chars().take(80).collect::<String>()
        ))
        .message_id(Some(angle(message_id)))
        .date_now()
        .header(ContentType::TEXT_PLAIN)
        .body(format!("{text}\n\n— set by Mini-Mindy"))
        .map_err(|e| ActionError::Invalid(format!("building the reminder: {e}")))?;
    Ok(Outgoing {
        message_id: message_id.to_string(),
        in_reply_to: None,
        message,
    })
}

impl Mailer {
    /// Hands `outgoing` to the sender. The id for the audit on success: the Message-ID over
    /// SMTP, Gmail's message id through Gmail (a reply joins the replied message's Gmail
    /// thread when the mailbox has it).
    ///
    /// # Errors
    /// [`ActionError::Delivery`] when the server cannot be reached or refuses the message.
    pub async fn send(&self, outgoing: Outgoing) -> Result<String, ActionError> {
        match self {
            Mailer::Smtp(server) => {
                let transport = server
                    .transport()
                    .map_err(|e| ActionError::Delivery(e.to_string()))?;
                transport.send(outgoing.message).await.map_err(|e| {
                    ActionError::Delivery(format!("SMTP {}:{}: {e}", server.host, server.port))
                })?;
                Ok(outgoing.message_id)
            }
            Mailer::Gmail(gmail) => {
                let thread = match &outgoing.in_reply_to {
                    Some(parent) => gmail.thread_of(parent).await,
                    None => None,
                };
                let sent = gmail.send(outgoing.message.formatted(), thread).await?;
                Ok(sent.id)
            }
        }
    }
}
