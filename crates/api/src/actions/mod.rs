//! Actions with confirmation (issue 19): a chat turn that would change something (reply to
//! someone, put a call on the calendar, set a task or a reminder) returns a *proposal*; nothing
//! happens until the user confirms it ("send and schedule", a button, or
//! `POST /api/actions/{id}/confirm`). A confirmation is idempotent (one execution whatever the
//! number of clicks) and expires with the proposal. Every step is in the append-only audit.
//!
//! - [`intent`]: recognising a request to draft, to optimise a day, to undo, a confirmation, a
//!   cancellation.
//! - [`draft`]: the reply drafted from the thread, and the actions that follow it.
//! - [`model`]: actions, proposals, results, audit entries.
//! - [`store`]: PostgreSQL, as the role `mindy_actor`.
//! - [`mailer`]: RFC 5322 messages (lettre), sent over SMTP or through Gmail.
//! - [`calendar`]: where events go: the local calendar store and its iCalendar file, or Google.
//! - [`google`]: Gmail `users.messages.send`, Calendar `events.insert`/`events.patch`.
//! - [`reminders`]: delivering reminders at their time.
//! - [`optimise`]: a day's plan (moves, blocks) from its concerns, verified; [`day`] loads the
//!   day from the serving tables and turns the plan into actions.

pub mod calendar;
pub mod day;
pub mod draft;
pub mod google;
pub mod intent;
pub mod mailer;
pub mod model;
pub mod optimise;
pub mod reminders;
pub mod store;

use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use serde_json::json;
use sqlx::PgPool;
use utoipa::ToSchema;
use uuid::Uuid;

use self::calendar::CalendarTarget;
use self::day::DayChoice;
use self::draft::Drafted;
use self::intent::Intent;
use self::mailer::Mailer;
use self::model::{Action, ActionResult, EventDraft, Proposal, Status, UnblockDraft};
use crate::chat::SqlGenerator;
use crate::metrics::Metrics;
use mindy_core::calendar::day::WorkingHours;

/// What an action request can fail with.
#[derive(Debug, thiserror::Error)]
pub enum ActionError {
    /// PostgreSQL failed.
    #[error("postgres: {0}")]
    Database(#[from] sqlx::Error),
    /// The request or a draft cannot be used (a bad address, an empty body).
    #[error("{0}")]
    Invalid(String),
    /// No such proposal.
    #[error("no proposal {0}")]
    NotFound(Uuid),
    /// The proposal cannot be confirmed or edited any more (expired, cancelled).
    #[error("{0}")]
    Closed(String),
    /// The mail server could not take a message.
    #[error("mail delivery failed: {0}")]
    Delivery(String),
    /// The calendar (the local file, Google Calendar) could not take the change.
    #[error("calendar: {0}")]
    Calendar(String),
}

/// The actions service.
#[derive(Clone)]
pub struct Actions {
    /// `mindy_actor`'s pool.
    pub pool: PgPool,
    /// Sends the replies, invitations and reminders.
    pub mailer: Mailer,
    /// Where confirmed events go.
    pub calendar: CalendarTarget,
    /// The user's working hours (where the day optimiser may move meetings).
    pub working_hours: WorkingHours,
    /// The user's timezone.
    pub timezone: Tz,
    /// How long a proposal can be confirmed.
    pub ttl: Duration,
    /// Counters (`mindy_api_actions_total`, `mindy_api_reminders_total`).
    pub metrics: Arc<Metrics>,
}

/// What the chat shows for an action turn.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ActionTurn {
    /// The answer in words.
    pub answer: String,
    /// The proposal drafted, confirmed or cancelled in this turn, when there is one.
    pub proposal: Option<Proposal>,
}

/// A confirmation's outcome.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Confirmation {
    /// The proposal after execution.
    pub proposal: Proposal,
    /// True when this call executed it; false when an earlier confirmation had (nothing was
    /// executed again).
    pub executed_now: bool,
}

