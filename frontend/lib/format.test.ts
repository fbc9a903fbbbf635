import {
  formatAgo,
  formatBytes,
  formatCell,
  formatClock,
  formatDay,
  formatDuration,
  formatHours,
  formatMoment,
  formatNumber,
  formatTimestamp,
  plural,
} from "./format";

describe("format", () => {
  it("numbers", () => {
    expect(formatNumber(1234567)).toBe("1,234,567");
    expect(formatNumber(3.14159)).toBe("3.14");
    expect(formatNumber(null)).toBe("—");
  });

  it("bytes", () => {
    expect(formatBytes(512)).toBe("512 B");
    expect(formatBytes(1536)).toBe("1.5 KiB");
    expect(formatBytes(5 * 1024 ** 3)).toBe("5.0 GiB");
  });

  it("durations", () => {
    expect(formatDuration(0.25)).toBe("250 ms");
    expect(formatDuration(42)).toBe("42 s");
    expect(formatDuration(185)).toBe("3 min 5 s");
    expect(formatDuration(7440)).toBe("2 h 4 min");
    expect(formatDuration(null)).toBe("—");
  });

  it("ages", () => {
    expect(formatAgo(0, 5_000)).toBe("just now");
    expect(formatAgo(0, 42_000)).toBe("42 s ago");
    expect(formatAgo(0, 5 * 60_000)).toBe("5 min ago");
    expect(formatAgo(0, 3 * 3_600_000)).toBe("3 h ago");
    expect(formatAgo(0, 72 * 3_600_000)).toBe("3 days ago");
  });

  it("timestamps in UTC", () => {
    expect(formatTimestamp("2026-11-26T01:10:16.220122+00:00")).toBe("2026-11-26 01:10 UTC");
    expect(formatTimestamp("2026-11-26T02:00:00+01:00")).toBe("2026-11-26 01:00 UTC");
    expect(formatTimestamp(null)).toBe("—");
  });

  it("cells", () => {
    expect(formatCell(88)).toBe("88");
    expect(formatCell(true)).toBe("yes");
    expect(formatCell(null)).toBe("—");
    expect(formatCell("globex.com")).toBe("globex.com");
  });

  it("wall-clock times as written, whatever the browser's zone", () => {
    expect(formatClock("2026-12-02T09:30:00")).toBe("09:30");
    expect(formatClock("2026-12-02")).toBeNull();
    expect(formatDay("2026-12-02")).toBe("Wed 2 Dec");
    expect(formatDay("2026-11-30T23:59:59.5")).toBe("Mon 30 Nov");
    expect(formatDay("soon")).toBe("soon");
    expect(formatDay("2026-12-02", true)).toBe("Wednesday 2 December");
    expect(formatMoment("2026-12-02T09:30:00")).toBe("Wed 2 Dec, 09:30");
  });

  it("hours and counts", () => {
    expect(formatHours(6.5)).toBe("6.5 h");
    expect(formatHours(7.25)).toBe("7.3 h");
    expect(formatHours(0.5)).toBe("30 min");
    expect(formatHours(0)).toBe("0 h");
    expect(plural(1, "meeting", "meetings")).toBe("1 meeting");
    expect(plural(1200, "email", "emails")).toBe("1,200 emails");
  });
});
