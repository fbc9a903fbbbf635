import type { NextConfig } from "next";

const config: NextConfig = {
  // The API token lives only on the server (lib/api); nothing here is exposed to the browser.
  poweredByHeader: false,
  reactStrictMode: true,
  // Lint and type checks run in `npm run build` before `next build` (package.json).
  typedRoutes: true,
};

export default config;
