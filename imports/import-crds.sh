#!/bin/sh
# Regenerates the L1 classes in imports/ from the CRDs in ../shared/schemas/crds, offline.
# The generated .ts files are committed; the CRD YAML is not (it stays in ../shared).
# Usage (from the project root): sh imports/import-crds.sh   [SHARED_DIR=/path/to/shared]
set -eu
CRDS="${SHARED_DIR:-../shared}/schemas/crds"
import() {
  npx cdk8s import --no-check-upgrade --save=false --language typescript --output imports "$1:=$CRDS/$2"
}
import argocd argo-cd/application-crd.yaml
import argocd-project argo-cd/appproject-crd.yaml
import flux-kustomize flux/kustomize.toolkit.fluxcd.io_kustomizations.yaml
import flux-source-git flux/source.toolkit.fluxcd.io_gitrepositories.yaml
import flux-source-helm flux/source.toolkit.fluxcd.io_helmrepositories.yaml
import flux-source-oci flux/source.toolkit.fluxcd.io_ocirepositories.yaml
import flux-helm flux/helm.toolkit.fluxcd.io_helmreleases.yaml
import metallb-pool metallb/metallb.io_ipaddresspools.yaml
import metallb-l2 metallb/metallb.io_l2advertisements.yaml
import velero-schedule velero/velero.io_schedules.yaml
