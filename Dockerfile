# ChronosDB: `docker build -t chronos:latest .`, then `docker run ... chronos:latest node --id node1 ...`
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json tsconfig.json ./
COPY src ./src
COPY proto ./proto
COPY bin ./bin
# `npm ci` runs `prepare` (tsc) once the sources are in place.
RUN npm ci --no-audit --no-fund && npm prune --omit=dev

FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/bin ./bin
COPY --from=build /app/proto ./proto
VOLUME ["/data"]
# gRPC (SQL, Raft) on the --address port; admin HTTP on that port + 1000.
EXPOSE 8000 9000
ENTRYPOINT ["node", "/app/bin/chronos"]
CMD ["node", "--id", "node1", "--data-dir", "/data", "--address", "0.0.0.0:8000"]
