# Build a static, CGO-free binary (SQLite is pure Go) ...
#
#   docker build --build-arg VERSION=v1.2.3 --build-arg REVISION=$(git rev-parse HEAD) -t outagebot .
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
# The context has no .git (see .dockerignore), so the toolchain cannot read
# the version or commit: they come in as build arguments, and without them
# `outagebot version` says "devel".
ARG VERSION=devel
ARG REVISION=
RUN CGO_ENABLED=0 go build -trimpath -buildvcs=false \
      -ldflags "-s -w -X github.com/outagebot/outagebot/app.Version=${VERSION} -X github.com/outagebot/outagebot/app.Revision=${REVISION}" \
      -o /out/outagebot ./cmd/outagebot \
 && mkdir -p /out/data

# ... and run it as the distroless nonroot user (uid and gid 65532): no
# shell, no package manager.
FROM gcr.io/distroless/static-debian12:nonroot
ARG VERSION=devel
ARG REVISION=
LABEL org.opencontainers.image.title="outagebot" \
      org.opencontainers.image.description="Posts vendor status-page outages and failing probes, from start to restoration, to Slack and Discord" \
      org.opencontainers.image.source="https://github.com/outagebot/outagebot" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}"
COPY --from=build /out/outagebot /usr/local/bin/outagebot
# The default configuration listens on 0.0.0.0:8080 and keeps its state in
# /data; mount your own over it.
COPY deploy/image/outagebot.toml /config/outagebot.toml
COPY --from=build --chown=65532:65532 /out/data /data
USER 65532:65532
# A relative state = "outagebot.db" also lands in the volume.
WORKDIR /data
VOLUME ["/data"]
EXPOSE 8080
# Exec form: the image has no shell. healthcheck asks /livez on the
# configuration's [bot] listen address, 2 s at most.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["/usr/local/bin/outagebot", "healthcheck", "--config", "/config/outagebot.toml"]
ENTRYPOINT ["/usr/local/bin/outagebot"]
CMD ["run", "--config", "/config/outagebot.toml"]
