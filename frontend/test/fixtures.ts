// mindy-api's replies to the demo scenes, recorded by scripts/record-chat-fixtures.mjs on scripts/e2e-seed.sql's
// rows, parsed with the same schemas the chat uses.

import { ChatReply, StreamResult } from "@/lib/api/schemas";

import briefing from "./fixtures/briefing.json";
import clients from "./fixtures/clients.json";
import dayTomorrow from "./fixtures/day-tomorrow.json";
import dayWeek from "./fixtures/day-week.json";
import emails from "./fixtures/emails.json";
import patterns from "./fixtures/patterns.json";

const RECORDED = {
  briefing,
  emails,
  "day-week": dayWeek,
  "day-tomorrow": dayTomorrow,
  patterns,
  clients,
};

export type FixtureName = keyof typeof RECORDED;

export interface Fixture {
  question: string;
  reply: ChatReply;
  /** What the chat's stream carries of it (the `result` event). */
  result: StreamResult;
}

export function fixture(name: FixtureName): Fixture {
  const raw = RECORDED[name];
  const reply = ChatReply.parse(raw.reply);
  return { question: raw.question, reply, result: StreamResult.parse(reply) };
}
