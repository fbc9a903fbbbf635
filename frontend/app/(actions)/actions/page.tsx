import type { Metadata } from "next";
import { connection } from "next/server";

import { AuditPanel, ProposalsPanel, RemindersPanel, TasksPanel } from "@/components/actions/actions-lists";
import styles from "@/components/dashboard/dashboard.module.css";
import { getAudit, getReminders, getTasks, listProposals } from "@/lib/api/client";

export const metadata: Metadata = { title: "Actions" };

/** How many of each the page lists. */
const SHOWN = 20;

/** What the assistant proposed and did: proposals, the audit, tasks and reminders (issue 19). */
export default async function ActionsPage() {
  // Live data: render per request, never at build time.
  await connection();
  const [proposals, audit, tasks, reminders] = await Promise.all([
    listProposals(SHOWN),
    getAudit(SHOWN * 2),
    getTasks(SHOWN),
    getReminders(SHOWN),
  ]);
  return (
    <div className={styles.dashboard}>
      <div className={styles.heading}>
        <h1>Actions</h1>
        <p className="muted">Nothing here ran without your confirmation.</p>
      </div>
      <div className={styles.grid}>
        <ProposalsPanel proposals={proposals} />
        <TasksPanel tasks={tasks} />
        <RemindersPanel reminders={reminders} />
        <AuditPanel audit={audit} />
      </div>
    </div>
  );
}
