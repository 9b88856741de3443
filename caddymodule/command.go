package caddymodule

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"mime"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/caddyserver/caddy/v2"
	caddycmd "github.com/caddyserver/caddy/v2/cmd"
	"github.com/caddyserver/caddy/v2/modules/caddyhttp"
	"github.com/spf13/cobra"
	"go.uber.org/zap"

	"github.com/caddy-pia/caddy-pia/internal/pia"
	"github.com/caddy-pia/caddy-pia/internal/pia/importer"
	"github.com/caddy-pia/caddy-pia/transform"
)

func init() {
	caddycmd.RegisterCommand(caddycmd.Command{
		Name:  "pia",
		Usage: "<import|check|validate|versions|methods|schema|diff>",
		Short: "Imports, checks and shows the PIA versions the pia gateway knows",
		Long: `
The PIA versions the pia gateway knows, their schemas and the rules between
them, without running a server:

  import    a new PIA version from its published apidoc sources
  check     what the gateway would load, and every uncovered difference
  validate  a payload, offline, with exactly the gateway's answer
  versions, methods, schema, diff   what the gateway knows

--schemas and --rules are the directories the gateway's schemas and rules
subdirectives name (the built-in versions are always there).`,
		CobraFunc: addPIACommands,
	})
}

// addPIACommands puts the pia subcommands under cmd.
func addPIACommands(cmd *cobra.Command) {
	var schemas, rules string
	dirs := func(c *cobra.Command) {
		c.Flags().StringVar(&schemas, "schemas", "", "schema directory the gateway loads (<dir>/<version>/<method>.<kind>.json)")
		c.Flags().StringVar(&rules, "rules", "", "rules directory the gateway loads (<dir>/<from>-<to>.json)")
	}

	var src, version, out string
	imp := &cobra.Command{
		Use:   "import --source <dir> --version <v> --out <dir>",
		Short: "Writes the schemas of a new PIA version and drafts its step",
		Long: `Reads <source>/src/endpoint.js, header.md and footer.md (the published layout
of oss-rba/oss-rba.github.io) and writes <out>/schemas/<v>/ and
<out>/rules/<prev>-<v>.json, a drafted step from the newest version known
(built in, --schemas/--rules, or earlier imports under --out). Review the
step, confirm each rename candidate ("confirmed": true), then load both with
the gateway's schema_dir and rules_dir subdirectives.`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			if src == "" || version == "" || out == "" {
				return errors.New("--source, --version and --out are required")
			}
			v, err := pia.ParseVersion(version)
			if err != nil {
				return err
			}
			rep, err := importer.Import(importer.Options{Source: src, Version: v, Out: out, Schemas: schemas, Rules: rules})
			if err != nil {
				return err
			}
			printImport(c.OutOrStdout(), rep)
			return nil
		},
	}
	imp.Flags().StringVar(&src, "source", "", "directory holding src/endpoint.js, src/header.md, src/footer.md")
	imp.Flags().StringVar(&version, "version", "", "the PIA version the sources document")
	imp.Flags().StringVar(&out, "out", "", "directory receiving schemas/ and rules/")
	dirs(imp)

	check := &cobra.Command{
		Use:   "check [--schemas <dir>] [--rules <dir>]",
		Short: "Shows what the gateway would load; fails on any uncovered difference",
		Args:  cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			cat, e, err := load(schemas, rules)
			var cov *transform.CoverageError
			if errors.As(err, &cov) {
				w := c.OutOrStdout()
				fmt.Fprintf(w, "versions: %s\n", versionList(cat.Versions()))
				for _, g := range cov.Gaps {
					fmt.Fprintf(w, "uncovered: %s\n", g)
				}
				return fmt.Errorf("%d differences have no rule or note", len(cov.Gaps))
			}
			if err != nil {
				return err
			}
			printVersions(c.OutOrStdout(), cat, e)
			fmt.Fprintln(c.OutOrStdout(), "every difference between consecutive versions is covered")
			return nil
		},
	}
	dirs(check)

	var method, lang, cs string
	val := &cobra.Command{
		Use:   "validate --method <m> --version <v> [--charset <c>] [--schemas <dir>] [--rules <dir>] <file.json>",
		Short: "Checks a payload offline and prints the gateway's answer",
		Long: `Runs the payload through the gateway itself (a stand-in upstream answers
what passes) as a caller of that PIA version, and prints the envelope the
gateway would answer: with errors when the payload is refused. Exit status
1 when it is.`,
		Args: cobra.ExactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			if method == "" || version == "" {
				return errors.New("--method and --version are required")
			}
			body, err := os.ReadFile(args[0])
			if err != nil {
				return err
			}
			status, answer, err := validateOffline(method, version, schemas, rules, lang, cs, body)
			if err != nil {
				return err
			}
			if status == http.StatusOK {
				fmt.Fprintf(c.OutOrStdout(), "valid: %s, PIA %s\n", method, version)
				return nil
			}
			c.OutOrStdout().Write(answer)
			return fmt.Errorf("the gateway answers %d", status)
		},
	}
	val.Flags().StringVar(&method, "method", "", "the PIA method")
	val.Flags().StringVar(&version, "version", "", "the PIA version of the payload and of the upstream")
	val.Flags().StringVar(&lang, "lang", "", "language of the answer: id (default) or en")
	val.Flags().StringVar(&cs, "charset", "", "the file's charset, as a client states it in its Content-Type (windows-1252, ...); UTF-8 and UTF-16 are told by the bytes")
	dirs(val)

	versions := &cobra.Command{
		Use:   "versions",
		Short: "Lists the PIA versions and the steps between them",
		Args:  cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			cat, e, err := load(schemas, rules)
			if err != nil {
				return err
			}
			printVersions(c.OutOrStdout(), cat, e)
			return nil
		},
	}
	dirs(versions)

	methods := &cobra.Command{
		Use:   "methods [--version <v>]",
		Short: "Lists the PIA methods (in one version: those it has)",
		Args:  cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			cat, e, err := load(schemas, rules)
			if err != nil {
				return err
			}
			var v pia.Version
			if version != "" {
				if v, err = pia.ParseVersion(version); err != nil {
					return err
				}
			}
			printMethods(c.OutOrStdout(), cat, e, v)
			return nil
		},
	}
	methods.Flags().StringVar(&version, "version", "", "only the methods of this PIA version")
	dirs(methods)

	var kind string
	schema := &cobra.Command{
		Use:   "schema <method> --version <v> [--kind request|response]",
		Short: "Prints the JSON Schema of a method in a version",
		Args:  cobra.ExactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			v, err := pia.ParseVersion(version)
			if err != nil {
				return err
			}
			cat, _, err := load(schemas, rules)
			if err != nil {
				return err
			}
			s, ok := cat.Lookup(v, args[0], pia.Kind(kind))
			if !ok {
				return fmt.Errorf("PIA %s has no %s schema for %s", v, kind, args[0])
			}
			c.OutOrStdout().Write(s.Raw)
			return nil
		},
	}
	schema.Flags().StringVar(&version, "version", "", "the PIA version")
	schema.Flags().StringVar(&kind, "kind", "request", "request or response")
	dirs(schema)

	diff := &cobra.Command{
		Use:   "diff <a> <b>",
		Short: "Lists the schema differences between two PIA versions",
		Args:  cobra.ExactArgs(2),
		RunE: func(c *cobra.Command, args []string) error {
			a, err := pia.ParseVersion(args[0])
			if err != nil {
				return err
			}
			b, err := pia.ParseVersion(args[1])
			if err != nil {
				return err
			}
			cat, _, err := load(schemas, rules)
			if err != nil {
				return err
			}
			printDiff(c.OutOrStdout(), cat, a, b)
			return nil
		},
	}
	dirs(diff)

	cmd.AddCommand(imp, check, val, versions, methods, schema, diff)
}

