//go:build tools

// Package helmtool pins the Helm CLI the chart tests use (`helm lint`,
// `helm template`), built from the Go module proxy like the control plane.
// The blank import keeps `go mod tidy` from dropping it; the file is never
// compiled (build tag "tools").
package helmtool

import _ "helm.sh/helm/v3/cmd/helm"