/// What the user may change in a proposal before confirming it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Edit {
    /// The reply's new subject.
    pub subject: Option<String>,
    /// The reply's new body.
    pub body: Option<String>,
    /// The call's new start (its length is kept; the reminder and the task follow it).
    pub call_starts_at: Option<DateTime<Utc>>,
}

impl Actions {
    /// Answers an action request of the chat.
    ///
    /// `writer` writes the reply's body when it can (the LLM); its text is used only when it says
    /// everything asked and invents no number ([`draft::check_written`]), else the template
    /// stands and the answer says why. `context_day` is the day the conversation is about (the
    /// last day answer's), for "optimize it".
    pub async fn handle(
        &self,
        intent: &Intent,
        conversation_id: &str,
        question: &str,
        now: DateTime<Utc>,
        writer: &dyn SqlGenerator,
        context_day: Option<DayChoice>,
    ) -> Result<ActionTurn, ActionError> {
        match intent {
            Intent::OptimiseDay(request) => {
                let today = now.with_timezone(&self.timezone).date_naive();
                let choice =
                    DayChoice::from_words(&request.words, request.busiest, today).or(context_day);
                self.optimise(choice, conversation_id, question, now).await
            }
            Intent::Undo => self.undo(conversation_id, question, now).await,
            Intent::DraftReply(request) => {
                match draft::reply(&self.pool, request, now, self.timezone).await? {
                    Drafted::Clarify(answer) => Ok(ActionTurn {
                        answer,
                        proposal: None,
                    }),
                    Drafted::Actions {
                        summary,
                        mut actions,
                        facts,
                        notice,
                    } => {
                        let note = write_body(writer, &mut actions, &facts).await;
                        let proposal = self
                            .propose(conversation_id, question, &summary, &actions, now)
                            .await?;
                        let mut answer = self.proposed_words(&proposal);
                        for line in [notice, note].into_iter().flatten() {
                            answer.push_str(&format!("\n({line})"));
                        }
                        Ok(ActionTurn {
                            answer,
                            proposal: Some(proposal),
                        })
                    }
                }
            }
            Intent::Confirm => {
                let Some(waiting) = store::latest(&self.pool, conversation_id).await? else {
                    return Ok(ActionTurn {
                        answer: "Nothing is waiting for your confirmation in this conversation."
                            .into(),
                        proposal: None,
                    });
                };
                match self.confirm(waiting.id, now).await {
                    Ok(c) => Ok(ActionTurn {
                        answer: if c.executed_now {
                            self.result_words(&c.proposal)
                        } else {
                            format!(
                                "That was already confirmed; nothing was sent again. {}",
                                self.result_words(&c.proposal)
                            )
                        },
                        proposal: Some(c.proposal),
                    }),
                    Err(ActionError::Closed(why)) => Ok(ActionTurn {
                        answer: why,
                        proposal: Some(waiting),
                    }),
                    Err(e) => Err(e),
                }
            }
            Intent::Cancel => {
                let Some(waiting) = store::latest(&self.pool, conversation_id).await? else {
                    return Ok(ActionTurn {
                        answer: "There is nothing to cancel in this conversation.".into(),
                        proposal: None,
                    });
                };
                match store::cancel(&self.pool, waiting.id).await? {
                    Some(p) => Ok(ActionTurn {
                        answer: "Cancelled: nothing was sent or scheduled.".into(),
                        proposal: Some(p),
                    }),
                    None => Ok(ActionTurn {
                        answer: format!(
                            "That can no longer be cancelled: it is {}.",
                            status_word(waiting.status)
                        ),
                        proposal: Some(waiting),
                    }),
                }
            }
        }
    }

    /// Stores `actions` as a proposal waiting for confirmation until `now` + the TTL, and
    /// counts them as proposed.
    async fn propose(
        &self,
        conversation_id: &str,
        question: &str,
        summary: &str,
        actions: &[Action],
        now: DateTime<Utc>,
    ) -> Result<Proposal, ActionError> {
        let proposal = store::insert(
            &self.pool,
            conversation_id,
            question,
            summary,
            actions,
            now + self.ttl,
        )
        .await?;
        for action in &proposal.actions {
            self.metrics.action(action.kind(), "proposed");
        }
        Ok(proposal)
    }

