import type { Proposal } from "@/lib/api/schemas";

import {
  activeConversation,
  chatReducer,
  type ChatState,
  initialState,
  isBusy,
  loadState,
  MAX_CONVERSATIONS,
  saveState,
  STORAGE_KEY,
  supersededAnswers,
} from "./conversation";

const RESULT = { answer: "You received 88.", kind: "stat" as const, sections: [], sql: "SELECT 1", columns: ["n"], rows: [[1]], chart: null, refused: false, suggestions: [], cached: false };
const TIMINGS = { generate_ms: 1, execute_ms: 2, answer_ms: 3, total_ms: 6 };

function memoryStorage(): Storage {
  const items = new Map<string, string>();
  return {
    getItem: (k) => items.get(k) ?? null,
    setItem: (k, v) => void items.set(k, v),
    removeItem: (k) => void items.delete(k),
    clear: () => items.clear(),
    key: (i) => [...items.keys()][i] ?? null,
    get length() {
      return items.size;
    },
  };
}

function asked(question = "How many emails did I receive yesterday?"): ChatState {
  return chatReducer(initialState("c1", 0), { type: "ask", question, userId: "u1", assistantId: "a1", now: 1 });
}

describe("chatReducer", () => {
  it("adds the question and a pending answer, and titles the conversation", () => {
    const state = asked();
    const c = activeConversation(state);
    expect(c.title).toBe("How many emails did I receive yesterday?");
    expect(c.messages.map((m) => m.role)).toEqual(["user", "assistant"]);
    expect(c.messages[1]).toMatchObject({ status: "pending", text: "", question: c.title });
    expect(isBusy(state)).toBe(true);
  });

  it("streams words, then the result, then ends", () => {
    let state = asked();
    state = chatReducer(state, { type: "meta", assistantId: "a1", apiId: "api-1", generator: "semantic" });
    state = chatReducer(state, { type: "token", assistantId: "a1", text: "You " });
    expect(activeConversation(state).messages[1]).toMatchObject({ status: "streaming", text: "You " });
    state = chatReducer(state, { type: "token", assistantId: "a1", text: "received 88." });
    state = chatReducer(state, { type: "result", assistantId: "a1", result: RESULT });
    state = chatReducer(state, { type: "done", assistantId: "a1", timings: TIMINGS, now: 9 });
    const c = activeConversation(state);
    expect(c.apiId).toBe("api-1");
    expect(c.updatedAt).toBe(9);
    expect(c.messages[1]).toMatchObject({ status: "done", text: "You received 88.", result: RESULT, generator: "semantic", timings: TIMINGS });
    expect(isBusy(state)).toBe(false);
  });

  it("takes the result's answer as the final text", () => {
    let state = chatReducer(asked(), { type: "token", assistantId: "a1", text: "You received 90." });
    state = chatReducer(state, { type: "result", assistantId: "a1", result: RESULT });
    expect(activeConversation(state).messages[1]).toMatchObject({ text: "You received 88." });
  });

  it("records an error on the answer", () => {
    const state = chatReducer(asked(), { type: "error", assistantId: "a1", error: { code: "timeout", message: "slow" }, now: 2 });
    expect(activeConversation(state).messages[1]).toMatchObject({ status: "error", error: { code: "timeout" } });
    expect(isBusy(state)).toBe(false);
  });

  it("keeps the first question as the title", () => {
    const state = chatReducer(asked("first"), { type: "ask", question: "second", userId: "u2", assistantId: "a2", now: 3 });
    expect(activeConversation(state).title).toBe("first");
  });

  it("starts a new conversation, but not on top of an empty one", () => {
    const empty = initialState("c1", 0);
    expect(chatReducer(empty, { type: "new", id: "c2", now: 1 })).toBe(empty);
    const state = chatReducer(asked(), { type: "new", id: "c2", now: 5 });
    expect(state.activeId).toBe("c2");
    expect(activeConversation(state).messages).toEqual([]);
    expect(chatReducer(state, { type: "select", id: "c1" }).activeId).toBe("c1");
    expect(chatReducer(state, { type: "select", id: "nope" }).activeId).toBe("c2");
  });

  it("delivers events to the answer's conversation even after switching away", () => {
    let state = chatReducer(asked(), { type: "new", id: "c2", now: 5 });
    state = chatReducer(state, { type: "token", assistantId: "a1", text: "late" });
    expect(state.conversations.find((c) => c.id === "c1")!.messages[1]).toMatchObject({ text: "late" });
  });
});

