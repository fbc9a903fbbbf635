"use client";

import { useEffect, useReducer, useRef } from "react";

import { ask } from "@/lib/chat/ask";
import {
  activeConversation,
  chatReducer,
  type ChatState,
  initialState,
  isBusy,
  loadState,
  saveState,
  supersededAnswers,
} from "@/lib/chat/conversation";

import styles from "./chat.module.css";
import { Composer } from "./composer";
import { AssistantBubble, Chips, UserBubble } from "./message";

export interface ChatProps {
  /** Questions offered on an empty conversation. */
  examples: string[];
  /** Gives up on an answer after this long (ms). */
  timeoutMs?: number;
  /** Where conversations are kept (localStorage in the browser). */
  storage?: Storage;
  /** Pause between streamed words (ms); defaults to 25, or 0 with prefers-reduced-motion. */
  paceMs?: number;
}

function newId(): string {
  return crypto.randomUUID();
}

/** Event handlers stamp actions with the time; kept out of the component so it stays pure. */
function now(): number {
  return Date.now();
}

function startState(storage: Storage | undefined): ChatState {
  return (storage && loadState(storage)) ?? initialState(newId(), Date.now());
}

function defaultPace(): number {
  return window.matchMedia?.("(prefers-reduced-motion: reduce)").matches ? 0 : 25;
}

/** The chat: conversation history, streaming answers, examples, errors. Rendered in the browser only. */
export function Chat({ examples, timeoutMs, storage = globalThis.localStorage, paceMs }: ChatProps) {
  const [state, dispatch] = useReducer(chatReducer, storage, startState);
  const conversation = activeConversation(state);
  const busy = isBusy(state);
  const input = useRef<HTMLTextAreaElement>(null);
  const end = useRef<HTMLDivElement>(null);
  const inflight = useRef<AbortController | null>(null);

  useEffect(() => {
    if (storage) saveState(storage, state);
  }, [state, storage]);

  // Follow the newest message as it grows.
  const last = conversation.messages[conversation.messages.length - 1];
  const lastSize = last ? last.text.length + (last.role === "assistant" && last.result ? 1 : 0) : 0;
  useEffect(() => {
    end.current?.scrollIntoView?.({ block: "end" });
  }, [conversation.id, conversation.messages.length, lastSize]);

  // Leaving the page cancels the answer in flight.
  useEffect(() => () => inflight.current?.abort(), []);

  function send(question: string) {
    const text = question.trim();
    if (!text || busy) return;
    const assistantId = newId();
    dispatch({ type: "ask", question: text, userId: newId(), assistantId, now: now() });
    const controller = new AbortController();
    inflight.current = controller;
    void ask({
      question: text,
      conversationId: conversation.apiId,
      assistantId,
      dispatch,
      signal: controller.signal,
      timeoutMs,
      paceMs: paceMs ?? defaultPace(),
    }).finally(() => {
      if (inflight.current === controller) inflight.current = null;
    });
    input.current?.focus();
  }

  function startNew() {
    inflight.current?.abort();
    dispatch({ type: "new", id: newId(), now: now() });
    input.current?.focus();
  }

  const others = state.conversations.filter((c) => c.messages.length > 0);
  const superseded = supersededAnswers(conversation);

  return (
    <div className={styles.chat}>
      <div className={styles.toolbar}>
        <h1 className={styles.title}>Chat</h1>
        {others.length > 0 && (
          <label className={styles.history}>
            <span className="visually-hidden">Conversation</span>
            <select
              value={conversation.id}
              onChange={(e) => dispatch({ type: "select", id: e.target.value })}
              disabled={busy}
              data-testid="conversation-select"
            >
              {conversation.messages.length === 0 && <option value={conversation.id}>New conversation</option>}
              {others.map((c) => (
                <option key={c.id} value={c.id}>
                  {c.title}
                </option>
              ))}
            </select>
          </label>
        )}
        <button type="button" className="button" onClick={startNew} disabled={conversation.messages.length === 0}>
          New chat
        </button>
      </div>

      <div className={styles.log} role="log" aria-label="Conversation" data-testid="messages">
        {conversation.messages.length === 0 ? (
          <section className={styles.welcome} aria-labelledby="welcome-title">
            <h2 id="welcome-title">What would you like to know about your inbox and calendar?</h2>
            <p className="muted">
              Answers come from what the pipeline computed from your mail and calendar; each one shows the SQL it ran
              and the rows it read.
            </p>
            <Chips questions={examples} onAsk={send} disabled={busy} />
          </section>
        ) : (
          conversation.messages.map((m, i) =>
            m.role === "user" ? (
              <UserBubble key={m.id} text={m.text} />
            ) : (
              <AssistantBubble
                key={m.id}
                message={m}
                onAsk={send}
                busy={busy}
                latest={i === conversation.messages.length - 1}
                onProposal={(proposal) => dispatch({ type: "proposal", proposal, now: now() })}
                superseded={superseded.has(m.id)}
              />
            ),
          )
        )}
        <div ref={end} />
      </div>

      <Composer ref={input} onSend={send} busy={busy} />
    </div>
  );
}
