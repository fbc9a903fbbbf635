//! What the background mail says: subject and body templates per kind of sender, and the
//! persona's replies. Placeholders: `{first}` (recipient's first name), `{client}`, `{amount}`,
//! `{quarter}`, `{weekday}`, `{n}`, `{person}`; the sender's signature is added by the renderer.

use super::rng::Rng;

/// Who a background message is from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Category {
    /// The sales team.
    Sales,
    /// Clients other than the scripted storylines.
    Client,
    /// CEO, CTO, COO.
    Leadership,
    /// Finance.
    Finance,
    /// HR, marketing, legal, customer success.
    OtherInternal,
    /// Newsletters and automated notifications.
    Newsletter,
}

/// `(subject, body)` templates.
type Templates = &'static [(&'static str, &'static str)];

const SALES: Templates = &[
    ("Pipeline update: {client} moved to negotiation", "Hi {first},\n\nQuick update: {client} moved to the negotiation stage this morning. They are asking for a {n}% multi-year discount; I think we can hold at 8% if we add premium support.\n\nCan you weigh in before I send the revised quote?"),
    ("Deal desk request - {client}", "Hi {first},\n\nI need deal desk approval for {client}: {amount} ARR, 3-year term, net 60 payment terms. Legal has already reviewed the order form.\n\nThanks!"),
    ("Forecast call prep for {weekday}", "Hi {first},\n\nAhead of {weekday}'s forecast call: commit is at {amount}, best case adds two deals from the enterprise segment. The gap to target is mostly the {client} renewal slipping.\n\nLet me know what you want me to cover."),
    ("Closed won: {client}!", "Hi {first},\n\nGreat news - {client} signed this afternoon. {amount} ARR, starting next month. Huge thanks for joining the exec call last week, it made the difference.\n\nCelebration drinks on Friday?"),
    ("Need help with {client} - stalled deal", "Hi {first},\n\n{client} has gone quiet for two weeks after the security review. Their champion left the company. Could you reach out to their VP directly? An exec-to-exec note usually unblocks these.\n\nThanks."),
    ("Territory plan {quarter} - draft for review", "Hi {first},\n\nAttached is the draft territory plan for {quarter}. Main changes: we split the East region into two and moved three strategic accounts to Marcus.\n\nComments welcome by end of week."),
    ("Win/loss notes: {client}", "Hi {first},\n\nWe lost {client} to a competitor on price. Notes from the debrief: they valued our product but procurement pushed hard on the per-seat cost. I suggest we revisit our mid-market pricing.\n\nHappy to discuss."),
    ("SDR outbound results this week", "Hi {first},\n\nThis week the SDR team booked {n} meetings, 4 with enterprise prospects. Reply rates on the new sequence are up 30%.\n\nFull dashboard is in the CRM."),
    ("Quote approval - {client} expansion", "Hi {first},\n\n{client} wants to expand by 150 seats. The quote is {amount} with a 10% discount. This needs your approval since it is above my threshold.\n\nCould you approve today? They want to sign before month end."),
    ("Commission plan question", "Hi {first},\n\nA few reps asked how accelerators work for multi-year deals under the new {quarter} commission plan. Could we clarify this at the next team meeting?\n\nThanks."),
    ("Re-org of the sales pod structure", "Hi {first},\n\nFollowing our discussion, I put together a proposal for moving to pods (AE + SDR + SE). It should shorten our sales cycle. Can we review it together this week?"),
    ("Urgent: {client} asking for revised proposal by tomorrow", "Hi {first},\n\n{client} needs a revised proposal by tomorrow 10 AM or they will go with the incumbent. I have a draft ready; I need your OK on the pricing before I send it.\n\nThis is urgent."),
];

