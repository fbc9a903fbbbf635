/**
 * Offered on a first visit. The first three are the product's example questions (the product brief's Day 5);
 * mindy-api answers all of them with its embedded parser, and suggests the same list when it refuses one.
 */
export const EXAMPLE_QUESTIONS = [
  "How many emails did I receive yesterday?",
  "Which sender sent me the most emails this week?",
  "What was the busiest hour yesterday?",
  "Show my emails per day over the last 7 days",
  "Compare this week with last week",
];
