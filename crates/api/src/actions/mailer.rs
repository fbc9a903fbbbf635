//! Building the emails actions send (RFC 5322 by lettre's builder: a reply threaded with
//! `In-Reply-To`/`References`, an invitation carrying an iTIP `REQUEST`, a reminder) and handing
//! them to the SMTP server (the stack's mailsink in demo mode, a relay in production).

use lettre::message::header::ContentType;
use lettre::message::{Mailbox, MultiPart, SinglePart};
use lettre::{AsyncTransport, Message};
use mindy_core::smtp::SmtpServerArgs;
use uuid::Uuid;

use super::model::{EmailDraft, Person};
use super::ActionError;

/// Sends over SMTP.
#[derive(Debug, Clone)]
pub struct Mailer {
    /// The server.
    pub server: SmtpServerArgs,
}

/// A built message and the Message-ID it carries (without angle brackets).
pub struct Outgoing {
    /// Its Message-ID.
    pub message_id: String,
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
        message,
    })
}

/// A reminder to `to`, with the Message-ID given (stable per reminder, so a delivery repeated
/// after a crash is recognisable as the same message).
pub fn reminder(to: &Person, message_id: &str, text: &str) -> Result<Outgoing, ActionError> {
    let from = Person {
        address: format!(
            "mini-mindy@{}",
            to.address
                .rsplit_once('@')
                .map(|(_, d)| d)
                .unwrap_or("localhost")
        ),
        name: Some("Mini-Mindy".into()),
        about: None,
    };
    let message = Message::builder()
        .from(mailbox(&from)?)
        .to(mailbox(to)?)
        .subject(format!(
            "Reminder: {}",
            text.chars().take(80).collect::<String>()
        ))
        .message_id(Some(angle(message_id)))
        .date_now()
        .header(ContentType::TEXT_PLAIN)
        .body(text.to_string())
        .map_err(|e| ActionError::Invalid(format!("building the reminder: {e}")))?;
    Ok(Outgoing {
        message_id: message_id.to_string(),
        message,
    })
}

impl Mailer {
    /// Hands `outgoing` to the server; its Message-ID on success.
    ///
    /// # Errors
    /// [`ActionError::Delivery`] when the server cannot be reached or refuses the message.
    pub async fn send(&self, outgoing: Outgoing) -> Result<String, ActionError> {
        let transport = self
            .server
            .transport()
            .map_err(|e| ActionError::Delivery(e.to_string()))?;
        transport.send(outgoing.message).await.map_err(|e| {
            ActionError::Delivery(format!(
                "SMTP {}:{}: {e}",
                self.server.host, self.server.port
            ))
        })?;
        Ok(outgoing.message_id)
    }
}
