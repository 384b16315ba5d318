#!/usr/bin/env bash
# Builds the upstream projects' own validators from the pinned Go modules beside this script into
# the git-ignored .tools/bin, where the tests look first (test/support/binaries.ts). Each tool is
# rebuilt only when its module files change (a stamp per tool); Go's build cache makes rebuilds
# fast. Prints each build's time.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
bin="${TOOLS_BIN:-$here/../../.tools/bin}"
mkdir -p "$bin"
bin="$(cd "$bin" && pwd)"

command -v go >/dev/null || { echo "test/upstream/build.sh: Go is not installed (https://go.dev/dl/, 1.26+)" >&2; exit 1; }

# The release each tool reports with --version (what upstream's release build stamps in).
prometheus_version=3.14.0    # module github.com/prometheus/prometheus v0.314.0
alertmanager_version=0.34.0
blackbox_version=0.28.0
kubeconform_version=v0.7.0
common=github.com/prometheus/common/version

# module dir | package | binary name | -ldflags
tools=(
  "prometheus|github.com/prometheus/prometheus/cmd/promtool|promtool|-X $common.Version=$prometheus_version"
  "prometheus|github.com/prometheus/prometheus/cmd/prometheus|prometheus|-X $common.Version=$prometheus_version"
  "alertmanager|github.com/prometheus/alertmanager/cmd/amtool|amtool|-X $common.Version=$alertmanager_version"
  "blackbox|github.com/prometheus/blackbox_exporter|blackbox_exporter|-X $common.Version=$blackbox_version"
  "kubeconform|github.com/yannh/kubeconform/cmd/kubeconform|kubeconform|-X main.version=$kubeconform_version"
  "talos|.|talos-check|"
  "alloy|.|alloy-fmt|"
)

for entry in "${tools[@]}"; do
  IFS='|' read -r module package name ldflags <<<"$entry"
  stamp="$bin/.$name.stamp"
  want="$(cd "$here/$module" && cat go.mod go.sum $(ls *.go 2>/dev/null) | sha256sum | cut -d' ' -f1) $(go env GOVERSION) $ldflags"
  if [ -x "$bin/$name" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
    echo "upstream: $name up to date"
    continue
  fi
  start=$(date +%s)
  (cd "$here/$module" && go build -ldflags "$ldflags" -o "$bin/$name" "$package")
  echo "$want" >"$stamp"
  echo "upstream: built $name ($module/go.mod) in $(( $(date +%s) - start ))s"
done
