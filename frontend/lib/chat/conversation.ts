// The chat's state: conversations of messages, changed only through `chatReducer` (pure, unit-tested), and
// saved to localStorage so a reload keeps them. The API keeps its own history per conversation id (in Redis,
// for follow-ups); this copy is what the page shows.

import { z } from "zod";

import { AnswerKind, type Proposal, Section, StreamResult, Timings } from "@/lib/api/schemas";

export const Failure = z.object({ code: z.string(), message: z.string() });
export type Failure = z.infer<typeof Failure>;

export const UserMessage = z.object({
  id: z.string(),
  role: z.literal("user"),
  text: z.string(),
});

/**
 * A result as saved. Answers saved before kinds and sections existed load as statistics of one query; before the
 * result carried the final answer, the message's streamed text was the answer.
 */
const StoredResult = StreamResult.extend({
  answer: z.string().default(""),
  kind: AnswerKind.default("stat"),
  sections: z.array(Section).default([]),
});

export const AssistantMessage = z.object({
  id: z.string(),
  role: z.literal("assistant"),
  /** The question it answers (to retry it). */
  question: z.string(),
  /** `pending` until the first word, `streaming` while words arrive, then `done` or `error`. */
  status: z.enum(["pending", "streaming", "done", "error"]),
  text: z.string(),
  result: StoredResult.optional(),
  timings: Timings.optional(),
  generator: z.string().optional(),
  error: Failure.optional(),
});
export type AssistantMessage = z.infer<typeof AssistantMessage>;

export const Message = z.discriminatedUnion("role", [UserMessage, AssistantMessage]);
export type Message = z.infer<typeof Message>;

export const Conversation = z.object({
  /** Local id (also the API's conversation id once it has answered once). */
  id: z.string(),
  /** The API's conversation id, sent back for follow-ups. */
  apiId: z.string().optional(),
  /** The first question, for the history list. */
  title: z.string(),
  messages: z.array(Message),
  /** Epoch ms of the last change. */
  updatedAt: z.number(),
});
export type Conversation = z.infer<typeof Conversation>;

export const ChatState = z.object({
  activeId: z.string(),
  conversations: z.array(Conversation),
});
export type ChatState = z.infer<typeof ChatState>;

/** Older conversations beyond this are dropped when saving (localStorage is small). */
export const MAX_CONVERSATIONS = 20;
/** Messages kept per conversation. */
export const MAX_MESSAGES = 200;

export type ChatAction =
  | { type: "hydrate"; state: ChatState }
  | { type: "new"; id: string; now: number }
  | { type: "select"; id: string }
  | { type: "ask"; question: string; userId: string; assistantId: string; now: number }
  | { type: "meta"; assistantId: string; apiId: string; generator: string }
  | { type: "token"; assistantId: string; text: string }
  | { type: "result"; assistantId: string; result: StreamResult }
  | { type: "done"; assistantId: string; timings: Timings; now: number }
  | { type: "error"; assistantId: string; error: Failure; now: number }
  /** A proposal changed (edited, confirmed, cancelled): every answer showing it follows. */
  | { type: "proposal"; proposal: Proposal; now: number };

export function emptyConversation(id: string, now: number): Conversation {
  return { id, title: "New conversation", messages: [], updatedAt: now };
}

export function initialState(id: string, now: number): ChatState {
  return { activeId: id, conversations: [emptyConversation(id, now)] };
}

export function activeConversation(state: ChatState): Conversation {
  return state.conversations.find((c) => c.id === state.activeId) ?? state.conversations[0]!;
}

/** Whether an answer is still coming in the active conversation. */
export function isBusy(state: ChatState): boolean {
  return activeConversation(state).messages.some((m) => m.role === "assistant" && (m.status === "pending" || m.status === "streaming"));
}

export function chatReducer(state: ChatState, action: ChatAction): ChatState {
  switch (action.type) {
    case "hydrate":
      return action.state;
    case "new": {
      const current = activeConversation(state);
      // An empty conversation is reused rather than stacked.
      if (current.messages.length === 0) return state;
      return { activeId: action.id, conversations: [emptyConversation(action.id, action.now), ...state.conversations] };
    }
    case "select":
      return state.conversations.some((c) => c.id === action.id) ? { ...state, activeId: action.id } : state;
    case "ask":
      return updateActive(state, action.now, (c) => ({
        ...c,
        title: c.messages.length === 0 ? action.question.slice(0, 80) : c.title,
        messages: [
          ...c.messages,
          { id: action.userId, role: "user", text: action.question },
          { id: action.assistantId, role: "assistant", question: action.question, status: "pending", text: "" },
        ],
      }));
    case "meta":
      return updateAnswer(state, action.assistantId, undefined, (m, c) => [
        { ...m, generator: action.generator },
        { ...c, apiId: action.apiId },
      ]);
    case "token":
      return updateAnswer(state, action.assistantId, undefined, (m, c) => [
        { ...m, status: "streaming", text: m.text + action.text },
        c,
      ]);
    case "result": {
      // The final answer replaces what was streamed (the same text, unless the API swapped an LLM's words).
      const answered = updateAnswer(state, action.assistantId, undefined, (m, c) => [
        { ...m, text: action.result.answer || m.text, result: action.result },
        c,
      ]);
      // "send and schedule" typed after a draft: the draft's card shows the proposal's new state too.
      return action.result.proposal ? withProposal(answered, action.result.proposal) : answered;
    }
    case "proposal":
      return withProposal(state, action.proposal, action.now);
    case "done":
      return updateAnswer(state, action.assistantId, action.now, (m, c) => [
        { ...m, status: "done", timings: action.timings },
        c,
      ]);
    case "error":
      return updateAnswer(state, action.assistantId, action.now, (m, c) => [
        { ...m, status: "error", error: action.error },
        c,
      ]);
  }
}

