# clicktrail: one static binary; the process to run is the command's first argument.
FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags='-s -w' -o /out/clicktrail ./cmd/clicktrail

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/clicktrail /clicktrail
USER nonroot
ENTRYPOINT ["/clicktrail"]