    /// Proposes a plan for the day `choice` names.
    async fn optimise(
        &self,
        choice: Option<DayChoice>,
        conversation_id: &str,
        question: &str,
        now: DateTime<Utc>,
    ) -> Result<ActionTurn, ActionError> {
        let say = |answer: String| {
            Ok(ActionTurn {
                answer,
                proposal: None,
            })
        };
        let Some(choice) = choice else {
            return say(
                "Which day should I optimise? Say 'optimise tomorrow' or 'optimise Thursday', \
                 or ask 'What's my busiest day this week?' first."
                    .into(),
            );
        };
        let Some(date) = choice.date(&self.pool).await? else {
            return say("There are no meetings in that period to optimise.".into());
        };
        let day_name = date.format("%A %-d %B").to_string();
        if date < now.with_timezone(&self.timezone).date_naive() {
            return say(format!(
                "{day_name} is over: I can only optimise today (what is still ahead) or a day to come."
            ));
        }
        let today = now.with_timezone(&self.timezone).date_naive();
        // The store's own events on their way through the pipeline count as they are now.
        let (calendar_id, pending) = match &self.calendar {
            CalendarTarget::Local(local) => {
                let id = local.calendar_id();
                let pending = day::Pending::load(&self.pool, &id).await?;
                (id, pending)
            }
            CalendarTarget::Google(_) => (String::new(), Vec::new()),
        };
        let loaded = day::load(
            &self.pool,
            date,
            today,
            (&calendar_id, &pending),
            self.timezone,
        )
        .await?;
        if loaded.events.is_empty() {
            return say(format!("{day_name} has no meetings to optimise."));
        }
        let plan = day::plan(&loaded, self.working_hours, now, self.timezone)?;
        let mut answer = String::new();
        if plan.changes.is_empty() {
            answer.push_str(&format!("{day_name} needs no change I can make."));
            for u in &plan.unresolved {
                answer.push_str(&format!("\n- {u}"));
            }
            return say(answer);
        }
        let Some(owner) = loaded.me.clone() else {
            return say(format!(
                "I can't tell which participant is you on {day_name}, so I can't block time for you."
            ));
        };
        let actions = day::actions(&plan, &loaded, self.timezone, &owner);
        let figures = day::figures_words(&plan);
        let summary = format!("Optimise {day_name}: {figures}");
        let proposal = self
            .propose(conversation_id, question, &summary, &actions, now)
            .await?;
        answer.push_str(&format!(
            "Here is a plan for {day_name} ({}), verified to create no new conflict and to move \
             nothing onto a known attendee's other meeting:\n",
            self.timezone.name()
        ));
        answer.push_str(&format!("{figures}\n"));
        if !plan.unresolved.is_empty() {
            answer.push_str("Not solved:\n");
            for u in &plan.unresolved {
                answer.push_str(&format!("- {u}\n"));
            }
        }
        answer.push('\n');
        answer.push_str(&self.proposed_words(&proposal));
        Ok(ActionTurn {
            answer,
            proposal: Some(proposal),
        })
    }

