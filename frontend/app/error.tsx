"use client";

// The last resort when a page fails to render (each dashboard panel and chat answer handles its own API
// failures; this is for bugs). The error's message stays in the server's log.

export default function ErrorPage({ reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <div style={{ maxWidth: 640, margin: "3rem auto", padding: "0 1.25rem" }}>
      <div className="alert alert-bad" role="alert">
        <strong>This page failed to load</strong>
        <span>Something unexpected went wrong. Try again; if it persists, check the Next.js server&apos;s log.</span>
      </div>
      <p>
        <button type="button" className="button" onClick={reset}>
          Try again
        </button>
      </p>
    </div>
  );
}
