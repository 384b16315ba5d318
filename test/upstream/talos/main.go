// talos-check runs Talos' own machinery (github.com/siderolabs/talos/pkg/machinery, pinned in
// go.mod to the site's Talos release) over what the synthesizer writes. Test tooling only.
//
//	talos-check validate <mode> <file>...   configloader + Validate(mode, WithLocal, WithStrict), as `talosctl validate --strict`
//	talos-check secrets <file>              secrets.LoadBundle + Validate
//	talos-check generate [--worker] <secrets> <cluster-name> <endpoint> <kubernetes-version> <talos-version> <install-disk> <install-image> [patch-file...]
//	                                        what `talosctl gen config --with-secrets … --config-patch @patch` writes for a control plane
//	                                        (controlplane.yaml), or with --worker for a worker (worker.yaml)
package main

import (
	"fmt"
	"os"

	"github.com/siderolabs/talos/pkg/machinery/config"
	"github.com/siderolabs/talos/pkg/machinery/config/bundle"
	"github.com/siderolabs/talos/pkg/machinery/config/configloader"
	"github.com/siderolabs/talos/pkg/machinery/config/configpatcher"
	"github.com/siderolabs/talos/pkg/machinery/config/encoder"
	"github.com/siderolabs/talos/pkg/machinery/config/generate"
	"github.com/siderolabs/talos/pkg/machinery/config/generate/secrets"
	"github.com/siderolabs/talos/pkg/machinery/config/machine"
	"github.com/siderolabs/talos/pkg/machinery/config/validation"
)

// runtimeMode mirrors Talos' internal runtime.Mode (internal/app/machined/pkg/runtime/mode.go),
// which machinery cannot import: only metal requires an install, only container runs in one.
type runtimeMode string

func (m runtimeMode) String() string        { return string(m) }
func (m runtimeMode) RequiresInstall() bool { return m == "metal" }
func (m runtimeMode) InContainer() bool     { return m == "container" }

func main() {
	if len(os.Args) < 2 {
		fail("usage: talos-check validate|secrets|generate …")
	}
	var err error
	switch os.Args[1] {
	case "validate":
		err = validate(os.Args[2:])
	case "secrets":
		err = checkSecrets(os.Args[2:])
	case "generate":
		err = generateConfig(os.Args[2:])
	default:
		err = fmt.Errorf("unknown command %q", os.Args[1])
	}
	if err != nil {
		fail(err.Error())
	}
}

func fail(msg string) {
	fmt.Fprintln(os.Stderr, msg)
	os.Exit(1)
}

func validate(args []string) error {
	if len(args) < 2 {
		return fmt.Errorf("usage: talos-check validate <metal|cloud|container> <file>...")
	}
	mode := runtimeMode(args[0])
	if mode != "metal" && mode != "cloud" && mode != "container" {
		return fmt.Errorf("unknown mode %q", args[0])
	}
	failed := false
	for _, file := range args[1:] {
		cfg, err := configloader.NewFromFile(file)
		if err != nil {
			fmt.Printf("%s: load: %v\n", file, err)
			failed = true
			continue
		}
		warnings, err := cfg.Validate(mode, validation.WithLocal(), validation.WithStrict())
		for _, w := range warnings {
			fmt.Printf("%s: warning: %s\n", file, w)
		}
		if err != nil {
			fmt.Printf("%s: invalid for %s mode: %v\n", file, mode, err)
			failed = true
			continue
		}
		fmt.Printf("%s is valid for %s mode\n", file, mode)
	}
	if failed {
		return fmt.Errorf("validation failed")
	}
	return nil
}

func checkSecrets(args []string) error {
	if len(args) != 1 {
		return fmt.Errorf("usage: talos-check secrets <file>")
	}
	b, err := secrets.LoadBundle(args[0])
	if err != nil {
		return fmt.Errorf("%s: load: %w", args[0], err)
	}
	if err := b.Validate(); err != nil {
		return fmt.Errorf("%s: invalid: %w", args[0], err)
	}
	fmt.Printf("%s is a valid secrets bundle\n", args[0])
	return nil
}

func generateConfig(args []string) error {
	machineType := machine.TypeControlPlane
	if len(args) > 0 && args[0] == "--worker" {
		machineType = machine.TypeWorker
		args = args[1:]
	}
	if len(args) < 7 {
		return fmt.Errorf("usage: talos-check generate [--worker] <secrets> <cluster-name> <endpoint> <kubernetes-version> <talos-version> <install-disk> <install-image> [patch-file...]")
	}
	secretsBundle, err := secrets.LoadBundle(args[0])
	if err != nil {
		return err
	}
	contract, err := config.ParseContractFromVersion(args[4])
	if err != nil {
		return err
	}
	var patches []configpatcher.Patch
	for _, file := range args[7:] {
		patch, err := configpatcher.LoadPatches([]string{"@" + file})
		if err != nil {
			return fmt.Errorf("%s: %w", file, err)
		}
		patches = append(patches, patch...)
	}
	// The same calls as talosctl gen config (cmd/talosctl/cmd/mgmt/gen/config.go).
	b, err := bundle.NewBundle(
		bundle.WithInputOptions(&bundle.InputOptions{
			ClusterName: args[1],
			Endpoint:    args[2],
			KubeVersion: args[3],
			GenOptions: []generate.Option{
				generate.WithVersionContract(contract),
				generate.WithSecretsBundle(secretsBundle),
				generate.WithInstallDisk(args[5]),
				generate.WithInstallImage(args[6]),
			},
		}),
		bundle.WithPatch(patches),
		bundle.WithVerbose(false),
	)
	if err != nil {
		return err
	}
	out, err := b.Serialize(encoder.CommentsDisabled, machineType)
	if err != nil {
		return err
	}
	_, err = os.Stdout.Write(out)
	return err
}