    /// Proposes undoing the calendar changes of the conversation's last executed proposal:
    /// moved events back, blocks removed, in reverse order.
    async fn undo(
        &self,
        conversation_id: &str,
        question: &str,
        now: DateTime<Utc>,
    ) -> Result<ActionTurn, ActionError> {
        let say = |answer: &str| {
            Ok(ActionTurn {
                answer: answer.to_string(),
                proposal: None,
            })
        };
        let Some(last) = store::latest(&self.pool, conversation_id).await? else {
            return say("There is nothing to undo in this conversation.");
        };
        if last.status == Status::Proposed {
            return say("Nothing has been done yet: say 'cancel' to drop the proposal waiting.");
        }
        let mut inverse = Vec::new();
        for (action, result) in last.actions.iter().zip(&last.results) {
            if !result.ok {
                continue;
            }
            match action {
                Action::MoveEvent(m) => {
                    let mut back = m.clone();
                    back.starts_at = m.from_starts_at;
                    back.ends_at = m.from_ends_at;
                    back.from_starts_at = m.starts_at;
                    back.from_ends_at = m.ends_at;
                    back.reason = "undo".into();
                    inverse.push(Action::MoveEvent(back));
                }
                Action::BlockTime(b) => {
                    if let Some(id) = &result.external_id {
                        inverse.push(Action::RemoveBlock(UnblockDraft {
                            block_id: id.clone(),
                            summary: b.summary.clone(),
                            starts_at: b.starts_at,
                            ends_at: b.ends_at,
                            owner: b.owner.clone(),
                        }));
                    }
                }
                _ => {}
            }
        }
        if inverse.is_empty() {
            return say(
                "The last thing done here changed no calendar event I can put back (an email \
                 sent cannot be unsent).",
            );
        }
        inverse.reverse();
        let summary = format!("Undo: {}", last.summary);
        let proposal = self
            .propose(conversation_id, question, &summary, &inverse, now)
            .await?;
        Ok(ActionTurn {
            answer: format!(
                "To undo the last changes:\n{}",
                self.proposed_words(&proposal)
            ),
            proposal: Some(proposal),
        })
    }

    /// Confirms proposal `id`: executes it once. A second confirmation returns the first's
    /// outcome without executing anything.
    ///
    /// # Errors
    /// [`ActionError::NotFound`], or [`ActionError::Closed`] when it expired or was cancelled.
    pub async fn confirm(&self, id: Uuid, now: DateTime<Utc>) -> Result<Confirmation, ActionError> {
        let Some(claimed) = store::claim(&self.pool, id, now).await? else {
            let current = store::get(&self.pool, id)
                .await?
                .ok_or(ActionError::NotFound(id))?;
            return match current.status {
                Status::Proposed => {
                    store::audit(
                        &self.pool,
                        Some(id),
                        "refused",
                        None,
                        None,
                        json!({ "reason": "expired" }),
                    )
                    .await?;
                    Err(ActionError::Closed(format!(
                        "That proposal expired at {} and was not executed; ask me to draft it again.",
                        current.expires_at.with_timezone(&self.timezone).format("%H:%M")
                    )))
                }
                Status::Cancelled => Err(ActionError::Closed(
                    "That proposal was cancelled; nothing was executed.".into(),
                )),
                Status::Executing | Status::Done | Status::Failed => Ok(Confirmation {
                    proposal: current,
                    executed_now: false,
                }),
            };
        };
        let results = self.execute(&claimed).await;
        let proposal = store::finish(&self.pool, id, &results).await?;
        Ok(Confirmation {
            proposal,
            executed_now: true,
        })
    }

    /// Changes a waiting proposal's draft.
    ///
    /// # Errors
    /// [`ActionError::Invalid`] for an empty subject or body or a call moved into the past,
    /// [`ActionError::NotFound`], [`ActionError::Closed`] when no longer waiting.
    pub async fn edit(
        &self,
        id: Uuid,
        edit: &Edit,
        now: DateTime<Utc>,
    ) -> Result<Proposal, ActionError> {
        let current = store::get(&self.pool, id)
            .await?
            .ok_or(ActionError::NotFound(id))?;
        let mut actions = current.actions.clone();
        let old_start = actions.iter().find_map(|a| match a {
            Action::CreateEvent(e) => Some(e.starts_at),
            _ => None,
        });
        for action in &mut actions {
            match action {
                Action::SendEmail(mail) => {
                    if let Some(subject) = &edit.subject {
                        if subject.trim().is_empty() || subject.contains(['\r', '\n']) {
                            return Err(ActionError::Invalid(
                                "the subject must be one non-empty line".into(),
                            ));
                        }
                        mail.subject = subject.trim().to_string();
                    }
                    if let Some(body) = &edit.body {
                        if body.trim().is_empty() {
                            return Err(ActionError::Invalid("the body must not be empty".into()));
                        }
                        mail.body = body.clone();
                        mail.written_by = "user".into();
                    }
                }
                Action::CreateEvent(event) => {
                    if let Some(start) = edit.call_starts_at {
                        if start <= now {
                            return Err(ActionError::Invalid(
                                "the call must start in the future".into(),
                            ));
                        }
                        let length = event.ends_at - event.starts_at;
                        event.starts_at = start;
                        event.ends_at = start + length;
                    }
                }
                Action::SetReminder(reminder) => {
                    if let (Some(start), Some(old)) = (edit.call_starts_at, old_start) {
                        reminder.remind_at = (reminder.remind_at + (start - old)).max(now);
                    }
                }
                // A day's plan is confirmed or cancelled as proposed.
                Action::MoveEvent(_) | Action::BlockTime(_) | Action::RemoveBlock(_) => {}
                Action::CreateTask(task) => {
                    if let (Some(start), Some(old), Some(due)) =
                        (edit.call_starts_at, old_start, task.due_at)
                    {
                        task.due_at = Some(due + (start - old));
                    }
                }
            }
        }
        match store::edit(&self.pool, id, &actions, now).await? {
            Some(p) => Ok(p),
            None => Err(ActionError::Closed(format!(
                "That proposal is {} and can no longer be edited.",
                if current.status == Status::Proposed {
                    "expired"
                } else {
                    status_word(current.status)
                }
            ))),
        }
    }

