import { act, render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";

import { type ActionResult, Proposal } from "@/lib/api/schemas";

import { ActionAnswer } from "./action-answer";
import { AnswerBody } from "./answer-body";

// A proposal shaped as crates/api/src/actions answers "Draft a response to Tom ... at 11 AM and loop in Mike", its
// times in New York (11:00 there is 16:00 UTC in winter), parsed with the API's schema.
const ZONE = "America/New_York";
const proposed = Proposal.parse({
  id: "5b0f8a52-2c1e-4e55-9d77-0a1b2c3d4e5f",
  conversation_id: "c-1",
  question: "Draft a response to Tom apologizing and offering a call at 11 AM and loop in Mike",
  summary: "Reply to Tom Anderson (Acme Corp) and a call at 11:00 today with Mike Stevens",
  status: "proposed",
  created_at: "2026-11-30T14:00:00Z",
  expires_at: "2026-11-30T15:00:00Z",
  confirmed_at: null,
  finished_at: null,
  results: [],
  actions: [
    {
      kind: "send_email",
      from: { address: "sarah@mindy.example", name: "Sarah Johnson", about: "VP Customer Success" },
      to: [{ address: "tom.anderson@acmecorp.example", name: "Tom Anderson", about: "VP Engineering, Acme Corp" }],
      cc: [
        { address: "lisa.chen@acmecorp.example", name: "Lisa Chen", about: "VP Operations, Acme Corp" },
        { address: "mike.stevens@mindy.example", name: "Mike Stevens", about: "CTO" },
      ],
      subject: "Re: Production outage - API integration down",
      body: "Hi Tom,\n\nI am sorry for the trouble.\n\nBest,\nSarah",
      in_reply_to: "m-acme-2",
      references: ["m-acme-1", "m-acme-2"],
      thread_id: "t-acme",
    },
    {
      kind: "create_event",
      summary: "Urgent call - Acme Corp: Production outage",
      starts_at: "2026-11-30T16:00:00Z",
      ends_at: "2026-11-30T16:30:00Z",
      timezone: ZONE,
      location: null,
      description: "Call offered in the reply.",
      organizer: { address: "sarah@mindy.example", name: "Sarah Johnson" },
      attendees: [
        { address: "tom.anderson@acmecorp.example", name: "Tom Anderson" },
        { address: "mike.stevens@mindy.example", name: "Mike Stevens" },
      ],
    },
    { kind: "create_task", title: "Follow up on Acme Corp: Production outage", due_at: "2026-11-30T22:00:00Z" },
    {
      kind: "set_reminder",
      remind_at: "2026-11-30T15:45:00Z",
      message: "Prepare for the call with Tom Anderson at 11:00.",
      recipient: { address: "sarah@mindy.example", name: "Sarah Johnson" },
    },
  ],
});

const RESULTS: ActionResult[] = [
  { kind: "send_email", ok: true, detail: "Sent to Tom Anderson, Lisa Chen and Mike Stevens", external_id: "<a@mindy>" },
  { kind: "create_event", ok: true, detail: "On your calendar with 2 invitations sent", external_id: "uid-1" },
  { kind: "create_task", ok: true, detail: "Task created", external_id: "t-1" },
  { kind: "set_reminder", ok: true, detail: "Reminder set for 10:45", external_id: "r-1" },
];

function done(results = RESULTS, status: "done" | "failed" = "done"): Proposal {
  return { ...proposed, status, confirmed_at: "2026-11-30T14:05:00Z", finished_at: "2026-11-30T14:05:01Z", results };
}

/** A `fetch` that answers each call with the next of `replies`, recording the calls. */
function fakeFetch(...replies: Array<() => Response | Promise<Response>>) {
  const calls: Array<{ url: string; init: RequestInit }> = [];
  const fetcher = vi.fn(async (url: RequestInfo | URL, init?: RequestInit) => {
    calls.push({ url: String(url), init: init ?? {} });
    const reply = replies.shift();
    if (!reply) throw new Error(`unexpected call to ${String(url)}`);
    return reply();
  });
  return { fetcher: fetcher as unknown as typeof fetch, calls };
}

describe("the action card", () => {
  it("shows the draft with names, the actions in words in the user's timezone, and the expiry", () => {
    render(<ActionAnswer proposal={proposed} />);
    expect(screen.getByTestId("email-from")).toHaveTextContent("Sarah Johnson <sarah@mindy.example>");
    expect(screen.getByTestId("email-to")).toHaveTextContent("Tom Anderson <tom.anderson@acmecorp.example> (VP Engineering, Acme Corp)");
    expect(screen.getByTestId("email-cc")).toHaveTextContent("Lisa Chen <lisa.chen@acmecorp.example> (VP Operations, Acme Corp), Mike Stevens");
    expect(screen.getByTestId("email-subject")).toHaveTextContent("Re: Production outage - API integration down");
    expect(screen.getByTestId("email-body").textContent).toBe(proposed.actions[0]!.kind === "send_email" ? proposed.actions[0]!.body : "");
    const steps = within(screen.getByTestId("action-steps")).getAllByRole("listitem");
    expect(steps.map((s) => s.textContent)).toEqual([
      "Email: Send the reply “Re: Production outage - API integration down” to Tom Anderson, copying Lisa Chen and Mike Stevens.",
      "Calendar event: Put “Urgent call - Acme Corp: Production outage” on your calendar, Mon 30 Nov, 11:00–11:30 and invite Tom Anderson and Mike Stevens.",
      "Task: Add the task “Follow up on Acme Corp: Production outage”, due Mon 30 Nov, 17:00.",
      "Reminder: Remind Sarah Johnson by email at Mon 30 Nov, 10:45: “Prepare for the call with Tom Anderson at 11:00.”",
    ]);
    expect(screen.getByText(`Times are in ${ZONE}.`)).toBeInTheDocument();
    expect(screen.getByTestId("action-expiry")).toHaveTextContent("You can confirm until Mon 30 Nov, 10:00");
    expect(screen.getByTestId("action-status")).toHaveTextContent("Waiting for your confirmation");
  });

  it("saves an edited body with PATCH and shows it", async () => {
    const user = userEvent.setup();
    const edited = { ...proposed, actions: proposed.actions.map((a) => (a.kind === "send_email" ? { ...a, body: "Hi Tom,\n\nNew words." } : a)) };
    const { fetcher, calls } = fakeFetch(() => Response.json(edited));
    const onChange = vi.fn();
    render(<ActionAnswer proposal={proposed} onChange={onChange} fetcher={fetcher} />);
    await user.click(screen.getByRole("button", { name: "Edit" }));
    const body = screen.getByLabelText("Body");
    expect(screen.getByLabelText("Subject")).toHaveFocus();
    // Nothing to save until something changed; and no confirming with unsaved edits.
    expect(screen.getByRole("button", { name: "Save" })).toBeDisabled();
    expect(screen.getByRole("button", { name: "Send and schedule" })).toBeDisabled();
    await user.clear(body);
    await user.type(body, "Hi Tom,{Enter}{Enter}New words.");
    await user.click(screen.getByRole("button", { name: "Save" }));
    expect(calls).toHaveLength(1);
    expect(calls[0]!.url).toBe(`/api/actions/${proposed.id}`);
    expect(calls[0]!.init.method).toBe("PATCH");
    expect(JSON.parse(String(calls[0]!.init.body))).toEqual({ body: "Hi Tom,\n\nNew words." });
    expect(await screen.findByTestId("email-body")).toHaveTextContent("New words.");
    expect(onChange).toHaveBeenCalledWith(edited);
  });

  it("confirms once however often it is clicked, then shows each result", async () => {
    const user = userEvent.setup();
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const { fetcher, calls } = fakeFetch(async () => {
      await held;
      return Response.json({ proposal: done(), executed_now: true });
    });
    render(<ActionAnswer proposal={proposed} fetcher={fetcher} />);
    const button = screen.getByRole("button", { name: "Send and schedule" });
    await user.dblClick(button);
    await user.click(button);
    expect(button).toBeDisabled();
    await act(async () => release());
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({ url: `/api/actions/${proposed.id}/confirm`, init: { method: "POST" } });
    const results = await screen.findAllByTestId("action-result");
    expect(results.map((r) => r.textContent)).toEqual(RESULTS.map((r, i) => `✅done: ${["Email", "Calendar event", "Task", "Reminder"][i]}: ${r.detail}`));
    expect(screen.getByTestId("action-outcome")).toHaveTextContent("All 4 actions were done.");
    expect(screen.getByTestId("action-status")).toHaveTextContent("Done");
    expect(screen.queryByRole("button", { name: "Send and schedule" })).toBeNull();
    expect(screen.queryByRole("button", { name: "Edit" })).toBeNull();
    expect(screen.getByRole("heading", { name: "Results" })).toHaveFocus();
  });

  it("says plainly which action failed", () => {
    const failed = done([RESULTS[0]!, { kind: "create_event", ok: false, detail: "the calendar file could not be written", external_id: null }], "failed");
    render(<ActionAnswer proposal={failed} />);
    expect(screen.getByTestId("action-outcome")).toHaveTextContent("1 of 4 actions failed (calendar event). 2 more were not run.");
    const [, bad] = screen.getAllByTestId("action-result");
    expect(bad).toHaveAttribute("data-ok", "false");
    expect(bad).toHaveTextContent("❌failed: Calendar event: failed — the calendar file could not be written");
    expect(screen.getByTestId("action-status")).toHaveTextContent("Failed");
  });

  it("shows the API's refusal when the proposal can no longer be confirmed", async () => {
    const user = userEvent.setup();
    const { fetcher } = fakeFetch(() => Response.json({ error: { code: "conflict", message: "that proposal expired" } }, { status: 409 }));
    render(<ActionAnswer proposal={proposed} fetcher={fetcher} />);
    await user.click(screen.getByRole("button", { name: "Send and schedule" }));
    const alert = await screen.findByRole("alert");
    expect(alert).toHaveAttribute("data-code", "conflict");
    expect(alert).toHaveTextContent("No longer waiting");
    expect(alert).toHaveTextContent("that proposal expired");
    expect(screen.getByRole("button", { name: "Send and schedule" })).toBeEnabled();
  });

  it("cancels", async () => {
    const user = userEvent.setup();
    const { fetcher, calls } = fakeFetch(() => Response.json({ ...proposed, status: "cancelled" }));
    render(<ActionAnswer proposal={proposed} fetcher={fetcher} />);
    await user.click(screen.getByRole("button", { name: "Cancel" }));
    expect(calls[0]).toMatchObject({ url: `/api/actions/${proposed.id}/cancel`, init: { method: "POST" } });
    expect(await screen.findByTestId("action-outcome")).toHaveTextContent("Cancelled: nothing was sent or scheduled.");
    expect(screen.queryByRole("button", { name: "Send and schedule" })).toBeNull();
  });

  it("offers no buttons once a later answer carries the proposal", () => {
    render(<ActionAnswer proposal={proposed} superseded />);
    expect(screen.queryByRole("button")).toBeNull();
    expect(screen.getByText("See the next answer for what became of this.")).toBeInTheDocument();
  });

  it("is drawn for a chat answer of kind action, and nothing is for one without a proposal", () => {
    const base = { answer: "", sql: null, columns: [], rows: [], sections: [], chart: null, refused: false, suggestions: [], cached: false };
    const { container, rerender } = render(<AnswerBody result={{ ...base, kind: "action", proposal: proposed }} />);
    expect(screen.getByTestId("action")).toHaveAttribute("data-proposal", proposed.id);
    rerender(<AnswerBody result={{ ...base, kind: "action", proposal: null }} />);
    expect(container).toBeEmptyDOMElement();
  });

  it("shows a day's plan as moves and blocks, applied with one button", () => {
    const me = { address: "sarah@mindy.example", name: "Sarah Johnson" };
    const plan = Proposal.parse({
      ...proposed,
      summary: "Optimise Wednesday 25 November: conflicts 1 → 0",
      actions: [
        {
          kind: "move_event",
          event: { id: "ics:sarah.ics/standup", calendar_id: "ics:sarah.ics", event_id: "standup", recurrence_id: null },
          summary: "Sales standup",
          from_starts_at: "2026-11-25T15:30:00Z",
          from_ends_at: "2026-11-25T16:00:00Z",
          starts_at: "2026-11-25T21:30:00Z",
          ends_at: "2026-11-25T22:00:00Z",
          timezone: ZONE,
          attendees: [],
          owner: me,
          reason: "it overlapped “Acme escalation call”",
        },
        {
          kind: "move_event",
          event: { id: "ics:sarah.ics/talk", calendar_id: "ics:sarah.ics", event_id: "talk" },
          summary: "Team talk",
          from_starts_at: "2026-11-25T18:00:00Z",
          from_ends_at: "2026-11-25T19:00:00Z",
          starts_at: "2026-11-25T18:00:00Z",
          ends_at: "2026-11-25T18:40:00Z",
          timezone: ZONE,
          attendees: [],
          owner: me,
          reason: "ends 20 minutes early to get to “Acme site visit”",
        },
        {
          kind: "block_time",
          summary: "Lunch",
          starts_at: "2026-11-25T17:00:00Z",
          ends_at: "2026-11-25T18:00:00Z",
          timezone: ZONE,
          owner: me,
          reason: "keeps time to eat",
        },
      ],
    });
    render(<ActionAnswer proposal={plan} />);
    const steps = within(screen.getByTestId("action-steps")).getAllByRole("listitem");
    expect(steps.map((s) => s.textContent)).toEqual([
      "Move: Move “Sales standup” from Wed 25 Nov, 10:30–11:00 to 16:30–17:00 (it overlapped “Acme escalation call”).",
      "Move: End “Team talk” at 13:40 instead of 14:00 (ends 20 minutes early to get to “Acme site visit”).",
      "Block: Block Wed 25 Nov, 12:00–13:00 for “Lunch” (keeps time to eat).",
    ]);
    expect(screen.getByRole("button", { name: "Apply changes" })).toBeEnabled();
    expect(screen.queryByRole("button", { name: "Send and schedule" })).toBeNull();
    expect(screen.getByTestId("action-expiry")).toHaveTextContent("Nothing changes on your calendar until you confirm");
  });
});
