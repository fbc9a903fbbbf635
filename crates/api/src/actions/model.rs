//! What a proposal holds: the actions (an email, an event with invitees, a task, a reminder),
//! their results once executed, and the audit's entries. Stored as JSON in
//! `action_proposals.actions` / `.results` (crates/core/migrations/*_actions.sql).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

/// A name and an address (`Tom Anderson <tom@acme.example>`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Person {
    /// The mail address, as the data holds it.
    pub address: String,
    /// The display name, when known.
    pub name: Option<String>,
    /// Job title and organisation, when known ("CTO, Acme Corp"), for the review.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub about: Option<String>,
}

impl Person {
    /// Someone known only by their address.
    pub fn at(address: impl Into<String>) -> Self {
        Person {
            address: address.into(),
            name: None,
            about: None,
        }
    }

    /// The first word of the name, else of the address's local part, capitalised
    /// (`sarah.mitchell@…` → "Sarah").
    pub fn first_name(&self) -> String {
        if let Some(first) = self
            .name
            .as_deref()
            .and_then(|n| n.split_whitespace().next())
        {
            return first.to_string();
        }
        let local = self.address.split('@').next().unwrap_or("");
        let word = local.split(['.', '_', '-', '+']).next().unwrap_or(local);
        let mut chars = word.chars();
        match chars.next() {
            Some(c) => c.to_uppercase().chain(chars).collect(),
            None => String::new(),
        }
    }

    /// "Tom Anderson" or the address.
    pub fn label(&self) -> String {
        self.name.clone().unwrap_or_else(|| self.address.clone())
    }

    /// "Tom Anderson (CTO, Acme Corp)": the label with what is known about them.
    pub fn described(&self) -> String {
        match &self.about {
            Some(about) => format!("{} ({about})", self.label()),
            None => self.label(),
        }
    }
}

/// A reply, ready to send: headers that thread it in every client, and the text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct EmailDraft {
    /// The sender: the user's address the thread was sent to.
    pub from: Person,
    /// The person replied to.
    pub to: Vec<Person>,
    /// The thread's other recipients (reply-all, the user excluded) and people looped in.
    pub cc: Vec<Person>,
    /// `Re: ` and the thread's subject.
    pub subject: String,
    /// Plain text.
    pub body: String,
    /// Message-ID of the email replied to (without angle brackets); `None` when it had none
    /// (the reply then threads by subject only).
    pub in_reply_to: Option<String>,
    /// Message-IDs of the thread that have one, oldest first (without angle brackets).
    pub references: Vec<String>,
    /// The thread replied in (`email_insights.thread_id`).
    pub thread_id: String,
    /// Who wrote the body: `template`, the LLM generator's name (`openai`), or `user` once the
    /// user edited it.
    #[serde(default = "template")]
    pub written_by: String,
}

fn template() -> String {
    "template".into()
}

/// A meeting to put on the user's calendar, with its invitees.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct EventDraft {
    /// Title.
    pub summary: String,
    /// Start (UTC; shown in the user's timezone).
    pub starts_at: DateTime<Utc>,
    /// End (UTC).
    pub ends_at: DateTime<Utc>,
    /// The user's IANA timezone the times were meant in.
    pub timezone: String,
    /// Where; `None` for a call.
    pub location: Option<String>,
    /// What it is about.
    pub description: String,
    /// The user.
    pub organizer: Person,
    /// Invited (the user excluded); each gets the invitation.
    pub attendees: Vec<Person>,
}

/// A follow-up task.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct TaskDraft {
    /// What to do.
    pub title: String,
    /// When it is due.
    pub due_at: Option<DateTime<Utc>>,
}

/// A reminder delivered by email at its time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ReminderDraft {
    /// When to deliver it.
    pub remind_at: DateTime<Utc>,
    /// What it says.
    pub message: String,
    /// Who gets it (the user).
    pub recipient: Person,
}

/// An event of the user's calendar as the pipeline keys it (`calendar_events`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct EventRef {
    /// The serving id (`<calendar_id>/<event_id>[/<recurrence_id>]`).
    pub id: String,
    /// The calendar: `ics:<file name>` for a file, the Google calendar's id.
    pub calendar_id: String,
    /// The event's UID (Google: the event or its series' id).
    pub event_id: String,
    /// The occurrence of a series (`20261130T140000Z`, `20261130` for a day), if it is one.
    pub recurrence_id: Option<String>,
}

/// An existing event of the user's moved, or ended earlier (same start).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct MoveDraft {
    /// The event.
    pub event: EventRef,
    /// Its title.
    pub summary: String,
    /// Its start now (UTC).
    pub from_starts_at: DateTime<Utc>,
    /// Its end now (UTC).
    pub from_ends_at: DateTime<Utc>,
    /// Its new start (UTC).
    pub starts_at: DateTime<Utc>,
    /// Its new end (UTC).
    pub ends_at: DateTime<Utc>,
    /// The user's IANA timezone.
    pub timezone: String,
    /// The other participants (told of the change by the calendar).
    pub attendees: Vec<Person>,
    /// The user.
    pub owner: Person,
    /// Why, in words.
    pub reason: String,
}

