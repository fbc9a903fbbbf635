//! The scripted threads the demo scenes talk about, placed relative to the last day of the
//! mailbox (`U`): Acme Corp's production issue escalating overnight, TechFlow's contract
//! questions, Global Systems' agenda confirmation, DataCorp's feature and pricing requests, and
//! the internal approvals waiting on the persona.

use super::cast::{self, Person, AMANDA, JENNIFER, LISA, ROBERT, TOM};
use super::content::Category;

/// How the persona answers a scripted message.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Answer {
    /// Not at all (yet): it is waiting for her.
    None,
    /// After this many minutes, with this text.
    After(i64, &'static str),
}

/// One scripted message.
#[derive(Debug, Clone, Copy)]
pub struct Scripted {
    /// Days relative to the last day (0 = that day, -1 = the day before).
    pub day: i64,
    /// Local hour.
    pub hour: u32,
    /// Local minute.
    pub minute: u32,
    /// Sender.
    pub from: Person,
    /// Extra recipients besides the persona.
    pub cc: &'static [Person],
    /// Subject.
    pub subject: &'static str,
    /// Body (the renderer adds the signature).
    pub body: &'static str,
    /// Messages with the same key form one thread, in order.
    pub thread: &'static str,
    /// Kind of sender, for labels.
    pub category: Category,
    /// The persona's answer.
    pub answer: Answer,
}

const MIKE: Person = cast::LEADERSHIP[1];
const JOHN: Person = cast::SALES[0];
const MARIA: Person = cast::FINANCE[0];
const STEVEN: Person = cast::OTHER_INTERNAL[2];
const BEN: Person = cast::OTHER_INTERNAL[3];

