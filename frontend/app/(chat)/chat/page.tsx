import type { Metadata } from "next";

import { ChatLoader } from "@/components/chat/chat-loader";
import { EXAMPLE_QUESTIONS } from "@/lib/chat/examples";

export const metadata: Metadata = { title: "Chat" };

export default function ChatPage() {
  return <ChatLoader examples={EXAMPLE_QUESTIONS} />;
}
