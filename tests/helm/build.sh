#!/usr/bin/env bash
# Build the Helm CLI the chart tests use from the Go module proxy into a cache
# outside the repository, keyed by the pinned version and the go.sum hash, so
# later runs reuse it. Prints the binary's path as the last line of stdout;
# progress goes to stderr. A cold build takes a few minutes on 2 cores.
set -euo pipefail
cd "$(dirname "$0")"

HELM_VERSION=$(awk '$1=="require" && $2=="helm.sh/helm/v3"{print $3; exit}' go.mod)
SUM_HASH=$(cat go.mod go.sum build.sh | sha256sum | cut -c1-12)
CACHE_ROOT=${FAILOVER_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/failover-operator}
OUT="$CACHE_ROOT/helm/helm-$HELM_VERSION-$SUM_HASH"

if [[ -x "$OUT/helm" ]]; then
  echo "helm: reusing cached binary in $OUT" >&2
  echo "$OUT/helm"
  exit 0
fi

mkdir -p "$OUT.tmp"
export CGO_ENABLED=0 GOFLAGS=-mod=mod
start=$SECONDS
echo "helm: building helm $HELM_VERSION ... (cold builds take minutes; progress every 30 s)" >&2
( while sleep 30; do echo "helm: still building ($((SECONDS - start)) s)" >&2; done ) &
ticker=$!
if ! go build -trimpath -ldflags "-s -w -X helm.sh/helm/v3/internal/version.version=$HELM_VERSION" \
    -o "$OUT.tmp/helm" helm.sh/helm/v3/cmd/helm; then
  kill "$ticker" 2>/dev/null; echo "helm: FAILED to build" >&2; exit 1
fi
kill "$ticker" 2>/dev/null || true
rm -rf "$OUT" && mv "$OUT.tmp" "$OUT"
echo "helm: built in $((SECONDS - start)) s, binary in $OUT" >&2
echo "$OUT/helm"
