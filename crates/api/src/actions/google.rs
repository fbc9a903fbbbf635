//! Execution through Google's APIs with the production clients (google-gmail1, google-calendar3,
//! on `mindy-google`'s HTTPS client and token file; `mindy auth actions` grants the scopes):
//!
//! - **Gmail `users.messages.send`**: the RFC 5322 message lettre built, uploaded as
//!   `message/rfc822` (Gmail's media upload). A reply carries the Gmail `threadId` of the message
//!   it answers, looked up by its Message-ID (`rfc822msgid:` search), so it joins the thread in
//!   the user's own mailbox as well as in the recipients' clients (which thread by
//!   `In-Reply-To`/`References`); when the lookup cannot be made the reply is sent without it.
//! - **Calendar `events.insert`** with the attendees and `sendUpdates=all` (Google mails the
//!   invitations), and **`events.patch`** for moving an event. An inserted event carries an id
//!   derived from the proposal's action, so an insert repeated after a lost answer meets `409`
//!   instead of creating a second event.
//!
//! A send is not idempotent at Gmail: it is retried only when Google refused it before taking
//! it (429, 403 rate limits), never after a 5xx or a broken connection, which are reported as
//! failures the user sees.

use std::io::Cursor;
use std::time::Duration;

use chrono::{DateTime, Utc};
use google_calendar3::api::{Event, EventAttendee, EventDateTime};
use google_calendar3::CalendarHub;
use google_gmail1::api::Message;
use google_gmail1::Gmail;
use mindy_google::client::{status_of, Connector, Retrying};
use mindy_google::{CALENDAR_EVENTS, GMAIL_READONLY, GMAIL_SEND};

use super::model::{EventDraft, EventRef};
use super::ActionError;

/// Retries per call.
const MAX_RETRIES: u32 = 4;
/// First backoff.
const BACKOFF: Duration = Duration::from_millis(500);

/// Sends mail as the authorised user.
pub struct GmailSender {
    /// The hub.
    pub hub: Gmail<Connector>,
    /// The mailbox: `me` is the authorised user.
    pub user: String,
}

impl std::fmt::Debug for GmailSender {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GmailSender")
            .field("user", &self.user)
            .finish()
    }
}

/// What Gmail answered to a send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sent {
    /// Gmail's id of the sent message.
    pub id: String,
    /// Gmail's thread id.
    pub thread_id: Option<String>,
}

fn gmail_error(what: &str, e: &google_gmail1::Error) -> ActionError {
    ActionError::Delivery(match status_of(e) {
        Some(status) => format!("Gmail {what}: HTTP {status}: {e}"),
        None => format!("Gmail {what}: {e}"),
    })
}

impl GmailSender {
    /// The Gmail thread of the message whose Message-ID is `rfc822_id` (without brackets), when
    /// the user's mailbox has it and the token may search (`gmail.readonly`).
    pub async fn thread_of(&self, rfc822_id: &str) -> Option<String> {
        let mut retry = Retrying::new(MAX_RETRIES, BACKOFF);
        let answer = self
            .hub
            .users()
            .messages_list(&self.user)
            .q(&format!("rfc822msgid:{rfc822_id}"))
            .max_results(1)
            .include_spam_trash(true)
            .add_scope(GMAIL_READONLY)
            .delegate(&mut retry)
            .doit()
            .await;
        match answer {
            Ok((_, list)) => list
                .messages
                .and_then(|m| m.into_iter().next())
                .and_then(|m| m.thread_id),
            Err(e) => {
                tracing::warn!(error = %e, "gmail: the replied message's thread could not be looked up; sending without threadId");
                None
            }
        }
    }

    /// Sends `raw` (an RFC 5322 message), in `thread_id` when given.
    ///
    /// # Errors
    /// [`ActionError::Delivery`] with Gmail's status and reason.
    pub async fn send(&self, raw: Vec<u8>, thread_id: Option<String>) -> Result<Sent, ActionError> {
        let mut retry = Retrying::refused_only(MAX_RETRIES, BACKOFF);
        let metadata = Message {
            thread_id,
            ..Default::default()
        };
        let mime: mime::Mime = "message/rfc822"
            .parse()
            .map_err(|e| ActionError::Invalid(format!("mime type: {e}")))?;
        let (_, sent) = self
            .hub
            .users()
            .messages_send(metadata, &self.user)
            .add_scope(GMAIL_SEND)
            .delegate(&mut retry)
            .upload(Cursor::new(raw), mime)
            .await
            .map_err(|e| gmail_error("users.messages.send", &e))?;
        let id = sent
            .id
            .ok_or_else(|| ActionError::Delivery("Gmail answered a send without an id".into()))?;
        Ok(Sent {
            id,
            thread_id: sent.thread_id,
        })
    }
}

/// Creates and changes events on the user's Google Calendar.
pub struct GoogleCalendar {
    /// The hub.
    pub hub: CalendarHub<Connector>,
    /// The calendar: `primary` is the authorised user's own.
    pub calendar_id: String,
}

impl std::fmt::Debug for GoogleCalendar {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GoogleCalendar")
            .field("calendar_id", &self.calendar_id)
            .finish()
    }
}