describe("persistence", () => {
  it("saves and loads", () => {
    const storage = memoryStorage();
    let state = asked();
    state = chatReducer(state, { type: "result", assistantId: "a1", result: RESULT });
    state = chatReducer(state, { type: "done", assistantId: "a1", timings: TIMINGS, now: 9 });
    saveState(storage, state);
    expect(loadState(storage)).toEqual(state);
  });

  it("loads answers saved before kinds and sections as statistics", () => {
    const storage = memoryStorage();
    let state = asked();
    state = chatReducer(state, { type: "result", assistantId: "a1", result: RESULT });
    state = chatReducer(state, { type: "done", assistantId: "a1", timings: TIMINGS, now: 9 });
    const saved = JSON.parse(JSON.stringify(state));
    delete saved.conversations[0].messages[1].result.answer;
    delete saved.conversations[0].messages[1].result.kind;
    delete saved.conversations[0].messages[1].result.sections;
    storage.setItem(STORAGE_KEY, JSON.stringify(saved));
    expect(activeConversation(loadState(storage)!).messages[1]).toMatchObject({ text: "You received 88.", result: { kind: "stat", sections: [] } });
  });

  it("marks answers that were still coming as interrupted", () => {
    const storage = memoryStorage();
    saveState(storage, asked());
    const loaded = loadState(storage)!;
    expect(activeConversation(loaded).messages[1]).toMatchObject({ status: "error", error: { code: "interrupted" } });
  });

  it("ignores what it cannot read", () => {
    const storage = memoryStorage();
    expect(loadState(storage)).toBeNull();
    storage.setItem(STORAGE_KEY, "{not json");
    expect(loadState(storage)).toBeNull();
    storage.setItem(STORAGE_KEY, JSON.stringify({ activeId: "x", conversations: [{ id: 1 }] }));
    expect(loadState(storage)).toBeNull();
  });

  it("keeps the newest conversations only, and survives a full storage", () => {
    const storage = memoryStorage();
    let state = initialState("c0", 0);
    for (let i = 0; i < MAX_CONVERSATIONS + 5; i++) {
      state = chatReducer(state, { type: "ask", question: `q${i}`, userId: `u${i}`, assistantId: `a${i}`, now: i });
      state = chatReducer(state, { type: "done", assistantId: `a${i}`, timings: TIMINGS, now: i });
      state = chatReducer(state, { type: "new", id: `c${i + 1}`, now: i });
    }
    saveState(storage, state);
    const loaded = loadState(storage)!;
    expect(loaded.conversations).toHaveLength(MAX_CONVERSATIONS);
    expect(loaded.conversations[0]!.id).toBe(state.activeId);
    const full = { ...storage, setItem: () => { throw new Error("QuotaExceededError"); } };
    expect(() => saveState(full, state)).not.toThrow();
  });
});

describe("action answers", () => {
  const proposal: Proposal = {
    id: "5b0f8a52-2c1e-4e55-9d77-0a1b2c3d4e5f",
    conversation_id: "api-1",
    question: "Draft a response to Tom",
    summary: "Reply to Tom",
    actions: [{ kind: "create_task", title: "Follow up", due_at: null }],
    status: "proposed",
    created_at: "2026-11-30T09:00:00Z",
    expires_at: "2026-11-30T10:00:00Z",
    results: [],
  };
  const action = (p: Proposal) => ({
    ...RESULT,
    answer: "",
    kind: "action" as const,
    sql: null,
    columns: [],
    rows: [],
    proposal: p,
  });
  const doneProposal: Proposal = { ...proposal, status: "done", results: [{ kind: "create_task", ok: true, detail: "Task created" }] };

  function drafted(): ChatState {
    let state = asked("Draft a response to Tom");
    state = chatReducer(state, { type: "result", assistantId: "a1", result: action(proposal) });
    return chatReducer(state, { type: "done", assistantId: "a1", timings: TIMINGS, now: 2 });
  }

  it("a confirmation typed later moves the draft's card on too, and marks the draft superseded", () => {
    let state = drafted();
    state = chatReducer(state, { type: "ask", question: "send and schedule", userId: "u2", assistantId: "a2", now: 3 });
    state = chatReducer(state, { type: "result", assistantId: "a2", result: action(doneProposal) });
    const c = activeConversation(state);
    const statuses = c.messages.flatMap((m) => (m.role === "assistant" ? [m.result?.proposal?.status] : []));
    expect(statuses).toEqual(["done", "done"]);
    expect([...supersededAnswers(c)]).toEqual(["a1"]);
  });

  it("a proposal changed by its buttons is kept, and survives a reload", () => {
    let state = drafted();
    state = chatReducer(state, { type: "proposal", proposal: doneProposal, now: 5 });
    const storage = memoryStorage();
    saveState(storage, state);
    const loaded = loadState(storage)!;
    const answer = activeConversation(loaded).messages[1]!;
    expect(answer.role === "assistant" && answer.result?.proposal).toEqual(doneProposal);
    expect(supersededAnswers(activeConversation(loaded)).size).toBe(0);
  });
});