func load(schemas, rules string) (*pia.Catalog, *transform.Engine, error) {
	var sd, rd []string
	if schemas != "" {
		sd = append(sd, schemas)
	}
	if rules != "" {
		rd = append(rd, rules)
	}
	return importer.Load(sd, rd)
}

func versionList(vs []pia.Version) string {
	s := make([]string, len(vs))
	for i, v := range vs {
		s[i] = v.String()
	}
	return strings.Join(s, ", ")
}

func printImport(w io.Writer, rep *importer.Report) {
	fmt.Fprintf(w, "PIA %s imported: schemas in %s\n", rep.Version, rep.SchemaDir)
	fmt.Fprintf(w, "step %s-%s drafted in %s: %d rules, %d notes, %d methods added, %d withdrawn, %d rename candidates\n",
		rep.Previous, rep.Version, rep.StepFile, len(rep.Step.Rules), len(rep.Step.Notes), len(rep.Step.Methods), len(rep.Step.Withdraw), len(rep.Step.Renames))
	for _, m := range rep.Step.Methods {
		fmt.Fprintf(w, "added: %s (served by %s)\n", m.Name, m.Side)
	}
	for _, m := range rep.Step.Withdraw {
		fmt.Fprintf(w, "withdrawn: %s (answered 410 from PIA %s on)\n", m, rep.Version)
	}
	for _, c := range rep.Step.Renames {
		fmt.Fprintf(w, "rename candidate: %s %s %s -> %s (set \"confirmed\": true in the step to carry values across)\n", c.Method, c.Kind, c.Path, c.To)
	}
	for _, warn := range rep.Warnings {
		fmt.Fprintf(w, "warning: %s\n", warn)
	}
}