    /// Runs the actions in order, auditing each; the first failure stops the rest (each is
    /// reported as not done), so nothing happens after a step the user will be told failed.
    async fn execute(&self, proposal: &Proposal) -> Vec<ActionResult> {
        let mut results = Vec::with_capacity(proposal.actions.len());
        let mut failed = false;
        for action in &proposal.actions {
            if failed {
                results.push(ActionResult {
                    kind: action.kind().into(),
                    ok: false,
                    detail: "not done: an earlier action failed".into(),
                    external_id: None,
                });
                continue;
            }
            let outcome = self.run(proposal.id, results.len(), action).await;
            let result = match outcome {
                Ok((detail, id)) => ActionResult {
                    kind: action.kind().into(),
                    ok: true,
                    detail,
                    external_id: Some(id),
                },
                Err(e) => {
                    failed = true;
                    tracing::warn!(proposal = %proposal.id, action = action.kind(), error = %e, "action failed");
                    ActionResult {
                        kind: action.kind().into(),
                        ok: false,
                        detail: e.to_string(),
                        external_id: None,
                    }
                }
            };
            let event = if result.ok { "executed" } else { "failed" };
            self.metrics.action(action.kind(), event);
            if let Err(e) = store::audit(
                &self.pool,
                Some(proposal.id),
                event,
                Some(action.kind()),
                result.external_id.as_deref(),
                json!({ "detail": result.detail }),
            )
            .await
            {
                tracing::error!(proposal = %proposal.id, error = %e, "could not audit an action's result");
            }
            results.push(result);
        }
        results
    }