/// An event Google stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stored {
    /// The event's id.
    pub id: String,
    /// Its page in Google Calendar.
    pub html_link: Option<String>,
}

fn calendar_error(what: &str, e: &google_calendar3::Error) -> ActionError {
    ActionError::Calendar(match status_of(e) {
        Some(status) => format!("Google Calendar {what}: HTTP {status}: {e}"),
        None => format!("Google Calendar {what}: {e}"),
    })
}

fn at(instant: DateTime<Utc>, timezone: &str) -> EventDateTime {
    EventDateTime {
        date_time: Some(instant),
        time_zone: (!timezone.is_empty()).then(|| timezone.to_string()),
        ..Default::default()
    }
}

/// Google's id of `event`: the event's own, or for an occurrence of a series the instance id
/// Google gives it (`<series id>_<original start>`, the original start as `20261130T140000Z`
/// or `20261130` for a day: the form the producer keeps as the recurrence id).
pub fn google_event_id(event: &EventRef) -> String {
    match &event.recurrence_id {
        Some(rid) => format!("{}_{rid}", event.event_id),
        None => event.event_id.clone(),
    }
}

/// An event id Google accepts (5–1024 characters of base32hex: `0-9a-v`) from a UUID; the same
/// UUID gives the same id, which makes a repeated insert a `409` instead of a duplicate.
pub fn event_id(key: uuid::Uuid) -> String {
    format!("mm{}", key.simple())
}

impl GoogleCalendar {
    /// Inserts `draft` with id [`event_id`]`(key)`, inviting its attendees (`sendUpdates=all`).
    /// A `409` on a retried insert means the first one was stored: that event is returned.
    ///
    /// # Errors
    /// [`ActionError::Calendar`] with Google's status and reason.
    pub async fn insert(&self, key: uuid::Uuid, draft: &EventDraft) -> Result<Stored, ActionError> {
        let id = event_id(key);
        let event = Event {
            id: Some(id.clone()),
            summary: Some(draft.summary.clone()),
            description: Some(draft.description.clone()),
            location: draft.location.clone(),
            start: Some(at(draft.starts_at, &draft.timezone)),
            end: Some(at(draft.ends_at, &draft.timezone)),
            attendees: Some(
                draft
                    .attendees
                    .iter()
                    .map(|p| EventAttendee {
                        email: Some(p.address.clone()),
                        display_name: p.name.clone(),
                        ..Default::default()
                    })
                    .collect(),
            ),
            ..Default::default()
        };
        let mut retry = Retrying::new(MAX_RETRIES, BACKOFF);
        match self
            .hub
            .events()
            .insert(event, &self.calendar_id)
            .send_updates("all")
            .add_scope(CALENDAR_EVENTS)
            .delegate(&mut retry)
            .doit()
            .await
        {
            Ok((_, stored)) => Ok(Stored {
                id: stored.id.unwrap_or(id),
                html_link: stored.html_link,
            }),
            Err(e) if status_of(&e) == Some(409) => Ok(Stored {
                id,
                html_link: None,
            }),
            Err(e) => Err(calendar_error("events.insert", &e)),
        }
    }

    /// Moves event `id` to `[starts_at, ends_at)`, telling its attendees (`sendUpdates=all`).
    ///
    /// # Errors
    /// [`ActionError::Calendar`] with Google's status and reason.
    pub async fn patch(
        &self,
        id: &str,
        starts_at: DateTime<Utc>,
        ends_at: DateTime<Utc>,
        timezone: &str,
    ) -> Result<Stored, ActionError> {
        let change = Event {
            start: Some(at(starts_at, timezone)),
            end: Some(at(ends_at, timezone)),
            ..Default::default()
        };
        let mut retry = Retrying::new(MAX_RETRIES, BACKOFF);
        let (_, stored) = self
            .hub
            .events()
            .patch(change, &self.calendar_id, id)
            .send_updates("all")
            .add_scope(CALENDAR_EVENTS)
            .delegate(&mut retry)
            .doit()
            .await
            .map_err(|e| calendar_error("events.patch", &e))?;
        Ok(Stored {
            id: stored.id.unwrap_or_else(|| id.to_string()),
            html_link: stored.html_link,
        })
    }

    /// Deletes event `id` (a block being undone). Already gone (404, 410) counts as deleted.
    ///
    /// # Errors
    /// [`ActionError::Calendar`] with Google's status and reason.
    pub async fn delete(&self, id: &str) -> Result<(), ActionError> {
        let mut retry = Retrying::new(MAX_RETRIES, BACKOFF);
        match self
            .hub
            .events()
            .delete(&self.calendar_id, id)
            .send_updates("none")
            .add_scope(CALENDAR_EVENTS)
            .delegate(&mut retry)
            .doit()
            .await
        {
            Ok(_) => Ok(()),
            Err(e) if matches!(status_of(&e), Some(404 | 410)) => Ok(()),
            Err(e) => Err(calendar_error("events.delete", &e)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn event_ids_are_base32hex_and_stable() {
        let key = uuid::Uuid::new_v4();
        let id = event_id(key);
        assert_eq!(id, event_id(key));
        assert!((5..=1024).contains(&id.len()));
        assert!(id
            .chars()
            .all(|c| c.is_ascii_digit() || ('a'..='v').contains(&c)));
    }
}
