// The questions the chat offers on a first visit: the product's demo scenes first, then statistics. mindy-api's
// embedded parser answers all of them, and suggests the same list when it refuses a question
// (SUGGESTIONS in crates/api/src/chat/catalog.rs).

/** The demo scenes (the product brief's "Demo Flow"), also offered as follow-ups after other answers. */
export const SCENE_QUESTIONS = {
  briefing: "Good morning! What do I need to know today?",
  clientEmails: "Show me the urgent emails from Acme Corp",
  busiestDay: "What's my busiest day this week?",
  patterns: "Any patterns I should know about?",
  clients: "Who are the clients I'm meeting this week that also emailed me in the last 3 days?",
} as const;

/**
 * Statistics over the daily tables; the first three are the product's example questions (the product brief's
 * Day 5), the fourth draws a chart.
 */
export const STAT_QUESTIONS = [
  "How many emails did I receive yesterday?",
  "Which sender sent me the most emails this week?",
  "What was the busiest hour yesterday?",
  "Show my emails per day over the last 7 days",
  "Compare this week with last week",
] as const;

/** Offered on a first visit: the API's own suggestions, in its order (scenes first; a test holds them equal). */
export const EXAMPLE_QUESTIONS: string[] = [
  ...Object.values(SCENE_QUESTIONS),
  STAT_QUESTIONS[0],
  STAT_QUESTIONS[1],
  STAT_QUESTIONS[4],
];

/**
 * The demo's action scene (issue 19): a reply drafted from Tom's thread with a call, then the confirmation typed in
 * the same conversation (crates/api/src/actions/intent.rs recognises both).
 */
export const ACTION_QUESTIONS = {
  draftReply: "Draft a response to Tom apologizing and offering a call at 11 AM and loop in Mike",
  confirm: "send and schedule",
} as const;
