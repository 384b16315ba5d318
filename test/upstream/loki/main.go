// loki-check: the checks the tests need from Loki's own code (github.com/grafana/loki/v3 at the
// release the stack runs), and from the syslog parser Alloy's gateway uses.
//
//	loki-check rules FILE...
//	    Loads each Loki ruler rules file the way Loki's ruler does (yaml.v3 with unknown fields
//	    refused into Prometheus' rulefmt types) and checks every rule as the ruler's validation
//	    does: one of alert/record, expr parsed by Loki's LogQL parser, names, templates. Beyond
//	    that, every expr must be a sample (metric) expression: the ruler evaluates nothing else.
//	    Exit 1 with one line per problem.
//
//	loki-check pipeline EXPR
//	    Reads JSON lines {"labels": "{job=\"syslog\"}", "line": "..."} from stdin and writes, per
//	    input, {"stream": bool, "matches": bool, "error": "...", "labels": "..."}: whether the
//	    stream selector of EXPR selects the stream, whether the line passes EXPR's log pipeline
//	    (line filters, parsers, label filters), the __error__ label the pipeline left, and the
//	    labels after it. A metric query over a line that keeps an __error__ label fails, so
//	    "error" matters even when "matches" is true.
//
//	loki-check syslog-rfc3164 [MAX_MESSAGE_LENGTH]
//	    Parses stdin as one UDP datagram the way Alloy's loki.source.syslog does for an
//	    rfc3164 listener (the datagram cut at the listener's max_message_length, default 8192,
//	    then go-syslog's non-transparent RFC 3164 parser, best effort) and writes
//	    {"ok": bool, "error": "...", "hostname", "appname", "severity", "facility", "message"}.
package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/grafana/loki/v3/pkg/logql/syntax"
	"github.com/grafana/loki/v3/pkg/logqlmodel"
	"github.com/leodido/go-syslog/v4"
	"github.com/leodido/go-syslog/v4/nontransparent"
	"github.com/leodido/go-syslog/v4/rfc3164"
	"github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/model/rulefmt"
	"github.com/prometheus/prometheus/promql"
	"github.com/prometheus/prometheus/template"
	"go.yaml.in/yaml/v3"
)

