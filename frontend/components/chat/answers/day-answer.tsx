import type { ChartData } from "@/lib/chat/chart";
import type { DayView } from "@/lib/chat/scenes/day";
import { formatClock, formatDay, formatHours, formatMoment, formatNumber } from "@/lib/format";

import { DayTimeline } from "./day-timeline";
import { Figures, type FigureItem, Freshness, SceneCard } from "./figures";
import { LazyChart } from "./lazy-chart";
import styles from "./answers.module.css";

/** A calendar day: its figures, its timeline, and the period's days as bars when a period was asked about. */
export function DayAnswer({ view }: { view: DayView }) {
  const { day } = view;
  return (
    <div className={styles.cards} data-testid="day">
      {day && (
        <SceneCard title={formatDay(day.date, true)} name="day">
          <Figures items={dayFigures(view)} />
          <DayTimeline view={view} />
        </SceneCard>
      )}
      {view.days && view.days.length > 0 && (
        <SceneCard title="Meeting hours per day" name="period">
          <LazyChart data={periodChart(view)} name="days" height={200} label={`Bar chart of meeting hours per day${day ? `; the chosen day is ${formatDay(day.date)}` : ""}`} />
        </SceneCard>
      )}
      <Freshness>{view.dataAsOf ? `Calendar data as of ${formatMoment(view.dataAsOf)}.` : "No calendar data yet."}</Freshness>
    </div>
  );
}

function dayFigures({ day, overruns }: DayView): FigureItem[] {
  if (!day) return [];
  const items: FigureItem[] = [
    { name: "meetings", label: "Meetings", value: formatNumber(day.meetingCount), note: `${formatHours(day.meetingHours)} in meetings` },
  ];
  if (day.freeHours !== null) {
    const longest = day.longestFreeMinutes !== null ? `longest block ${day.longestFreeMinutes} min` : undefined;
    items.push({ name: "free", label: "Free (working hours)", value: formatHours(day.freeHours), note: longest });
  }
  if (day.lunchFree !== null) {
    items.push({ name: "lunch", label: "Lunch break", value: day.lunchFree ? "Yes" : "None", tone: day.lunchFree ? "ok" : "bad" });
  }
  if (day.backToBack && day.backToBack.minutes >= 90) {
    const b = day.backToBack;
    items.push({
      name: "back-to-back",
      label: "Back-to-back",
      value: `${b.minutes} min`,
      note: `${formatClock(b.start)}–${formatClock(b.end)}, ${b.meetings} in a row`,
      tone: "warn",
    });
  }
  if (day.conflictCount > 0) items.push({ name: "conflicts", label: "Conflicts", value: formatNumber(day.conflictCount), tone: "bad" });
  if (overruns && overruns.ranOver > 0 && day.meetingCount > 0) {
    items.push({
      name: "overruns",
      label: "Meetings run over",
      value: `${overruns.ranOver} of ${overruns.observed}`,
      note: overruns.avgMinutes !== null ? `by ${Math.round(overruns.avgMinutes)} min on average (30 days)` : "last 30 days",
    });
  }
  return items;
}

function periodChart(view: DayView): ChartData {
  return {
    kind: "bar",
    x: "day",
    y: ["meeting_hours"],
    points: (view.days ?? []).map((d) => ({ day: formatDay(d.date), meeting_hours: d.meetingHours })),
  };
}
