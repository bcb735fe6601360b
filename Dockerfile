# One image definition for every Kuroshio service: `docker build --build-arg SERVICE=collector .`
# NODE_VERSION must equal .nvmrc (a unit test keeps them together).
ARG NODE_VERSION=24.21.0

FROM node:${NODE_VERSION}-bookworm-slim AS build
WORKDIR /src
COPY package.json package-lock.json .npmrc ./
COPY libs libs
COPY services services
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build && npm prune --omit=dev

FROM node:${NODE_VERSION}-bookworm-slim
ARG SERVICE
ENV NODE_ENV=production SERVICE=${SERVICE}
WORKDIR /app
COPY --from=build /src/package.json ./
COPY --from=build /src/node_modules node_modules
COPY --from=build /src/proto proto
COPY --from=build /src/infra/clickhouse/migrations infra/clickhouse/migrations
COPY --from=build /src/libs libs
COPY --from=build /src/services/${SERVICE} services/${SERVICE}
USER node
CMD ["sh", "-c", "exec node services/${SERVICE}/dist/main.js"]