    /// One action; what was done in words and the id the target returned.
    async fn run(
        &self,
        proposal_id: Uuid,
        index: usize,
        action: &Action,
    ) -> Result<(String, String), ActionError> {
        let tz = self.timezone;
        let span = |a: DateTime<Utc>, b: DateTime<Utc>| {
            format!("{}–{}", draft::hm(a, tz), draft::hm(b, tz))
        };
        match action {
            Action::MoveEvent(m) => {
                let id = match &self.calendar {
                    CalendarTarget::Local(local) => {
                        local
                            .move_event(&self.pool, &m.event, m.starts_at, m.ends_at, &m.owner)
                            .await?;
                        m.event.id.clone()
                    }
                    CalendarTarget::Google(google) => {
                        google
                            .patch(
                                &google::google_event_id(&m.event),
                                m.starts_at,
                                m.ends_at,
                                &m.timezone,
                            )
                            .await?
                            .id
                    }
                };
                let detail = if m.starts_at == m.from_starts_at {
                    format!(
                        "\"{}\" now ends at {} (was {})",
                        m.summary,
                        draft::hm(m.ends_at, tz),
                        draft::hm(m.from_ends_at, tz)
                    )
                } else {
                    let on = |t: DateTime<Utc>| t.with_timezone(&tz).format("%a %-d %b");
                    format!(
                        "Moved \"{}\" from {} {} to {} {}",
                        m.summary,
                        on(m.from_starts_at),
                        span(m.from_starts_at, m.from_ends_at),
                        on(m.starts_at),
                        span(m.starts_at, m.ends_at)
                    )
                };
                Ok((detail, id))
            }
            Action::BlockTime(b) => {
                let event = EventDraft {
                    summary: b.summary.clone(),
                    starts_at: b.starts_at,
                    ends_at: b.ends_at,
                    timezone: b.timezone.clone(),
                    location: None,
                    description: b.reason.clone(),
                    organizer: b.owner.clone(),
                    attendees: Vec::new(),
                };
                let id = match &self.calendar {
                    CalendarTarget::Local(local) => {
                        let uid = format!("{}@mini-mindy", Uuid::new_v4());
                        local.create(&self.pool, proposal_id, &uid, &event).await?;
                        uid
                    }
                    CalendarTarget::Google(google) => {
                        google
                            .insert(action_key(proposal_id, index), &event)
                            .await?
                            .id
                    }
                };
                Ok((
                    format!("Blocked {} \"{}\"", span(b.starts_at, b.ends_at), b.summary),
                    id,
                ))
            }
            Action::RemoveBlock(r) => {
                match &self.calendar {
                    CalendarTarget::Local(local) => {
                        local.cancel(&self.pool, &r.block_id, &r.owner).await?
                    }
                    CalendarTarget::Google(google) => google.delete(&r.block_id).await?,
                }
                Ok((
                    format!("Removed \"{}\" {}", r.summary, span(r.starts_at, r.ends_at)),
                    r.block_id.clone(),
                ))
            }
            Action::SendEmail(mail) => {
                let id = self.mailer.send(mailer::reply(mail)?).await?;
                let to: Vec<String> = mail.to.iter().map(|p| p.label()).collect();
                Ok((
                    format!("Sent \"{}\" to {}", mail.subject, to.join(", ")),
                    id,
                ))
            }
            Action::CreateEvent(event) => {
                let created = format!(
                    "Created \"{}\" at {} {}",
                    event.summary,
                    draft::hm(event.starts_at, self.timezone),
                    event
                        .starts_at
                        .with_timezone(&self.timezone)
                        .format("%a %-d %b")
                );
                let local = match &self.calendar {
                    CalendarTarget::Local(local) => local,
                    CalendarTarget::Google(google) => {
                        let stored = google.insert(action_key(proposal_id, index), event).await?;
                        let mut detail = format!("{created} in Google Calendar");
                        if !event.attendees.is_empty() {
                            let names: Vec<String> =
                                event.attendees.iter().map(|p| p.label()).collect();
                            detail.push_str(&format!("; Google invited {}", names.join(", ")));
                        }
                        if let Some(link) = stored.html_link {
                            detail.push_str(&format!(" ({link})"));
                        }
                        return Ok((detail, stored.id));
                    }
                };
                let uid = format!("{}@mini-mindy", Uuid::new_v4());
                local.create(&self.pool, proposal_id, &uid, event).await?;
                let mut detail = created;
                if !event.attendees.is_empty() {
                    let text = format!(
                        "{} invites you to \"{}\" on {} ({}).",
                        event.organizer.label(),
                        event.summary,
                        event
                            .starts_at
                            .with_timezone(&self.timezone)
                            .format("%A %-d %B at %H:%M"),
                        self.timezone.name()
                    );
                    let ics = calendar::invitation(&uid, event);
                    let invitation = mailer::invitation(
                        &event.organizer,
                        &event.attendees,
                        &event.summary,
                        &text,
                        &ics,
                    )?;
                    self.mailer.send(invitation).await?;
                    let names: Vec<String> = event.attendees.iter().map(|p| p.label()).collect();
                    detail.push_str(&format!(" and invited {}", names.join(", ")));
                }
                Ok((detail, uid))
            }
            Action::CreateTask(task) => {
                let id = Uuid::new_v4();
                sqlx::query(
                    "INSERT INTO tasks (id, proposal_id, title, due_at) VALUES ($1, $2, $3, $4)",
                )
                .bind(id)
                .bind(proposal_id)
                .bind(&task.title)
                .bind(task.due_at)
                .execute(&self.pool)
                .await?;
                let due = task
                    .due_at
                    .map(|d| {
                        format!(
                            " (due {})",
                            d.with_timezone(&self.timezone).format("%H:%M %a %-d %b")
                        )
                    })
                    .unwrap_or_default();
                Ok((format!("Added task: {}{due}", task.title), id.to_string()))
            }
            Action::SetReminder(reminder) => {
                let id = Uuid::new_v4();
                sqlx::query(
                    "INSERT INTO reminders (id, proposal_id, remind_at, message, recipient) VALUES ($1, $2, $3, $4, $5)",
                )
                .bind(id)
                .bind(proposal_id)
                .bind(reminder.remind_at)
                .bind(&reminder.message)
                .bind(&reminder.recipient.address)
                .execute(&self.pool)
                .await?;
                Ok((
                    format!(
                        "Set reminder: {} {}",
                        reminder
                            .remind_at
                            .with_timezone(&self.timezone)
                            .format("%H:%M"),
                        reminder.message
                    ),
                    id.to_string(),
                ))
            }
        }
    }

