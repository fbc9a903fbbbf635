"use client";

import dynamic from "next/dynamic";

import styles from "../chat.module.css";

// The chart library is the page's largest dependency: load it only when an answer has a chart.
export const LazyChart = dynamic(() => import("../result-chart").then((m) => m.ResultChart), {
  ssr: false,
  loading: () => <div className={styles.chartPlaceholder} aria-hidden="true" />,
});
