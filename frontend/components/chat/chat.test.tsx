import { act, render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";

import { fixture } from "@/test/fixtures";
import { answerEvents, streamResponse } from "@/test/streams";

import { Chat } from "./chat";

/** The chart is a lazily loaded chunk (recharts): on a loaded 2-core machine its import alone can take seconds. */
const CHART_LOAD_MS = 10_000;

const EXAMPLES = ["How many emails did I receive yesterday?", "What was the busiest hour yesterday?"];

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

const YESTERDAY = {
  answer: "You received 88 emails yesterday (Wed 25 Nov 2026).",
  sql: "SELECT SUM(total_emails) AS total_emails FROM daily_insights WHERE date = DATE '2026-11-25'",
  columns: ["total_emails", "days_with_data"],
  rows: [[88, 1]],
};

function answering(...answers: Array<Parameters<typeof answerEvents>[0] | Response>) {
  const queue = [...answers];
  return vi.spyOn(globalThis, "fetch").mockImplementation(async () => {
    const next = queue.shift();
    if (!next) throw new Error("no more answers");
    return next instanceof Response ? next : streamResponse(answerEvents(next));
  });
}

function setup(storage = memoryStorage()) {
  const user = userEvent.setup();
  const view = render(<Chat examples={EXAMPLES} storage={storage} paceMs={0} />);
  return { user, storage, view };
}

describe("Chat", () => {
  it("offers the examples on a first visit, and asks one when clicked", async () => {
    const fetch = answering(YESTERDAY);
    const { user } = setup();
    expect(screen.getByRole("heading", { name: /what would you like to know/i })).toBeInTheDocument();
    await user.click(screen.getByRole("button", { name: EXAMPLES[0] }));

    const answer = await screen.findByTestId("assistant-message");
    await waitFor(() => expect(answer).toHaveAttribute("data-status", "done"));
    expect(within(answer).getByTestId("answer")).toHaveTextContent(YESTERDAY.answer);
    expect(JSON.parse(fetch.mock.calls[0]![1]!.body as string)).toEqual({ message: EXAMPLES[0], conversation_id: null });

    // The rows as a table, the SQL collapsed until asked for.
    const table = within(answer).getByRole("table");
    expect(within(table).getByRole("columnheader", { name: "Total emails" })).toBeInTheDocument();
    expect(within(table).getByRole("cell", { name: "88" })).toBeInTheDocument();
    const sql = within(answer).getByTestId("sql-block");
    expect(sql).not.toHaveAttribute("open");
    await user.click(within(sql).getByText("SQL used"));
    expect(sql).toHaveAttribute("open");
    expect(within(sql).getByTestId("sql-code")).toHaveTextContent(YESTERDAY.sql);
  });

  it("shows the typing indicator until the first word", async () => {
    let release!: (r: Response) => void;
    vi.spyOn(globalThis, "fetch").mockImplementation(() => new Promise<Response>((resolve) => (release = resolve)));
    const { user } = setup();
    await user.type(screen.getByLabelText("Ask about your emails"), "How many emails did I receive yesterday?{Enter}");
    expect(await screen.findByTestId("typing")).toHaveTextContent("Mini-Mindy is typing");
    expect(screen.getByRole("button", { name: "Send" })).toBeDisabled();
    await act(async () => release(streamResponse(answerEvents(YESTERDAY))));
    await waitFor(() => expect(screen.queryByTestId("typing")).not.toBeInTheDocument());
    await waitFor(() => expect(screen.getByTestId("assistant-message")).toHaveAttribute("data-status", "done"));
  });

  it("sends follow-ups in the same conversation", async () => {
    const fetch = answering(
      { ...YESTERDAY, conversationId: "aaaaaaaa-0000-4000-8000-000000000001" },
      { answer: "You received 98 emails on Tue 24 Nov 2026.", sql: "SELECT 98", columns: ["total_emails"], rows: [[98]] },
    );
    const { user } = setup();
    const input = screen.getByLabelText("Ask about your emails");
    await user.type(input, "How many emails did I receive yesterday?{Enter}");
    await waitFor(() => expect(screen.getByTestId("assistant-message")).toHaveAttribute("data-status", "done"));
    await user.type(input, "and the day before?{Enter}");
    await waitFor(() => expect(screen.getAllByTestId("assistant-message")[1]).toHaveAttribute("data-status", "done"));
    expect(JSON.parse(fetch.mock.calls[1]![1]!.body as string)).toEqual({
      message: "and the day before?",
      conversation_id: "aaaaaaaa-0000-4000-8000-000000000001",
    });
  });

  it("keeps Shift+Enter as a new line and does not send empty questions", async () => {
    const fetch = answering();
    const { user } = setup();
    const input = screen.getByLabelText("Ask about your emails");
    await user.type(input, "line one{Shift>}{Enter}{/Shift}line two");
    expect(input).toHaveValue("line one\nline two");
    await user.clear(input);
    await user.type(input, "   {Enter}");
    expect(fetch).not.toHaveBeenCalled();
    expect(screen.getByRole("button", { name: "Send" })).toBeDisabled();
  });

  it("shows a refusal with the questions it can answer", async () => {
    answering(
      { answer: "I can't answer that: I can only answer questions about your email statistics.", refused: true, suggestions: EXAMPLES },
      YESTERDAY,
    );
    const { user } = setup();
    await user.type(screen.getByLabelText("Ask about your emails"), "What is the weather?{Enter}");
    const refused = await screen.findByTestId("assistant-message");
    await waitFor(() => expect(refused).toHaveAttribute("data-refused", "true"));
    expect(within(refused).queryByRole("table")).not.toBeInTheDocument();
    await user.click(within(refused).getByRole("button", { name: EXAMPLES[0] }));
    await waitFor(() => expect(screen.getAllByTestId("assistant-message")[1]).toHaveAttribute("data-status", "done"));
  });

  it("explains failures and retries", async () => {
    answering(Response.json({ error: { code: "api_unreachable", message: "connect ECONNREFUSED 127.0.0.1:8000" } }, { status: 502 }), YESTERDAY);
    const { user } = setup();
    await user.type(screen.getByLabelText("Ask about your emails"), "How many emails did I receive yesterday?{Enter}");
    const alert = await screen.findByRole("alert");
    expect(alert).toHaveTextContent("API unreachable");
    expect(alert).not.toHaveTextContent("ECONNREFUSED");
    await user.click(within(alert).getByRole("button", { name: "Try again" }));
    await waitFor(() => expect(screen.getAllByTestId("assistant-message")[1]).toHaveAttribute("data-status", "done"));
    expect(screen.getAllByTestId("user-message")).toHaveLength(2);
  });

  it("shows the API's message for a refused query", async () => {
    answering(Response.json({ error: { code: "sql_refused", message: "the generated SQL was refused: not a SELECT" } }, { status: 422 }));
    const { user } = setup();
    await user.type(screen.getByLabelText("Ask about your emails"), "Delete my emails{Enter}");
    const alert = await screen.findByRole("alert");
    expect(alert).toHaveTextContent("Question refused");
    expect(alert).toHaveTextContent("not a SELECT");
    expect(within(alert).queryByRole("button", { name: "Try again" })).not.toBeInTheDocument();
  });

  it("keeps the conversation across a reload, and starts new ones", async () => {
    answering(YESTERDAY);
    const { user, storage, view } = setup();
    await user.type(screen.getByLabelText("Ask about your emails"), "How many emails did I receive yesterday?{Enter}");
    await waitFor(() => expect(screen.getByTestId("assistant-message")).toHaveAttribute("data-status", "done"));
    view.unmount();

    render(<Chat examples={EXAMPLES} storage={storage} paceMs={0} />);
    expect(screen.getByTestId("user-message")).toHaveTextContent("How many emails did I receive yesterday?");
    expect(screen.getByTestId("answer")).toHaveTextContent(YESTERDAY.answer);

    await user.click(screen.getByRole("button", { name: "New chat" }));
    expect(screen.queryByTestId("user-message")).not.toBeInTheDocument();
    const select = screen.getByTestId("conversation-select");
    await user.selectOptions(select, "How many emails did I receive yesterday?");
    expect(screen.getByTestId("user-message")).toBeInTheDocument();
  });

  it("draws a chart when the API says the rows are a series", async () => {
    answering({
      answer: "Your emails per day in the last 7 days.",
      sql: "SELECT date, total_emails FROM daily_insights",
      columns: ["date", "total_emails"],
      rows: [
        ["2026-11-24", 98],
        ["2026-11-25", 88],
      ],
      chart: { kind: "line", x: "date", y: ["total_emails"] },
    });
    const { user } = setup();
    await user.type(screen.getByLabelText("Ask about your emails"), "Show my emails per day over the last 7 days{Enter}");
    const chart = await screen.findByTestId("result-chart", {}, { timeout: CHART_LOAD_MS });
    expect(chart).toHaveAttribute("data-kind", "line");
    expect(chart).toHaveAccessibleName("Line chart of Total emails by Date");
  });

  it("draws a scene answer as what it is, keeps its words, and offers follow-ups on the newest answer only", async () => {
    const week = fixture("day-week").reply;
    const tomorrow = fixture("day-tomorrow").reply;
    const fetch = answering({ ...week, conversationId: week.conversation_id }, { ...tomorrow, conversationId: week.conversation_id });
    const { user } = setup();
    await user.type(screen.getByLabelText("Ask about your emails"), "What's my busiest day this week?{Enter}");
    const first = await screen.findByTestId("assistant-message");
    await waitFor(() => expect(first).toHaveAttribute("data-status", "done"));
    // The words as the API wrote them (headings in bold), then the timeline and the queries.
    expect(within(first).getByTestId("answer").textContent).toBe(week.answer);
    expect(within(first).getByText(/ STATS:$/).tagName).toBe("SPAN");
    expect(within(first).getAllByTestId("timeline-meeting").length).toBeGreaterThan(0);
    expect(within(first).getByTestId("sql-sources")).toBeInTheDocument();

    await user.click(within(within(first).getByTestId("follow-ups")).getByRole("button", { name: "And tomorrow?" }));
    const answers = await screen.findAllByTestId("assistant-message");
    await waitFor(() => expect(answers[1]).toHaveAttribute("data-status", "done"));
    expect(JSON.parse(fetch.mock.calls[1]![1]!.body as string)).toEqual({ message: "And tomorrow?", conversation_id: week.conversation_id });
    expect(within(answers[0]!).queryByTestId("follow-ups")).not.toBeInTheDocument();
    expect(within(answers[1]!).getByTestId("follow-ups")).toBeInTheDocument();
  });
});
