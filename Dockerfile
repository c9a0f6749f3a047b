# ChronosDB image: `docker build -t chronos:latest .`, then, as the guide runs it,
#   docker run -d -p 8000:8000 -p 9000:9000 -v /var/lib/chronos:/data chronos:latest \
#     node --id node1 --data-dir /data --address 0.0.0.0:8000
# The container runs as the unprivileged user `chronos` (uid/gid 10001), which owns /data. A host
# directory bind-mounted on /data must be writable by that uid: `sudo chown -R 10001:10001 DIR`.

# Build stage: dev dependencies (TypeScript) compile src/ to dist/, then are pruned away.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json tsconfig.json ./
COPY src ./src
COPY proto ./proto
COPY bin ./bin
# `npm ci` runs `prepare` (tsc) once the sources are in place.
RUN npm ci --no-audit --no-fund && npm prune --omit=dev --no-audit --no-fund

# Run stage: production dependencies and the compiled code only.
FROM node:20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/bin ./bin
COPY --from=build /app/proto ./proto
RUN groupadd --system --gid 10001 chronos \
 && useradd --system --uid 10001 --gid chronos --home-dir /data --shell /usr/sbin/nologin chronos \
 && mkdir -p /data \
 && chown chronos:chronos /data \
 && ln -s /app/bin/chronos /usr/local/bin/chronos
USER chronos
VOLUME ["/data"]
# gRPC (SQL, Raft) on the --address port; admin HTTP on that port + 1000.
EXPOSE 8000 9000
# /health of a node started with --address ...:8000; set CHRONOS_ADMIN_PORT for another port.
HEALTHCHECK --interval=15s --timeout=5s --start-period=20s --retries=3 \
  CMD chronos admin status --http "127.0.0.1:${CHRONOS_ADMIN_PORT:-9000}" > /dev/null || exit 1
ENTRYPOINT ["chronos"]
CMD ["node", "--id", "node1", "--data-dir", "/data", "--address", "0.0.0.0:8000"]