func main() {
	if len(os.Args) < 2 {
		usage()
	}
	var err error
	switch os.Args[1] {
	case "rules":
		if len(os.Args) < 3 {
			usage()
		}
		err = checkRuleFiles(os.Args[2:])
	case "pipeline":
		if len(os.Args) != 3 {
			usage()
		}
		err = runPipeline(os.Args[2], os.Stdin, os.Stdout)
	case "syslog-rfc3164":
		maxLength := alloyDefaultMaxMessageLength
		if len(os.Args) == 3 {
			if maxLength, err = strconv.Atoi(os.Args[2]); err != nil || maxLength <= 0 {
				usage()
			}
		}
		err = parseDatagram(os.Stdin, os.Stdout, maxLength)
	default:
		usage()
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: loki-check rules FILE... | pipeline EXPR < lines.jsonl | syslog-rfc3164 < datagram")
	os.Exit(2)
}

// checkRuleFiles reports every problem of every file, not only the first.
func checkRuleFiles(files []string) error {
	var problems []string
	for _, file := range files {
		content, err := os.ReadFile(file)
		if err != nil {
			return err
		}
		for _, p := range checkRules(content) {
			problems = append(problems, fmt.Sprintf("%s: %v", file, p))
		}
	}
	if len(problems) > 0 {
		return errors.New(strings.Join(problems, "\n"))
	}
	fmt.Printf("SUCCESS: %d rule file(s) valid\n", len(files))
	return nil
}

func checkRules(content []byte) []error {
	var groups rulefmt.RuleGroups
	decoder := yaml.NewDecoder(bytes.NewReader(content))
	decoder.KnownFields(true)
	if err := decoder.Decode(&groups); err != nil {
		return []error{err}
	}
	if len(groups.Groups) == 0 {
		return []error{errors.New("no rule groups")}
	}
	var errs []error
	seen := map[string]bool{}
	for i, g := range groups.Groups {
		if g.Name == "" {
			errs = append(errs, fmt.Errorf("group %d: empty name", i))
		}
		if seen[g.Name] {
			errs = append(errs, fmt.Errorf("group %q: name repeated in the file", g.Name))
		}
		seen[g.Name] = true
		if len(g.Rules) == 0 {
			errs = append(errs, fmt.Errorf("group %q: no rules", g.Name))
		}
		for _, r := range g.Rules {
			for _, err := range checkRule(r) {
				errs = append(errs, fmt.Errorf("group %q, rule %q: %w", g.Name, r.Alert+r.Record, err))
			}
		}
	}
	return errs
}

func checkRule(r rulefmt.Rule) []error {
	var errs []error
	if (r.Alert == "") == (r.Record == "") {
		errs = append(errs, errors.New("exactly one of 'alert' and 'record' must be set"))
	}
	if r.Expr == "" {
		errs = append(errs, errors.New("'expr' is empty"))
	} else if expr, err := syntax.ParseExpr(r.Expr); err != nil {
		errs = append(errs, fmt.Errorf("expr does not parse: %w", err))
	} else if _, ok := expr.(syntax.SampleExpr); !ok {
		errs = append(errs, fmt.Errorf("expr is a log query, not a metric query: %s", r.Expr))
	}
	if r.Record != "" {
		if !model.LegacyValidation.IsValidMetricName(r.Record) {
			errs = append(errs, fmt.Errorf("invalid recording rule name %q", r.Record))
		}
		if len(r.Annotations) > 0 || r.For != 0 {
			errs = append(errs, errors.New("a recording rule has no 'annotations' or 'for'"))
		}
	}
	for k, v := range r.Labels {
		if !model.LegacyValidation.IsValidLabelName(k) || k == model.MetricNameLabel {
			errs = append(errs, fmt.Errorf("invalid label name %q", k))
		}
		if !model.LabelValue(v).IsValid() {
			errs = append(errs, fmt.Errorf("invalid label value %q", v))
		}
	}
	for k := range r.Annotations {
		if !model.LegacyValidation.IsValidLabelName(k) {
			errs = append(errs, fmt.Errorf("invalid annotation name %q", k))
		}
	}
	if r.Alert != "" {
		for what, texts := range map[string]map[string]string{"label": r.Labels, "annotation": r.Annotations} {
			for k, text := range texts {
				if err := parseAlertTemplate(r.Alert, text); err != nil {
					errs = append(errs, fmt.Errorf("%s %q: %w", what, k, err))
				}
			}
		}
	}
	return errs
}

// parseAlertTemplate parses a label or annotation template with the variables the ruler defines.
func parseAlertTemplate(alert, text string) error {
	defs := "{{$labels := .Labels}}{{$externalLabels := .ExternalLabels}}{{$value := .Value}}"
	data := template.AlertTemplateData(map[string]string{}, map[string]string{}, "", promql.Sample{})
	expander := template.NewTemplateExpander(context.Background(), defs+text, "__alert_"+alert, data, model.Time(time.Now().UnixMilli()), nil, nil, nil)
	return expander.ParseTest()
}

type sampleLine struct {
	Labels string `json:"labels"`
	Line   string `json:"line"`
}

type lineVerdict struct {
	Stream  bool   `json:"stream"`
	Matches bool   `json:"matches"`
	Error   string `json:"error"`
	Labels  string `json:"labels"`
}

func runPipeline(query string, in io.Reader, out io.Writer) error {
	expr, err := syntax.ParseExpr(query)
	if err != nil {
		return fmt.Errorf("expr does not parse: %w", err)
	}
	var selector syntax.LogSelectorExpr
	switch e := expr.(type) {
	case syntax.SampleExpr:
		if selector, err = e.Selector(); err != nil {
			return err
		}
	case syntax.LogSelectorExpr:
		selector = e
	default:
		return fmt.Errorf("unsupported expression type %T", expr)
	}
	pipeline, err := selector.Pipeline()
	if err != nil {
		return err
	}
	scanner := bufio.NewScanner(in)
	scanner.Buffer(make([]byte, 0, 1<<20), 1<<20)
	encoder := json.NewEncoder(out)
	for scanner.Scan() {
		if len(bytes.TrimSpace(scanner.Bytes())) == 0 {
			continue
		}
		var sample sampleLine
		if err := json.Unmarshal(scanner.Bytes(), &sample); err != nil {
			return fmt.Errorf("input line %q: %w", scanner.Text(), err)
		}
		stream, err := syntax.ParseLabels(sample.Labels)
		if err != nil {
			return fmt.Errorf("labels %q: %w", sample.Labels, err)
		}
		verdict := lineVerdict{Stream: true}
		for _, m := range selector.Matchers() {
			if !m.Matches(stream.Get(m.Name)) {
				verdict.Stream = false
			}
		}
		if verdict.Stream {
			_, result, ok := pipeline.ForStream(stream).ProcessString(time.Now().UnixNano(), sample.Line, labels.EmptyLabels())
			verdict.Matches = ok
			if result != nil {
				verdict.Labels = result.Labels().String()
				verdict.Error = result.Labels().Get(logqlmodel.ErrorLabel)
			}
		}
		if err := encoder.Encode(verdict); err != nil {
			return err
		}
	}
	return scanner.Err()
}

type datagramVerdict struct {
	OK       bool   `json:"ok"`
	Error    string `json:"error,omitempty"`
	Hostname string `json:"hostname,omitempty"`
	Appname  string `json:"appname,omitempty"`
	Severity string `json:"severity,omitempty"`
	Facility string `json:"facility,omitempty"`
	Message  string `json:"message,omitempty"`
}

// alloyDefaultMaxMessageLength is Alloy v1.18's DefaultMaxMessageLength (syslogtarget.go): the
// UDP read buffer, so a longer datagram loses its tail before parsing.
const alloyDefaultMaxMessageLength = 8192

// parseDatagram mirrors Alloy v1.18's UDP path for syslog_format "rfc3164": the datagram is
// read whole and handed to the non-transparent (newline-framed) RFC 3164 parser, best effort.
func parseDatagram(in io.Reader, out io.Writer, maxLength int) error {
	data, err := io.ReadAll(in)
	if err != nil {
		return err
	}
	if len(data) > maxLength {
		data = data[:maxLength]
	}
	var verdicts []datagramVerdict
	listener := func(res *syslog.Result) {
		v := datagramVerdict{}
		if res.Error != nil {
			v.Error = res.Error.Error()
		}
		if msg, ok := res.Message.(*rfc3164.SyslogMessage); ok && msg != nil {
			v.OK = res.Error == nil && msg.Message != nil
			v.Hostname = deref(msg.Hostname)
			v.Appname = deref(msg.Appname)
			v.Severity = deref(msg.SeverityLevel())
			v.Facility = deref(msg.FacilityLevel())
			v.Message = deref(msg.Message)
		}
		verdicts = append(verdicts, v)
	}
	parser := nontransparent.NewParserRFC3164(syslog.WithListener(listener), syslog.WithMaxMessageLength(maxLength), syslog.WithBestEffort())
	parser.Parse(bytes.NewReader(data))
	if len(verdicts) != 1 {
		return fmt.Errorf("expected one syslog message in the datagram, parsed %d", len(verdicts))
	}
	return json.NewEncoder(out).Encode(verdicts[0])
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
