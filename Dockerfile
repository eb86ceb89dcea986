# Build a static, CGO-free binary (SQLite is pure Go) ...
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
RUN CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X github.com/outagebot/outagebot/app.Version=${VERSION}" -o /out/outagebot ./cmd/outagebot \
 && mkdir -p /out/state /out/config \
 && cp config.example.toml /out/config/outagebot.toml

# ... and run it as a non-root user on a distroless base.
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/outagebot /usr/local/bin/outagebot
COPY --from=build --chown=nonroot:nonroot /out/config /config
COPY --from=build --chown=nonroot:nonroot /out/state /state
USER nonroot:nonroot
WORKDIR /state
# /config holds outagebot.toml; /state holds the SQLite file (bot.state =
# "/state/outagebot.db"), so both survive a new image.
VOLUME ["/config", "/state"]
EXPOSE 8080
ENTRYPOINT ["/usr/local/bin/outagebot"]
CMD ["run", "--config", "/config/outagebot.toml"]
