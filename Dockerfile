# clicktrail: one static binary; the process to run is the command's first
# argument (`redirect`, `enrich`, `sink clickhouse`, `sink webhook`, `migrate`).
#
#   docker build -t clicktrail:latest .        (or: podman build / buildah bud / kaniko)
#
# deploy/README.md says how; `make deploy-check` lints this file (no daemon runs in CI).
FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
# static: no libc in the final image; /out/data becomes the image's /data
RUN CGO_ENABLED=0 go build -trimpath -ldflags='-s -w' -o /out/clicktrail ./cmd/clicktrail && \
    mkdir -p /out/data

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/clicktrail /clicktrail
# /data is the data dir of redirect nodes and of the webhook sink. It is the
# image user's, so a fresh named volume mounted there (compose, docker run -v)
# starts owned by that user, not by root. Kubernetes pods set fsGroup instead.
COPY --from=build --chown=nonroot:nonroot /out/data /data
USER nonroot:nonroot
ENTRYPOINT ["/clicktrail"]