    /// A proposal in words: the draft, then the numbered actions, then how to confirm.
    pub fn proposed_words(&self, p: &Proposal) -> String {
        let mut text = String::new();
        for action in &p.actions {
            if let Action::SendEmail(mail) = action {
                text.push_str("I've drafted this email:\n\n");
                let to: Vec<String> = mail.to.iter().map(|p| p.label()).collect();
                text.push_str(&format!("To: {}\n", to.join(", ")));
                if !mail.cc.is_empty() {
                    let cc: Vec<String> = mail.cc.iter().map(|p| p.label()).collect();
                    text.push_str(&format!("Cc: {}\n", cc.join(", ")));
                }
                text.push_str(&format!("Subject: {}\n\n{}\n\n", mail.subject, mail.body));
            }
        }
        text.push_str("Actions I can take:\n");
        for (i, action) in p.actions.iter().enumerate() {
            text.push_str(&format!("{}. {}\n", i + 1, self.action_words(action)));
        }
        let until = p.expires_at.with_timezone(&self.timezone).format("%H:%M");
        let mails = p.actions.iter().any(|a| matches!(a, Action::SendEmail(_)));
        if !mails {
            text.push_str(&format!(
                "\nSay 'yes' to apply {} (until {until}). Nothing changes until you confirm.",
                if p.actions.len() == 1 {
                    "it"
                } else {
                    "all of this"
                }
            ));
            return text;
        }
        let verb = if p
            .actions
            .iter()
            .any(|a| matches!(a, Action::CreateEvent(_)))
        {
            "send and schedule"
        } else {
            "send it"
        };
        text.push_str(&format!(
            "\nSay '{verb}' to do all of this (until {until}), or edit the draft first. Nothing is sent until you confirm."
        ));
        text
    }

