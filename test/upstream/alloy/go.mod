module monitoring-stack/test/upstream/alloy

go 1.26.8

require github.com/grafana/alloy/syntax v0.1.1

require (
	github.com/fatih/color v1.19.0 // indirect
	github.com/mattn/go-colorable v0.1.15 // indirect
	github.com/mattn/go-isatty v0.0.22 // indirect
	golang.org/x/sys v0.46.0 // indirect
)
