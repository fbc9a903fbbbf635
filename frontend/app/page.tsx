import { redirect } from "next/navigation";

/** The chat is the product's front door. */
export default function Home() {
  redirect("/chat");
}