/// Every scripted message.
pub const STORYLINES: &[Scripted] = &[
    // Acme Corp: from routine to an overnight escalation.
    Scripted { day: -20, hour: 10, minute: 5, from: TOM, cc: &[], subject: "Q4 rollout plan for the analytics module", body: "Hi Sarah,\n\nWe are planning to roll the analytics module out to all 500 of our users in Q4. Could your team share a rollout plan and the training options?\n\nThanks,", thread: "acme-rollout", category: Category::Client, answer: Answer::After(95, "Hi Tom,\n\nGreat to hear. I'll have our customer success team send a rollout plan and training options by Friday.\n\nBest,\nSarah") },
    Scripted { day: -9, hour: 14, minute: 20, from: LISA, cc: &[], subject: "Renewal timeline and executive sponsor", body: "Hi Sarah,\n\nOur renewal comes up next quarter. I'll be the executive sponsor on our side. Could we align on a timeline for the commercial discussion?\n\nBest regards,", thread: "acme-renewal", category: Category::Client, answer: Answer::After(150, "Hi Lisa,\n\nThank you - happy to be your counterpart. I'll propose a timeline this week.\n\nBest,\nSarah") },
    Scripted { day: -3, hour: 15, minute: 10, from: TOM, cc: &[], subject: "Intermittent sync delays in the reporting dashboard", body: "Hi Sarah,\n\nSince Monday our reporting dashboard has shown sync delays of up to two hours a few times a day. It is not blocking yet, but my team is getting questions from the business.\n\nCan someone look into it?", thread: "acme-sync", category: Category::Client, answer: Answer::After(70, "Hi Tom,\n\nThanks for flagging. I've asked Mike Stevens' team to investigate and they'll reach out today.\n\nBest,\nSarah") },
    Scripted { day: -1, hour: 22, minute: 47, from: TOM, cc: &[LISA], subject: "Production Issue - Need Immediate Support", body: "Sarah,\n\nWe have a critical production issue: since 9 PM the data sync has been failing completely and 500 users cannot access their reports. Our support ticket has not been answered.\n\nThis is affecting our operations. I need an emergency call with your technical team as soon as possible.\n\nTom", thread: "acme-prod", category: Category::Client, answer: Answer::None },
    Scripted { day: 0, hour: 7, minute: 23, from: TOM, cc: &[LISA], subject: "Re: Production Issue - Status Update?", body: "Sarah,\n\nStill no update on the production issue and it is now escalating: our executives are asking whether we should start evaluating alternatives. I need a status update and a call this morning.\n\nTom", thread: "acme-prod", category: Category::Client, answer: Answer::None },
    Scripted { day: 0, hour: 7, minute: 50, from: BEN, cc: &[MIKE], subject: "Acme Corp escalation - production incident", body: "Hi Sarah,\n\nHeads up: Acme Corp's sync outage (ticket #4471) is a P1. Engineering is on it; root cause looks like a failed schema migration. Tom Anderson is very frustrated - I recommend an exec call today.\n\nBen", thread: "acme-internal", category: Category::OtherInternal, answer: Answer::None },
    Scripted { day: 0, hour: 8, minute: 15, from: LISA, cc: &[], subject: "Executive Review Meeting Request", body: "Hi Sarah,\n\nGiven this week's production issue, I would like to schedule an executive review of our partnership, including the renewal and your remediation plan. Could you propose times this week?\n\nBest regards,", thread: "acme-exec", category: Category::Client, answer: Answer::None },
    // TechFlow Inc: renewal and contract questions.
    Scripted { day: -12, hour: 11, minute: 0, from: JENNIFER, cc: &[], subject: "TechFlow renewal - initial thoughts", body: "Hi Sarah,\n\nAs we approach the renewal, we would like to discuss a three-year term and the SLA. I'll send detailed contract questions soon.\n\nBest,", thread: "techflow-renewal", category: Category::Client, answer: Answer::After(120, "Hi Jennifer,\n\nA three-year term works for us. Looking forward to your questions.\n\nBest,\nSarah") },
    Scripted { day: -1, hour: 10, minute: 12, from: JENNIFER, cc: &[], subject: "Contract questions: SLA terms in section 4.2", body: "Hi Sarah,\n\nOur legal team has questions on section 4.2: is the 99.9% uptime SLA measured monthly, and what service credits apply?\n\nThanks,", thread: "techflow-contract", category: Category::Client, answer: Answer::None },
    Scripted { day: -1, hour: 16, minute: 40, from: JENNIFER, cc: &[], subject: "Re: Contract questions: SLA terms in section 4.2", body: "Hi Sarah,\n\nTwo more points: we would like the liability cap raised to 2x annual fees and the auto-renewal clause removed. Can we discuss at Wednesday's on-site visit?\n\nThanks,", thread: "techflow-contract", category: Category::Client, answer: Answer::None },
    Scripted { day: 0, hour: 9, minute: 5, from: STEVEN, cc: &[], subject: "TechFlow MSA redlines - review needed by 5 PM today", body: "Hi Sarah,\n\nThe TechFlow MSA redlines need your decision on the liability cap and auto-renewal. The contract review deadline is today at 5 PM.\n\nSteven", thread: "techflow-legal", category: Category::OtherInternal, answer: Answer::None },
    // Global Systems: routine.
    Scripted { day: -2, hour: 11, minute: 30, from: ROBERT, cc: &[], subject: "Quarterly Review agenda confirmation", body: "Hi Sarah,\n\nConfirming the agenda for Thursday's quarterly review: usage metrics, roadmap update and the expansion to our APAC team.\n\nBest regards,", thread: "global-qbr", category: Category::Client, answer: Answer::After(45, "Hi Robert,\n\nAgenda confirmed - see you Thursday at 2 PM.\n\nBest,\nSarah") },
    // DataCorp: a hot lead.
    Scripted { day: -3, hour: 9, minute: 20, from: AMANDA, cc: &[], subject: "Feature request: native Snowflake connector", body: "Hi Sarah,\n\nWe loved the trial! One request: a native Snowflake connector would make this a no-brainer for us. Is it on the roadmap?\n\nThanks,", thread: "datacorp-feature", category: Category::Client, answer: Answer::After(60, "Hi Amanda,\n\nGreat to hear! The Snowflake connector is planned for next quarter - I'll show it in Friday's demo.\n\nBest,\nSarah") },
    Scripted { day: -2, hour: 13, minute: 45, from: AMANDA, cc: &[], subject: "Pricing for 250 seats?", body: "Hi Sarah,\n\nCould you send pricing for 250 seats on the enterprise tier, with annual billing?\n\nThanks,", thread: "datacorp-pricing", category: Category::Client, answer: Answer::After(90, "Hi Amanda,\n\nHappy to. I'll send a proposal tomorrow morning.\n\nBest,\nSarah") },
    Scripted { day: -1, hour: 9, minute: 10, from: AMANDA, cc: &[], subject: "Re: Pricing for 250 seats?", body: "Hi Sarah,\n\nThanks for the proposal! Is there a volume discount if we go to 400 seats next year? Our CFO is very interested.\n\nBest,", thread: "datacorp-pricing", category: Category::Client, answer: Answer::None },
    Scripted { day: 0, hour: 8, minute: 40, from: AMANDA, cc: &[], subject: "Friday demo - attendee list and agenda", body: "Hi Sarah,\n\nFor Friday's product demo at 10 AM we will have five people, including our CFO. Could the agenda cover the Snowflake connector and pricing?\n\nLooking forward to it!", thread: "datacorp-demo", category: Category::Client, answer: Answer::None },
    // Internal approvals waiting on her.
    Scripted { day: -1, hour: 17, minute: 20, from: JOHN, cc: &[], subject: "Approval needed: Q4 pricing proposal for enterprise tier", body: "Hi Sarah,\n\nThe team is waiting for your approval on the Q4 pricing proposal for the enterprise tier (10% list increase, new multi-year discounts). We need it before Thursday's pricing committee.\n\nThanks,", thread: "pricing-approval", category: Category::Sales, answer: Answer::None },
    Scripted { day: -1, hour: 18, minute: 5, from: JOHN, cc: &[], subject: "Agenda: Q4 Planning with Sales Team (tomorrow 9:30)", body: "Hi Sarah,\n\nAgenda for tomorrow's Q4 planning: pipeline review, territory changes, hiring plan and the enterprise pricing proposal.\n\nJohn", thread: "q4-planning", category: Category::Sales, answer: Answer::After(35, "Thanks John, looks good.") },
    Scripted { day: 0, hour: 7, minute: 55, from: MARIA, cc: &[], subject: "Q4 budget variance - need your sign-off", body: "Hi Sarah,\n\nThe Q4 budget shows a 12% variance on sales travel and events. I need your sign-off on the revised numbers by end of day.\n\nThanks,", thread: "budget-signoff", category: Category::Finance, answer: Answer::None },
];
