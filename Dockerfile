# syntax=docker/dockerfile:1
#
# lookout's container image: one static binary in an otherwise empty image, run as an
# unprivileged user. The default command serves MCP on stdio, which is what the Docker MCP
# Gateway, Claude Desktop (`docker run -i --rm ...`) and other stdio clients start.
#
#   docker build -t lookout .
#   docker run -i --rm -e THRUK_BASE_URL=https://mon.example.com/thruk -e THRUK_API_KEY lookout
#   docker run --rm -p 8001:8001 -e MCP_HTTP_TOKEN -e THRUK_BASE_URL -e THRUK_API_KEY \
#     lookout --listen 0.0.0.0:8001
#
# Pick the backend with `--backend oneuptime` / `--backend maintenant` (or LOOKOUT_BACKEND).

ARG RUST_VERSION=1.95

# --- build: the static release binary and the few files an empty image needs, made by
# scripts/image-root.sh exactly as CI makes them
FROM rust:${RUST_VERSION}-bookworm AS build
WORKDIR /src
COPY Cargo.toml Cargo.lock ./
COPY src ./src
COPY catalog ./catalog
COPY fixtures ./fixtures
COPY scripts/image-root.sh ./scripts/
RUN bash scripts/image-root.sh /out

# --- runtime: the binary and those few files, nothing else
FROM scratch AS runtime
ARG VERSION=0.1.0
ARG REVISION=unknown
LABEL org.opencontainers.image.title="lookout" \
      org.opencontainers.image.description="A stateless MCP gateway for monitoring REST APIs (Thruk, OneUptime, maintenant)" \
      org.opencontainers.image.licenses="MIT" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.source="https://github.com/lookout-mcp/lookout" \
      org.opencontainers.image.documentation="https://github.com/lookout-mcp/lookout#readme"
COPY --from=build /out/etc/ /etc/
COPY --from=build /out/lookout /usr/local/bin/lookout
ENV PATH=/usr/local/bin \
    SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt
USER 65532:65532
# HTTP mode (--listen 0.0.0.0:8001); stdio needs no port.
EXPOSE 8001
ENTRYPOINT ["lookout"]
CMD []