const CLIENT: Templates = &[
    ("Follow-up from our call", "Hi {first},\n\nThanks for your time earlier. As discussed, could you send over the updated proposal and the implementation timeline? Our team would like to review it before our budget meeting.\n\nBest regards,"),
    ("Question about the invoice", "Hi {first},\n\nWe received invoice #{n} but the seat count does not match our order form. Could someone on your side take a look?\n\nThank you."),
    ("Renewal discussion", "Hi {first},\n\nOur renewal is coming up next quarter. Overall we are happy with the platform, but we would like to discuss pricing and the roadmap for the reporting module.\n\nCould we set up a call?"),
    ("Great results this quarter", "Hi {first},\n\nJust wanted to share that our team cut report preparation time by 40% since rolling out your platform. Thank you for the excellent support!\n\nBest,"),
    ("Security questionnaire", "Hi {first},\n\nOur security team needs the attached questionnaire completed before we can move forward. Could you route it to the right people? Our deadline is the end of next week.\n\nThanks,"),
    ("Intro to our new procurement lead", "Hi {first},\n\nI would like to introduce our new procurement lead, who will be handling the contract from now on. Please loop them in on future correspondence.\n\nKind regards,"),
    ("Support ticket escalation", "Hi {first},\n\nWe have had a support ticket open for five days about data exports failing. This is starting to affect our month-end reporting. Can you help escalate?\n\nThanks,"),
];

const LEADERSHIP: Templates = &[
    ("Board deck - sales section due {weekday}", "Hi {first},\n\nPlease send the sales section of the board deck by {weekday}. Focus on pipeline coverage, net revenue retention and the enterprise segment.\n\nThanks,"),
    ("{quarter} targets", "Hi {first},\n\nAfter the planning session we agreed on the {quarter} targets: {amount} new ARR. Let's align on how the team gets there.\n\nSpeak soon,"),
    ("Leadership offsite agenda", "Hi {first},\n\nDraft agenda for the leadership offsite is in the shared folder. Please add your topics by end of week - I would like a session on the enterprise go-to-market.\n\nThanks,"),
    ("Hiring plan approval", "Hi {first},\n\nI reviewed your request for two more enterprise AEs. Approved, but let's stagger the start dates across the quarter.\n\nBest,"),
    ("Customer escalation process", "Hi {first},\n\nGiven recent escalations, I would like us to formalise the process between sales, customer success and engineering. Can you draft a proposal with Ben?\n\nThanks,"),
    ("Great quarter so far", "Hi {first},\n\nJust wanted to say the team's performance this quarter has been excellent. Please pass my thanks on to everyone.\n\nBest,"),
    ("Pricing strategy review", "Hi {first},\n\nLet's review our pricing strategy before the {quarter} planning. I want to understand discount trends and win rates by segment.\n\nCan you pull the data?"),
];

const FINANCE: Templates = &[
    ("Monthly bookings report", "Hi {first},\n\nAttached is the monthly bookings report. Total bookings {amount}, 7% above plan. Two deals are pending signature and not included.\n\nLet me know if you have questions."),
    ("Expense report reminder", "Hi {first},\n\nFriendly reminder that expense reports for this month are due by Friday. You have {n} pending items in Spendly.\n\nThanks!"),
    ("Discount approval audit", "Hi {first},\n\nFor the quarterly audit, we need documentation for discounts above 20%. There are {n} deals in scope. Can your team provide the approvals?\n\nThanks,"),
    ("Commission payout calculation", "Hi {first},\n\nThe commission payouts for last month are calculated. Please review and confirm before payroll runs on the 25th.\n\nBest,"),
    ("Budget variance - travel", "Hi {first},\n\nThe sales travel budget is 15% over plan for the quarter. Can we discuss options to bring it back in line?\n\nThanks,"),
];

const OTHER: Templates = &[
    ("Performance review cycle starts {weekday}", "Hi {first},\n\nThe performance review cycle starts on {weekday}. Please make sure your team's self-assessments are submitted within two weeks.\n\nThanks!"),
    ("Campaign results: enterprise webinar", "Hi {first},\n\nThe enterprise webinar brought in {n} leads, 30% from target accounts. Leads are being routed to your SDRs today.\n\nBest,"),
    ("Contract redlines from {client}", "Hi {first},\n\n{client} sent redlines on the limitation of liability clause. I can accept most of them; two need a business decision from you.\n\nCan we talk tomorrow?"),
    ("Customer health report", "Hi {first},\n\nThis week's customer health report: 3 accounts moved to red, including {client}. Details in the dashboard.\n\nThanks,"),
    ("Welcome our new team members", "Hi {first},\n\nPlease welcome the new hires joining sales on Monday. Onboarding schedule is attached.\n\nCheers,"),
];

