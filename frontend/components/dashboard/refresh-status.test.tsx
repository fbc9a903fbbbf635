import { act, render, screen } from "@testing-library/react";

import { RefreshStatus } from "./refresh-status";

const refresh = vi.fn();
vi.mock("next/navigation", () => ({ useRouter: () => ({ refresh }) }));

describe("RefreshStatus", () => {
  beforeEach(() => {
    vi.useFakeTimers();
    refresh.mockClear();
  });
  afterEach(() => vi.useRealTimers());

  it("refreshes on its interval and says how old the numbers are", () => {
    const fetchedAt = Date.now();
    render(<RefreshStatus fetchedAt={fetchedAt} intervalMs={15_000} />);
    expect(screen.getByRole("status")).toHaveTextContent("Updated just now");
    act(() => vi.advanceTimersByTime(15_000));
    expect(refresh).toHaveBeenCalledTimes(1);
    expect(screen.getByRole("status")).toHaveTextContent("Updated 15 s ago");
  });

  it("turns stale when refreshes stop arriving", () => {
    render(<RefreshStatus fetchedAt={Date.now()} intervalMs={15_000} />);
    act(() => vi.advanceTimersByTime(46_000));
    expect(screen.getByTestId("refresh-status")).toHaveAttribute("data-stale", "true");
    expect(screen.getByRole("status")).toHaveTextContent("Stale: last update 46 s ago");
  });
});
