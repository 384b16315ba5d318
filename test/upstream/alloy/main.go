// alloy-fmt does what `alloy fmt [-t] FILE` does, with Alloy's own syntax module
// (github.com/grafana/alloy/syntax v0.1.1). Alloy v1.18.1, the image, builds syntax/ from its own
// tree (a replace line); between the tags syntax/v0.1.1 and v1.18.1 only syntax/typecheck differs
// (git diff --stat syntax/v0.1.1 v1.18.1 -- syntax), and alloy-fmt uses none of it: parse
// (errors as Alloy's diagnostics), print in canonical form, and with -t only report whether the
// file already is. The full Alloy module cannot be a dependency (it carries ~25 replace lines).
// Test tooling only.
package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"

	"github.com/grafana/alloy/syntax/diag"
	"github.com/grafana/alloy/syntax/parser"
	"github.com/grafana/alloy/syntax/printer"
)

func main() {
	args := os.Args[1:]
	test := len(args) == 2 && args[0] == "-t"
	if test {
		args = args[1:]
	}
	if len(args) != 1 {
		fmt.Fprintln(os.Stderr, "usage: alloy-fmt [-t] FILE")
		os.Exit(2)
	}
	if err := format(args[0], test); err != nil {
		var diags diag.Diagnostics
		if errors.As(err, &diags) {
			for _, d := range diags {
				fmt.Fprintln(os.Stderr, d)
			}
		} else {
			fmt.Fprintln(os.Stderr, err)
		}
		os.Exit(1)
	}
}

func format(filename string, test bool) error {
	source, err := os.ReadFile(filename)
	if err != nil {
		return err
	}
	file, err := parser.ParseFile(filename, source)
	if err != nil {
		return err
	}
	var out bytes.Buffer
	if err := printer.Fprint(&out, file); err != nil {
		return err
	}
	out.WriteByte('\n')
	if test {
		if !bytes.Equal(source, out.Bytes()) {
			return fmt.Errorf("file %s is not formatted correctly", filename)
		}
		return nil
	}
	_, err = os.Stdout.Write(out.Bytes())
	return err
}
