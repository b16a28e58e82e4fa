# syntax=docker/dockerfile:1
# Build stage: full dependencies to compile TypeScript.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
# The build also copies the kiosk page's face model (weights, face-api, tfjs wasm) from node_modules
# into public/kiosk/vendor/: dev dependencies, needed here only.
COPY public ./public
RUN npm run build

# Runtime stage: production dependencies only, compiled JS, non-root user.
FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000
WORKDIR /app
# The backup and the restore drill (dist/cli/backup.js, drill-restore.js) run mariadb-dump and mariadb:
# Debian 12's mariadb-client is 10.11.x (10.11.8 and later have --binary-mode --sandbox, which the restore
# insists on, platform/backup/tools.ts) and speaks TLS with server-certificate verification to RDS MySQL 8.
RUN apt-get update \
 && apt-get install -y --no-install-recommends mariadb-client \
 && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --omit=dev && npm cache clean --force
# dist/main.js is the server; dist/cli/*.js the commands run as one-off tasks (src/cli/command.ts).
COPY --from=build /app/dist ./dist
COPY migrations ./migrations
COPY views ./views
COPY --from=build /app/public ./public
# node's image ships an unprivileged "node" user; the root filesystem is mounted read-only in ECS.
USER node
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
CMD ["node", "dist/main.js"]