    fn action_words(&self, action: &Action) -> String {
        let tz = self.timezone;
        match action {
            Action::SendEmail(mail) => {
                let to: Vec<String> = mail.to.iter().map(|p| p.label()).collect();
                format!("Send this email to {}", to.join(", "))
            }
            Action::CreateEvent(e) => {
                let mut s = format!(
                    "Add \"{}\" to your calendar at {}–{} {}",
                    e.summary,
                    draft::hm(e.starts_at, tz),
                    draft::hm(e.ends_at, tz),
                    e.starts_at.with_timezone(&tz).format("%a %-d %b")
                );
                if !e.attendees.is_empty() {
                    let names: Vec<String> = e.attendees.iter().map(|p| p.label()).collect();
                    s.push_str(&format!(", inviting {}", names.join(" and ")));
                }
                s
            }
            Action::CreateTask(t) => match t.due_at {
                Some(due) => format!(
                    "Create task: {} (due {})",
                    t.title,
                    due.with_timezone(&tz).format("%H:%M %a %-d %b")
                ),
                None => format!("Create task: {}", t.title),
            },
            Action::SetReminder(r) => format!(
                "Remind you at {}: {}",
                r.remind_at.with_timezone(&tz).format("%H:%M"),
                r.message
            ),
            Action::MoveEvent(m) if m.starts_at == m.from_starts_at => format!(
                "End \"{}\" at {} instead of {} ({})",
                m.summary,
                draft::hm(m.ends_at, tz),
                draft::hm(m.from_ends_at, tz),
                m.reason
            ),
            Action::MoveEvent(m) => {
                let day = |t: DateTime<Utc>| t.with_timezone(&tz).date_naive();
                let to_day = if day(m.starts_at) == day(m.from_starts_at) {
                    String::new()
                } else {
                    format!("{} ", m.starts_at.with_timezone(&tz).format("%a %-d %b"))
                };
                format!(
                    "Move \"{}\" {}–{} → {to_day}{}–{} ({})",
                    m.summary,
                    draft::hm(m.from_starts_at, tz),
                    draft::hm(m.from_ends_at, tz),
                    draft::hm(m.starts_at, tz),
                    draft::hm(m.ends_at, tz),
                    m.reason
                )
            }
            Action::BlockTime(b) => format!(
                "Block {}–{} for \"{}\" ({})",
                draft::hm(b.starts_at, tz),
                draft::hm(b.ends_at, tz),
                b.summary,
                b.reason
            ),
            Action::RemoveBlock(r) => format!(
                "Remove \"{}\" {}–{}",
                r.summary,
                draft::hm(r.starts_at, tz),
                draft::hm(r.ends_at, tz)
            ),
        }
    }

    /// An executed proposal in words: each action's result.
    pub fn result_words(&self, p: &Proposal) -> String {
        let mut text = String::from(if p.status == Status::Done {
            "Done! I've:\n"
        } else {
            "Not everything could be done:\n"
        });
        for r in &p.results {
            let mark = if r.ok { "✅" } else { "❌" };
            text.push_str(&format!("{mark} {}\n", r.detail));
        }
        if p.status == Status::Failed {
            text.push_str("Nothing after the failed step was done; the audit lists each step.");
        }
        text.trim_end().to_string()
    }
}

/// Lets `writer` write the reply's body; a note for the user when it could not be used.
async fn write_body(
    writer: &dyn SqlGenerator,
    actions: &mut [Action],
    facts: &draft::ReplyFacts,
) -> Option<String> {
    let Some(Action::SendEmail(mail)) = actions.first_mut() else {
        return None;
    };
    let facts_json = serde_json::to_string_pretty(facts).unwrap_or_default();
    match writer.write(draft::WRITE_INSTRUCTIONS, &facts_json).await {
        Ok(None) => None,
        Ok(Some(body)) => match draft::check_written(&body, facts) {
            None => {
                mail.body = body;
                mail.written_by = writer.name().to_string();
                None
            }
            Some(why) => {
                tracing::warn!(why, "the model's reply was not used");
                Some(format!(
                    "The model's draft was not used because {why}; this is the template."
                ))
            }
        },
        Err(e) => {
            tracing::warn!(error = %e, "the model could not write the reply");
            Some("The model could not write the draft; this is the template.".into())
        }
    }
}

/// A stable key for the external object a proposal's action number `index` creates, so a
/// repeated call finds the first one's (Google's event id) instead of creating another.
fn action_key(proposal_id: Uuid, index: usize) -> Uuid {
    let mut bytes = *proposal_id.as_bytes();
    let n = (index as u16).wrapping_add(1).to_be_bytes();
    bytes[14] ^= n[0];
    bytes[15] ^= n[1];
    Uuid::from_bytes(bytes)
}

fn status_word(status: Status) -> &'static str {
    match status {
        Status::Proposed => "waiting for confirmation",
        Status::Executing => "being executed",
        Status::Done => "done",
        Status::Failed => "failed",
        Status::Cancelled => "cancelled",
    }
}
