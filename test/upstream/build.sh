#!/usr/bin/env bash
# Builds the upstream projects' own validators from the pinned Go modules beside this script into
# the git-ignored .tools/bin, where the tests look first (test/support/binaries.ts). Each tool is
# rebuilt only when its module files change (a stamp per tool); Go's build cache makes rebuilds
# fast. Prints each build's time. STACK_TOOLS_BIN puts them elsewhere (the tests read the same variable).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
bin="${STACK_TOOLS_BIN:-$here/../../.tools/bin}"
mkdir -p "$bin"
bin="$(cd "$bin" && pwd)"

command -v go >/dev/null || { echo "test/upstream/build.sh: Go is not installed (https://go.dev/dl/, 1.26.8+; an older 1.26 downloads it with GOTOOLCHAIN=auto)" >&2; exit 1; }

# go.sum is committed: never let a user-level GOFLAGS rewrite it or switch to vendoring.
export GOFLAGS=-mod=readonly

# The release each tool reports with --version (what upstream's release build stamps in), read
# from the module version its go.mod pins, so the two cannot disagree.
pinned() {   # from go.mod alone: works offline and before anything is downloaded
  local version
  version="$(sed -nE "s#^[[:space:]]*(require[[:space:]]+)?$2 (v[^ ]+).*#\\2#p" "$here/$1/go.mod" | head -1)"
  [ -n "$version" ] || { echo "test/upstream/build.sh: $1/go.mod does not require $2" >&2; exit 1; }
  echo "$version"
}
prometheus_module="$(pinned prometheus github.com/prometheus/prometheus)"   # v0.3XX.Y is release 3.XX.Y
prometheus_version="$(echo "$prometheus_module" | sed -nE 's/^v0\.3([0-9]{2})\.([0-9]+)$/3.\1.\2/p' | sed -E 's/^3\.0([0-9])/3.\1/')"
[ -n "$prometheus_version" ] || { echo "test/upstream/build.sh: $prometheus_module is not a Prometheus 3 module version (v0.3XX.Y)" >&2; exit 1; }
alertmanager_version="$(pinned alertmanager github.com/prometheus/alertmanager | sed 's/^v//')"
blackbox_version="$(pinned blackbox github.com/prometheus/blackbox_exporter | sed 's/^v//')"
kubeconform_version="$(pinned kubeconform github.com/yannh/kubeconform)"
sops_version="$(pinned sops github.com/getsops/sops/v3 | sed 's/^v//')"
kubernetes_version="$(pinned kubernetes k8s.io/kubernetes)"   # the site's Kubernetes release
kubernetes_minor="$(echo "$kubernetes_version" | cut -d. -f2)"
kube=k8s.io/component-base/version
common=github.com/prometheus/common/version

# module dir | package | binary name | -ldflags
tools=(
  "prometheus|github.com/prometheus/prometheus/cmd/promtool|promtool|-X $common.Version=$prometheus_version"
  "prometheus|github.com/prometheus/prometheus/cmd/prometheus|prometheus|-X $common.Version=$prometheus_version"
  "alertmanager|github.com/prometheus/alertmanager/cmd/amtool|amtool|-X $common.Version=$alertmanager_version"
  "blackbox|github.com/prometheus/blackbox_exporter|blackbox_exporter|-X $common.Version=$blackbox_version"
  "kubeconform|github.com/yannh/kubeconform/cmd/kubeconform|kubeconform|-X main.version=$kubeconform_version"
  "kubernetes|k8s.io/kubernetes/cmd/kube-apiserver|kube-apiserver|-X $kube.gitVersion=$kubernetes_version -X $kube.gitMajor=1 -X $kube.gitMinor=$kubernetes_minor -X $kube.gitTreeState=clean"
  "kubernetes|k8s.io/kubernetes/cmd/kubectl|kubectl|-X $kube.gitVersion=$kubernetes_version -X $kube.gitMajor=1 -X $kube.gitMinor=$kubernetes_minor -X $kube.gitTreeState=clean"
  "kubernetes|./etcd|etcd|"
  "talos|.|talos-check|"
  "alloy|.|alloy-fmt|"
  "loki|.|loki-check|"
  "sops|github.com/getsops/sops/v3/cmd/sops|sops|-X github.com/getsops/sops/v3/version.Version=$sops_version"
)

for entry in "${tools[@]}"; do
  IFS='|' read -r module package name ldflags <<<"$entry"
  stamp="$bin/.$name.stamp"
  want="$(cd "$here/$module" && cat go.mod go.sum $(find . -name '*.go' | sort) | sha256sum | cut -d' ' -f1) $(cd "$here/$module" && go env GOVERSION GOFLAGS CGO_ENABLED GOOS GOARCH | tr '\n' ' ') $package $ldflags"
  if [ -x "$bin/$name" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
    echo "upstream: $name up to date"
    continue
  fi
  start=$(date +%s)
  (cd "$here/$module" && go build -ldflags "$ldflags" -o "$bin/$name" "$package")
  echo "$want" >"$stamp"
  echo "upstream: built $name ($module/go.mod) in $(( $(date +%s) - start ))s"
done
