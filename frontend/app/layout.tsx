import type { Metadata, Viewport } from "next";
import Link from "next/link";

import { NavLinks } from "@/components/shell/nav-links";
import { THEME_SCRIPT, ThemeToggle } from "@/components/shell/theme-toggle";

import "./globals.css";

export const metadata: Metadata = {
  title: { default: "Mini-Mindy", template: "%s · Mini-Mindy" },
  description: "Ask about your email statistics; watch the pipeline that computes them.",
};

export const viewport: Viewport = {
  width: "device-width",
  initialScale: 1,
  themeColor: [
    { media: "(prefers-color-scheme: light)", color: "#ffffff" },
    { media: "(prefers-color-scheme: dark)", color: "#161d27" },
  ],
};

export default function RootLayout({ children }: { children: React.ReactNode }) {
  return (
    // The theme script sets data-theme before React hydrates, so the attribute differs from the server's HTML.
    <html lang="en" suppressHydrationWarning>
      <head>
        <script dangerouslySetInnerHTML={{ __html: THEME_SCRIPT }} />
      </head>
      <body>
        <a className="skip-link" href="#main">
          Skip to content
        </a>
        <header className="app-header">
          <Link href="/chat" className="brand">
            <span className="brand-mark" aria-hidden="true">
              M
            </span>
            <span className="brand-name">Mini-Mindy</span>
          </Link>
          <NavLinks />
          <div className="header-end">
            <ThemeToggle />
          </div>
        </header>
        <main id="main">{children}</main>
      </body>
    </html>
  );
}
