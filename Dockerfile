# syntax=docker/dockerfile:1
# One image definition for every Kuroshio service:
#   docker build --build-arg SERVICE=collector -t kuroshio/collector:0.1.0 .
# SERVICE is one of collector, etl, feature-store, trainer, model-registry, inference, experiment.
# NODE_VERSION must equal .nvmrc (libs/testing/src/runtime-version.spec.ts keeps them together).
ARG NODE_VERSION=24.21.0

FROM node:${NODE_VERSION}-bookworm-slim AS build
ARG SERVICE
RUN case "${SERVICE}" in \
      collector|etl|feature-store|trainer|model-registry|inference|experiment) ;; \
      *) echo "build with --build-arg SERVICE=<collector|etl|feature-store|trainer|model-registry|inference|experiment>, got '${SERVICE}'" >&2; exit 1 ;; \
    esac
ENV NX_DAEMON=false NX_NO_CLOUD=true NX_TUI=false
WORKDIR /src
# Workspace manifests and sources first: npm ci links the workspaces, so it needs their package.json.
COPY package.json package-lock.json .npmrc ./
COPY libs libs
COPY services services
RUN --mount=type=cache,target=/root/.npm npm ci --no-audit --no-fund
COPY . .
# Generated contracts, then the service and the libraries it depends on (the Nx build target
# runs `tsc -b` on the project, which builds its referenced libraries first).
RUN npm run codegen && npx nx run "${SERVICE}:build" --output-style=stream \
 && npm prune --omit=dev --no-audit --no-fund

FROM node:${NODE_VERSION}-bookworm-slim
ARG SERVICE
ARG VERSION=0.0.0-dev
# The commit built (e.g. `--build-arg REVISION=$(git rev-parse HEAD)`); the trainer records it as the
# lineage code_version of the models it trains (TRAINER_CODE_VERSION; empty: its package version).
ARG REVISION=""
LABEL org.opencontainers.image.title="kuroshio-${SERVICE}" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.licenses="Apache-2.0"
# In a container the service must be reachable from outside it: bind all interfaces (the services
# bind loopback by default, which suits a developer machine).
ENV NODE_ENV=production SERVICE=${SERVICE} HTTP_HOST=0.0.0.0 GRPC_HOST=0.0.0.0 \
    TRAINER_CODE_VERSION=${REVISION}
WORKDIR /app
# Runtime files only: production node_modules (workspace links into libs/), the built libraries,
# the .proto files the gRPC loader reads, the ClickHouse migrations and the one service.
COPY --from=build --chown=root:root /src/package.json ./
COPY --from=build --chown=root:root /src/node_modules node_modules
COPY --from=build --chown=root:root /src/proto proto
COPY --from=build --chown=root:root /src/infra/clickhouse/migrations infra/clickhouse/migrations
COPY --from=build --chown=root:root /src/libs libs
COPY --from=build --chown=root:root /src/services/${SERVICE} services/${SERVICE}
# Files stay owned by root and read-only to the process; it runs as the image's unprivileged `node`
# user by number, so Kubernetes' runAsNonRoot can verify it. Only /tmp is written (an emptyDir
# in the Helm chart, whose pods run with a read-only root filesystem).
USER 1000:1000
WORKDIR /app/services/${SERVICE}
# node is PID 1 and handles SIGTERM itself (drain, then exit): no shell in between.
CMD ["node", "dist/main.js"]
