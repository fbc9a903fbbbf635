import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";

import { SqlBlock } from "./sql-block";

const SQL = "SELECT hour, SUM(email_count) AS emails\nFROM daily_hourly_counts\nWHERE date = DATE '2026-11-25'";

describe("SqlBlock", () => {
  it("highlights the SQL without changing it", () => {
    render(<SqlBlock sql={SQL} />);
    const code = screen.getByTestId("sql-code");
    expect(code.textContent).toBe(SQL);
    expect(code.querySelectorAll("span").length).toBeGreaterThan(5);
  });

  it("copies the SQL to the clipboard and says so", async () => {
    const user = userEvent.setup();
    render(<SqlBlock sql={SQL} />);
    await user.click(screen.getByText("SQL used"));
    await user.click(screen.getByRole("button", { name: "Copy SQL to the clipboard" }));
    expect(await navigator.clipboard.readText()).toBe(SQL);
    expect(screen.getByRole("button", { name: "Copy SQL to the clipboard" })).toHaveTextContent("Copied");
    expect(screen.getByRole("status")).toHaveTextContent("SQL copied");
  });

  it("says when copying is not allowed", async () => {
    const user = userEvent.setup();
    render(<SqlBlock sql={SQL} />);
    vi.spyOn(navigator.clipboard, "writeText").mockRejectedValue(new Error("denied"));
    await user.click(screen.getByText("SQL used"));
    await user.click(screen.getByRole("button", { name: "Copy SQL to the clipboard" }));
    expect(await screen.findByText("Copy failed")).toBeInTheDocument();
  });
});
