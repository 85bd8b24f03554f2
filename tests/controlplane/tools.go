//go:build tools

// Package controlplane pins the real Kubernetes and etcd binaries the test bed
// builds from the Go module proxy. The blank imports keep `go mod tidy` from
// dropping them; the file is never compiled (build tag "tools").
package controlplane

import (
	_ "go.etcd.io/etcd/server/v3"
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
	_ "k8s.io/kubernetes/cmd/kubectl"
)
