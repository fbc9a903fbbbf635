"use client";

import dynamic from "next/dynamic";

import type { ChatProps } from "./chat";
import styles from "./chat.module.css";

// The conversations live in this browser's localStorage, so the chat renders on the client only: the server
// sends the frame, and no markup from the server can disagree with the saved state.
const Chat = dynamic(() => import("./chat").then((m) => m.Chat), {
  ssr: false,
  loading: () => (
    <div className={styles.chat} aria-busy="true">
      <div className={styles.toolbar}>
        <h1 className={styles.title}>Chat</h1>
      </div>
      <p className="muted">Loading the conversation…</p>
    </div>
  ),
});

export function ChatLoader(props: ChatProps) {
  return <Chat {...props} />;
}