func printVersions(w io.Writer, cat *pia.Catalog, e *transform.Engine) {
	vs := cat.Versions()
	fmt.Fprintf(w, "versions: %s (upstream default %s)\n", versionList(vs), pia.DefaultVersion)
	for i, s := range e.Steps() {
		fmt.Fprintf(w, "step %s-%s: %s\n", vs[i], vs[i+1], s)
	}
	withdrawn := e.Withdrawn()
	for _, m := range slices.Sorted(maps.Keys(withdrawn)) {
		fmt.Fprintf(w, "withdrawn: %s in %s\n", m, withdrawn[m])
	}
}

func printMethods(w io.Writer, cat *pia.Catalog, e *transform.Engine, v pia.Version) {
	t := pia.NewTable()
	for m, at := range e.Withdrawn() {
		_ = t.Withdraw(m, at)
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "METHOD\tSIDE\tVERB\tSCHEMA\tWITHDRAWN")
	for _, m := range t.Methods() {
		if !v.IsZero() && m.WithdrawnAt(v) {
			continue
		}
		has := "-"
		if !v.IsZero() {
			if _, ok := cat.Lookup(v, m.Name, pia.Request); ok {
				has = "request"
			} else if _, ok := cat.Lookup(v, m.Name, pia.Response); ok {
				has = "response"
			}
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", m.Name, m.Side, m.HTTPMethod, has, m.WithdrawnIn)
	}
	tw.Flush()
}

func printDiff(w io.Writer, cat *pia.Catalog, a, b pia.Version) {
	names := map[string]bool{}
	for _, s := range cat.All() {
		if !s.Version.IsZero() {
			names[s.Method] = true
		}
	}
	n := 0
	for _, k := range []pia.Kind{pia.Request, pia.Response} {
		for _, m := range slices.Sorted(maps.Keys(names)) {
			x, okA := cat.Lookup(a, m, k)
			y, okB := cat.Lookup(b, m, k)
			switch {
			case okA && !okB:
				fmt.Fprintf(w, "%s %s: only in %s\n", m, k, a)
				n++
			case !okA && okB:
				fmt.Fprintf(w, "%s %s: only in %s\n", m, k, b)
				n++
			case okA && okB && x != y:
				for _, d := range transform.FieldDifferences(x.Fields, y.Fields) {
					fmt.Fprintf(w, "%s %s: %s %s\n", m, k, d.Field, d.What)
					n++
				}
			}
		}
	}
	fmt.Fprintf(w, "%d differences from PIA %s to PIA %s\n", n, a, b)
}

// validateOffline runs body through a gateway provisioned like a
// configured one (same schemas and rules) whose upstreams, speaking the
// payload's version, are a stand-in answering 200: the status and the
// answer are exactly what the gateway would answer a caller of that
// version.
func validateOffline(method, version, schemas, rules, lang, charset string, body []byte) (int, []byte, error) {
	if _, err := pia.ParseVersion(version); err != nil {
		return 0, nil, err
	}
	ctx, cancel := caddy.NewContext(caddy.Context{Context: context.Background()})
	defer cancel()
	standIn := json.RawMessage(`{"handler":"static_response","status_code":200}`)
	g := &Gateway{SchemaDir: schemas, RulesDir: rules, Lang: lang, Upstreams: map[string]*Upstream{
		"oss": {ProxyRaw: standIn, Version: version},
		"kld": {ProxyRaw: standIn, Version: version},
	}, logger: zap.NewNop()}
	if err := g.Provision(ctx); err != nil {
		return 0, nil, err
	}
	defer g.Cleanup()
	m, ok := g.table.Lookup(method)
	if !ok {
		return 0, nil, fmt.Errorf("unknown method %s", method)
	}
	r := httptest.NewRequest(m.HTTPMethod, DefaultPrefixes[0]+"/"+method, bytes.NewReader(body))
	r.Header.Set("Content-Type", "application/json")
	if charset != "" {
		r.Header.Set("Content-Type", mime.FormatMediaType("application/json", map[string]string{"charset": charset}))
	}
	r.Header.Set("X-PIA-Version", version)
	repl := caddy.NewReplacer()
	rctx := context.WithValue(r.Context(), caddy.ReplacerCtxKey, repl)
	rctx = context.WithValue(rctx, caddyhttp.VarsCtxKey, map[string]any{})
	r = r.WithContext(rctx)
	w := httptest.NewRecorder()
	err := g.ServeHTTP(w, r, caddyhttp.HandlerFunc(func(http.ResponseWriter, *http.Request) error { return nil }))
	if err != nil {
		return 0, nil, err
	}
	return w.Code, w.Body.Bytes(), nil
}
