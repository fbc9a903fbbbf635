import type { ChartData } from "@/lib/chat/chart";
import type { Patterns } from "@/lib/chat/scenes/patterns";
import { formatDay, formatHours, formatNumber } from "@/lib/format";

import { FlagBadge } from "./badges";
import { Figures, type FigureItem, Freshness, SceneCard } from "./figures";
import { LazyChart } from "./lazy-chart";
import styles from "./answers.module.css";

/** 30 days of mail and meetings: volume by weekday and by hour as charts, then the figures and who lacks a 1-on-1. */
export function PatternsAnswer({ patterns: p }: { patterns: Patterns }) {
  return (
    <div className={styles.cards} data-testid="patterns">
      {(p.weekdays.length > 0 || p.hours.length > 0) && (
        <SceneCard title="Email volume" name="volume">
          <div className={styles.chartPair}>
            {p.weekdays.length > 0 && (
              <div>
                <h4 className={styles.subhead}>Per day, by weekday</h4>
                <LazyChart data={weekdayChart(p)} name="weekday" height={200} label="Bar chart of emails per day by weekday" />
              </div>
            )}
            {p.hours.length > 0 && (
              <div>
                <h4 className={styles.subhead}>By hour of the day</h4>
                <LazyChart data={hourChart(p)} name="hour" height={200} label="Bar chart of emails by hour of the day" />
              </div>
            )}
          </div>
          <Figures items={mailFigures(p)} />
          {p.groups.length > 0 && (
            <>
              <h4 className={styles.subhead}>Who writes most</h4>
              <ul className={styles.shares} data-testid="groups">
                {p.groups.map((g) => (
                  <li key={g.key} data-key={g.key}>
                    <span>{g.label}</span>
                    <span className={styles.shareBar} aria-hidden="true">
                      <span style={{ width: `${Math.min(100, g.sharePct ?? 0)}%` }} />
                    </span>
                    <span className={styles.num}>{g.sharePct !== null ? `${formatNumber(g.sharePct)}%` : formatNumber(g.emails)}</span>
                  </li>
                ))}
              </ul>
            </>
          )}
          {p.trends.length > 0 && (
            <>
              <h4 className={styles.subhead}>Against the 30 days before</h4>
              <ul className={styles.plainList} data-testid="trends">
                {p.trends.map((t) => (
                  <li key={t.label}>
                    {t.label}: {formatNumber(t.emails)}
                    {t.previous !== null && ` vs ${formatNumber(t.previous)}`}
                    {t.changePct !== null && ` (${signed(t.changePct)}%)`}
                  </li>
                ))}
              </ul>
            </>
          )}
        </SceneCard>
      )}
      {p.calendar && (
        <SceneCard title="Meetings" name="meetings">
          <Figures items={meetingFigures(p.calendar)} />
          {p.oneOnOnes.length > 0 && <OneOnOnes people={p.oneOnOnes} />}
        </SceneCard>
      )}
      {p.asOf && <Freshness>Patterns of the 30 days to {formatDay(p.asOf)}.</Freshness>}
    </div>
  );
}

function OneOnOnes({ people }: { people: Patterns["oneOnOnes"] }) {
  return (
    <>
      <h4 className={styles.subhead}>1-on-1s with direct reports (30 days)</h4>
      <ul className={styles.plainList} data-testid="one-on-ones">
        {people.map((o) => (
          <li key={o.person} data-count={o.count}>
            {o.person}: {o.count === 0 ? <FlagBadge name="no-one-on-one">None</FlagBadge> : formatNumber(o.count)}
            {o.nextDate && <span className="muted"> · next {formatDay(o.nextDate)}</span>}
          </li>
        ))}
      </ul>
    </>
  );
}

function signed(n: number): string {
  return `${n > 0 ? "+" : ""}${formatNumber(Math.round(n))}`;
}

function minutes(m: number): string {
  return m >= 90 ? formatHours(m / 60) : `${Math.round(m)} min`;
}

function mailFigures(p: Patterns): FigureItem[] {
  const items: FigureItem[] = [];
  if (p.total) {
    items.push({
      name: "emails",
      label: "Emails received",
      value: formatNumber(p.total.emails),
      note: p.total.perDay !== null ? `${formatNumber(Math.round(p.total.perDay * 10) / 10)} a day` : undefined,
    });
    if (p.total.changePct !== null) {
      items.push({ name: "change", label: "Vs the 30 days before", value: `${signed(p.total.changePct)}%` });
    }
  }
  if (p.response) {
    items.push({
      name: "response",
      label: "Your response time",
      value: minutes(p.response.avgMinutes),
      note: p.response.medianMinutes !== null ? `median ${minutes(p.response.medianMinutes)}` : undefined,
    });
  }
  return items;
}

function meetingFigures(c: NonNullable<Patterns["calendar"]>): FigureItem[] {
  const items: FigureItem[] = [];
  if (c.meetingSharePct !== null) {
    items.push({
      name: "meeting-share",
      label: "Working hours in meetings",
      value: `${Math.round(c.meetingSharePct)}%`,
      note: c.meetingHours !== null && c.workingHours !== null ? `${formatHours(c.meetingHours)} of ${formatHours(c.workingHours)}` : undefined,
      tone: c.meetingSharePct > 50 ? "warn" : undefined,
    });
  }
  if (c.meetingsPerDay !== null) items.push({ name: "per-day", label: "Meetings a working day", value: formatNumber(Math.round(c.meetingsPerDay * 10) / 10) });
  if (c.busiestWeekday) {
    items.push({
      name: "busiest-weekday",
      label: "Heaviest meeting day",
      value: c.busiestWeekday,
      note: c.lightestWeekday ? `lightest: ${c.lightestWeekday}` : undefined,
    });
  }
  if (c.overrunMeetings) {
    items.push({ name: "overruns", label: "Meetings run over", value: `${c.overrunMeetings} of ${c.overrunObserved ?? "?"}` });
  }
  if (c.daysWithoutLunch) items.push({ name: "no-lunch", label: "Days without lunch", value: formatNumber(c.daysWithoutLunch), tone: "warn" });
  return items;
}

function weekdayChart(p: Patterns): ChartData {
  return {
    kind: "bar",
    x: "weekday",
    y: ["emails_per_day"],
    points: p.weekdays.map((w) => ({ weekday: w.label.slice(0, 3), emails_per_day: w.perDay ?? w.emails })),
  };
}

function hourChart(p: Patterns): ChartData {
  return {
    kind: "bar",
    x: "hour",
    y: ["emails"],
    points: p.hours.map((h) => ({ hour: `${h.key.padStart(2, "0")}:00`, emails: h.emails })),
  };
}