/** Every answer showing `proposal` (by id) shows it as it now stands. */
function withProposal(state: ChatState, proposal: Proposal, now?: number): ChatState {
  const shows = (m: Message) => m.role === "assistant" && m.result?.proposal?.id === proposal.id;
  return {
    ...state,
    conversations: state.conversations.map((c) =>
      c.messages.some(shows)
        ? {
            ...c,
            messages: c.messages.map((m) => (m.role === "assistant" && shows(m) && m.result ? { ...m, result: { ...m.result, proposal } } : m)),
            updatedAt: now ?? c.updatedAt,
          }
        : c,
    ),
  };
}

/** The ids of the answers whose proposal a later answer of `conversation` shows again. */
export function supersededAnswers(conversation: Conversation): Set<string> {
  const seen = new Set<string>();
  const out = new Set<string>();
  for (const m of [...conversation.messages].reverse()) {
    const id = m.role === "assistant" ? m.result?.proposal?.id : undefined;
    if (!id) continue;
    if (seen.has(id)) out.add(m.id);
    seen.add(id);
  }
  return out;
}

function updateActive(state: ChatState, now: number, change: (c: Conversation) => Conversation): ChatState {
  return {
    ...state,
    conversations: state.conversations.map((c) => (c.id === state.activeId ? { ...change(c), updatedAt: now } : c)),
  };
}

/** Applies `change` to the assistant message `id`, wherever its conversation is (the user may have switched). */
function updateAnswer(
  state: ChatState,
  id: string,
  now: number | undefined,
  change: (m: AssistantMessage, c: Conversation) => [AssistantMessage, Conversation],
): ChatState {
  return {
    ...state,
    conversations: state.conversations.map((c) => {
      const index = c.messages.findIndex((m) => m.id === id);
      const message = c.messages[index];
      if (!message || message.role !== "assistant") return c;
      const [updated, conversation] = change(message, c);
      const messages = c.messages.slice();
      messages[index] = updated;
      return { ...conversation, messages, updatedAt: now ?? conversation.updatedAt };
    }),
  };
}

// ---- persistence

export const STORAGE_KEY = "mindy.chat.v1";

/** The saved state, or null when there is none or it does not parse (then the page starts afresh). */
export function loadState(storage: Pick<Storage, "getItem">): ChatState | null {
  try {
    const raw = storage.getItem(STORAGE_KEY);
    if (!raw) return null;
    const parsed = ChatState.safeParse(JSON.parse(raw));
    if (!parsed.success || parsed.data.conversations.length === 0) return null;
    return settle(parsed.data);
  } catch {
    return null;
  }
}

/** Saves `state`, newest conversations first, trimmed to the limits. */
export function saveState(storage: Pick<Storage, "setItem">, state: ChatState): void {
  const conversations = [...state.conversations]
    .sort((a, b) => (a.id === state.activeId ? -1 : b.id === state.activeId ? 1 : b.updatedAt - a.updatedAt))
    .slice(0, MAX_CONVERSATIONS)
    .map((c) => ({ ...c, messages: c.messages.slice(-MAX_MESSAGES) }));
  try {
    storage.setItem(STORAGE_KEY, JSON.stringify({ activeId: state.activeId, conversations }));
  } catch {
    // Quota exceeded or storage disabled: the chat keeps working, it just won't survive a reload.
  }
}

/** Answers that were still coming when the page was closed can never finish: mark them interrupted. */
function settle(state: ChatState): ChatState {
  return {
    ...state,
    conversations: state.conversations.map((c) => ({
      ...c,
      messages: c.messages.map((m) =>
        m.role === "assistant" && (m.status === "pending" || m.status === "streaming")
          ? { ...m, status: "error", error: { code: "interrupted", message: "the page was closed before the answer ended" } }
          : m,
      ),
    })),
  };
}
