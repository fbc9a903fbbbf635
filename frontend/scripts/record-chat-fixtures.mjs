#!/usr/bin/env node
// Records mindy-api's replies to the demo scenes as the component tests' fixtures (test/fixtures/*.json), so the
// tests render replies shaped exactly as the API sends them. Run against an API serving scripts/e2e-seed.sql's
// rows (e.g. while `MINDY_E2E_KEEP_LOGS=1 scripts/e2e.sh` runs, or any API on a seeded database):
//
//   MINDY_API_URL=http://127.0.0.1:8000 MINDY_API_TOKEN=… node scripts/record-chat-fixtures.mjs
//
// Each conversation is a list of turns; a fixture is the last turn's reply (earlier turns give it context).
import { writeFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";

const CONVERSATIONS = {
  briefing: ["Good morning! What do I need to know today?"],
  emails: ["Show me the urgent emails from Acme Corp"],
  "day-week": ["What's my busiest day this week?"],
  "day-tomorrow": ["What's my busiest day this week?", "And tomorrow?"],
  patterns: ["Any patterns I should know about?"],
  clients: ["Who are the clients I'm meeting this week that also emailed me in the last 3 days?"],
};

const base = (process.env.MINDY_API_URL ?? "http://127.0.0.1:8000").replace(/\/+$/, "");
const token = process.env.MINDY_API_TOKEN;
if (!token) {
  console.error("MINDY_API_TOKEN is not set");
  process.exit(2);
}

async function ask(message, conversationId) {
  const response = await fetch(`${base}/api/chat`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
    body: JSON.stringify({ message, conversation_id: conversationId ?? null }),
  });
  if (!response.ok) throw new Error(`${message}: HTTP ${response.status}: ${await response.text()}`);
  return response.json();
}

for (const [name, turns] of Object.entries(CONVERSATIONS)) {
  let reply;
  for (const question of turns) reply = await ask(question, reply?.conversation_id);
  if (reply.refused) throw new Error(`${name}: refused: ${reply.answer}`);
  const path = fileURLToPath(new URL(`../test/fixtures/${name}.json`, import.meta.url));
  await writeFile(path, `${JSON.stringify({ question: turns[turns.length - 1], reply }, null, 2)}\n`);
  process.stdout.write(`wrote ${path} (${reply.kind}, ${reply.sections.length} sections)\n`);
}