/// Newsletters: `(subject, plain body)`; the renderer adds an HTML alternative.
const NEWSLETTER: Templates = &[
    ("This week in SaaS: pricing trends for {quarter}", "Top stories this week:\n- Usage-based pricing keeps gaining ground\n- Five ways to shorten enterprise sales cycles\n- Survey: buyers want self-serve trials\n\nRead more on our site."),
    ("Revenue Leaders Digest: forecasting that works", "In this issue:\n- How top VPs of Sales run forecast calls\n- Pipeline coverage: is 3x still the rule?\n- Webinar next week: building a deal desk"),
    ("Pipeline alert: {n} deals changed stage", "{n} opportunities changed stage in the last 24 hours. 2 deals are past their close date.\n\nOpen the CRM to review."),
    ("Your expense report was approved", "Your expense report #{n} was approved and will be reimbursed in the next payroll run."),
    ("Scheduled maintenance this weekend", "The VPN will be unavailable on Saturday between 10 PM and 2 AM for scheduled maintenance. No action needed."),
    ("Weekly digest: {n} new leads assigned to your team", "{n} new leads were assigned to your team this week. 12 are from target accounts."),
];

/// The persona's replies by category of the message answered.
const REPLIES: &[(Category, &[&str])] = &[
    (Category::Sales, &[
        "Thanks {first}. Approved - go ahead and send it.",
        "Good work {first}. Let's discuss the details in our 1:1.",
        "Thanks for the update. Can you hold the discount at 10% and add premium support instead?",
        "I'll reach out to their VP today. Keep me posted.",
        "Great news, well done! Let's share this at the team meeting.",
    ]),
    (Category::Client, &[
        "Hi {first},\n\nThank you for reaching out. I'm looping in the team and we'll get back to you by tomorrow.\n\nBest regards,\nSarah",
        "Hi {first},\n\nThanks for the note - happy to set up a call. Does Thursday afternoon work for you?\n\nBest,\nSarah",
        "Hi {first},\n\nThat's great to hear, thank you for sharing! I'll pass it on to the team.\n\nBest,\nSarah",
    ]),
    (Category::Leadership, &[
        "Thanks {first}, will do. I'll have it to you before the deadline.",
        "Sounds good. I'll put together a proposal with the team this week.",
        "Thanks {first} - I'll share this with the team.",
    ]),
    (Category::Finance, &[
        "Thanks {first}, I'll review and confirm by end of day.",
        "Got it. Let's go through it together on Thursday.",
    ]),
    (Category::OtherInternal, &[
        "Thanks {first}, noted.",
        "Thanks - let's talk tomorrow morning.",
    ]),
];

/// One background message's subject and body for `category`, with placeholders filled.
pub fn message(rng: &mut Rng, category: Category, recipient_first: &str) -> (String, String) {
    let templates = match category {
        Category::Sales => SALES,
        Category::Client => CLIENT,
        Category::Leadership => LEADERSHIP,
        Category::Finance => FINANCE,
        Category::OtherInternal => OTHER,
        Category::Newsletter => NEWSLETTER,
    };
    let (subject, body) = *rng.pick(templates);
    (
        fill(rng, subject, recipient_first),
        fill(rng, body, recipient_first),
    )
}

/// The persona's reply to a message of `category` from someone called `first`.
pub fn reply(rng: &mut Rng, category: Category, first: &str) -> String {
    let options = REPLIES
        .iter()
        .find(|(c, _)| *c == category)
        .map(|(_, r)| *r)
        .unwrap_or(&["Thanks, noted."]);
    let template = *rng.pick(options);
    fill(rng, template, first)
}

/// Fills the placeholders of `template`.
pub fn fill(rng: &mut Rng, template: &str, first: &str) -> String {
    const ACCOUNTS: &[&str] = &[
        "Initech",
        "Blue Harbor Retail",
        "Summit Health",
        "Pinecrest Bank",
        "Vertex Logistics",
        "Orbital Media",
        "Helios Manufacturing",
        "Northstar Insurance",
        "Cobalt Labs",
        "Redwood Foods",
    ];
    const WEEKDAYS: &[&str] = &["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"];
    let amount = format!("${},{:03}", rng.range(40, 950), rng.range(0, 9) * 100);
    let quarter = format!("Q{}", rng.range(1, 4));
    let client = *rng.pick(ACCOUNTS);
    let weekday = *rng.pick(WEEKDAYS);
    template
        .replace("{first}", first)
        .replace("{client}", client)
        .replace("{amount}", &amount)
        .replace("{quarter}", &quarter)
        .replace("{weekday}", weekday)
        .replace("{n}", &rng.range(3, 48).to_string())
}
