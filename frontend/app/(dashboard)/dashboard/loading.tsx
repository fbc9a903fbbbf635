import styles from "@/components/dashboard/dashboard.module.css";

/** Shown while the server asks the API (each call has its own time limit, MINDY_API_TIMEOUT_MS). */
export default function Loading() {
  return (
    <div className={styles.dashboard} aria-busy="true">
      <div className={styles.heading}>
        <h1>Pipeline dashboard</h1>
      </div>
      <p className="muted" role="status">
        Asking the API for the pipeline&apos;s state…
      </p>
    </div>
  );
}
