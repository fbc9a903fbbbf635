# syntax=docker/dockerfile:1
# The Next.js frontend on :3000 (`npm ci && npm run build && npm start`).
#
#   docker build -f docker/frontend.Dockerfile -t mini-mindy/frontend .   # context = the repository root

ARG NODE_VERSION=20

FROM node:${NODE_VERSION}-bookworm-slim AS deps
WORKDIR /app
COPY frontend/package.json frontend/package-lock.json ./
RUN --mount=type=cache,id=mini-mindy-npm,target=/root/.npm npm ci

FROM deps AS build
ENV NEXT_TELEMETRY_DISABLED=1
COPY frontend/ ./
# `public/` is optional in a Next.js app; make sure it exists for the copy below.
RUN npm run build && mkdir -p public

FROM node:${NODE_VERSION}-bookworm-slim AS runtime
WORKDIR /app
ENV NODE_ENV=production \
    NEXT_TELEMETRY_DISABLED=1 \
    PORT=3000 \
    HOSTNAME=0.0.0.0
# The built app with its node_modules as `npm ci` made them: `next start` may need dev dependencies
# (a TypeScript next.config), and this stays correct until the app opts into `output: "standalone"`.
COPY --from=build --chown=node:node /app ./
USER node
EXPOSE 3000
CMD ["npm", "start"]