/// Time blocked on the user's calendar (lunch, a travel buffer): an event without invitees.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct BlockDraft {
    /// Title ("Lunch", "Travel to Acme Office").
    pub summary: String,
    /// Start (UTC).
    pub starts_at: DateTime<Utc>,
    /// End (UTC).
    pub ends_at: DateTime<Utc>,
    /// The user's IANA timezone.
    pub timezone: String,
    /// The user.
    pub owner: Person,
    /// Why, in words.
    pub reason: String,
}

/// A block removed again (undoing a plan).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct UnblockDraft {
    /// The id its creation returned (the local UID or Google's event id).
    pub block_id: String,
    /// Its title.
    pub summary: String,
    /// Its start (UTC).
    pub starts_at: DateTime<Utc>,
    /// Its end (UTC).
    pub ends_at: DateTime<Utc>,
    /// The user.
    pub owner: Person,
}

/// One thing the assistant would do, once confirmed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Action {
    /// Send an email.
    SendEmail(EmailDraft),
    /// Create a calendar event and invite its attendees.
    CreateEvent(EventDraft),
    /// Create a task.
    CreateTask(TaskDraft),
    /// Set a reminder.
    SetReminder(ReminderDraft),
    /// Move an event of the user's, or end it earlier.
    MoveEvent(MoveDraft),
    /// Block time on the user's calendar.
    BlockTime(BlockDraft),
    /// Remove a block set earlier.
    RemoveBlock(UnblockDraft),
}

impl Action {
    /// The action's kind as stored in the audit (`send_email`, ...).
    pub fn kind(&self) -> &'static str {
        match self {
            Action::SendEmail(_) => "send_email",
            Action::CreateEvent(_) => "create_event",
            Action::CreateTask(_) => "create_task",
            Action::SetReminder(_) => "set_reminder",
            Action::MoveEvent(_) => "move_event",
            Action::BlockTime(_) => "block_time",
            Action::RemoveBlock(_) => "remove_block",
        }
    }
}

/// Where a proposal stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema, sqlx::Type)]
#[serde(rename_all = "snake_case")]
#[sqlx(type_name = "text", rename_all = "snake_case")]
pub enum Status {
    /// Waiting for the user's confirmation.
    Proposed,
    /// Confirmed and running.
    Executing,
    /// Every action done.
    Done,
    /// An action failed; the results say which and what was done before it.
    Failed,
    /// The user cancelled it.
    Cancelled,
}

/// What executing one action did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ActionResult {
    /// The action's kind.
    pub kind: String,
    /// True when it was done.
    pub ok: bool,
    /// What was done, or why it failed, in words.
    pub detail: String,
    /// The id the target returned (the sent Message-ID, the event UID, the task id).
    pub external_id: Option<String>,
}

/// A proposal as the API shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Proposal {
    /// Its id: confirm with `POST /api/actions/{id}/confirm`.
    pub id: Uuid,
    /// The conversation it was proposed in.
    pub conversation_id: String,
    /// The request it answers.
    pub question: String,
    /// One line: what it would do.
    pub summary: String,
    /// The actions, in execution order.
    pub actions: Vec<Action>,
    /// Where it stands.
    pub status: Status,
    /// When it was proposed.
    pub created_at: DateTime<Utc>,
    /// After this, it can no longer be confirmed.
    pub expires_at: DateTime<Utc>,
    /// When the user confirmed it.
    pub confirmed_at: Option<DateTime<Utc>>,
    /// When execution ended.
    pub finished_at: Option<DateTime<Utc>>,
    /// One per executed action, in order.
    pub results: Vec<ActionResult>,
}

/// One line of the append-only audit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, sqlx::FromRow)]
pub struct AuditEntry {
    /// Order of writing.
    pub seq: i64,
    /// When.
    pub at: DateTime<Utc>,
    /// The proposal it concerns (none for a reminder's delivery of an older proposal... always
    /// set when the proposal is known).
    pub proposal_id: Option<Uuid>,
    /// proposed, edited, confirmed, executed, failed, cancelled, refused, reminder_delivered,
    /// reminder_failed.
    pub event: String,
    /// The action's kind, for executions.
    pub action: Option<String>,
    /// What the target returned.
    pub external_id: Option<String>,
    /// Details (the results, the error, the edit).
    #[schema(value_type = Object)]
    pub detail: serde_json::Value,
}

/// A task as listed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, sqlx::FromRow)]
pub struct Task {
    /// Id.
    pub id: Uuid,
    /// The proposal that created it.
    pub proposal_id: Option<Uuid>,
    /// What to do.
    pub title: String,
    /// When it is due.
    pub due_at: Option<DateTime<Utc>>,
    /// open or done.
    pub status: String,
    /// When it was created.
    pub created_at: DateTime<Utc>,
}

/// A reminder as listed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, sqlx::FromRow)]
pub struct Reminder {
    /// Id.
    pub id: Uuid,
    /// The proposal that created it.
    pub proposal_id: Option<Uuid>,
    /// When it is delivered.
    pub remind_at: DateTime<Utc>,
    /// What it says.
    pub message: String,
    /// Who gets it.
    pub recipient: String,
    /// When it was delivered.
    pub delivered_at: Option<DateTime<Utc>>,
    /// Message-ID of the delivered email.
    pub delivery_id: Option<String>,
    /// Failed delivery attempts.
    pub attempts: i32,
    /// The last delivery error.
    pub last_error: Option<String>,
}
