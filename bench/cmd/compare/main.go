// Command compare runs the GORM benchmarks of this module on every stack,
// interleaved, and prints a markdown table of the results.
//
//	cd bench && go run ./cmd/compare                         # the default run, about 8 minutes on 2 cores
//	cd bench && go run ./cmd/compare -rounds 2 -benchtime 100ms   # a quick look
//	cd bench && go run ./cmd/compare -bench 'Find|First'     # some workloads only
//
// It builds the test binaries of ./mattn and ./libsql once (go test -c),
// then runs, in each round, the binary of every stack once
// (-test.run=^$ -test.bench=... -test.benchmem -test.count=1), rotating the
// order of the stacks from round to round so that none always runs first or
// last. The stacks are:
//
//	mattn     gorm.io/driver/sqlite on mattn/go-sqlite3 (the baseline)
//	libsql    this repository's dialect on its own connections
//	golibsql  this repository's dialect over go-libsql's database/sql driver
//
// The table gives, per workload and PrepareStmt mode, the median ns/op of
// each stack over the rounds, the ratio of each libSQL stack to mattn as the
// median of the per-round ratios (each round's runs are close in time, so
// the ratio cancels drift of the machine), and the median allocs/op and B/op.
// The raw benchmark output of each stack goes to OUT/STACK.txt, ready for
// benchstat (benchstat OUT/mattn.txt OUT/libsql.txt OUT/golibsql.txt), and
// the table to OUT/table.md.
package main

import (
	"bufio"
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
)

// A stack is one way of running the workloads: a test binary and its flags.
type stack struct {
	name string
	pkg  string   // package of the test binary, relative to the module
	args []string // extra flags of the test binary
}

var allStacks = []stack{
	{name: "mattn", pkg: "./mattn"},
	{name: "libsql", pkg: "./libsql", args: []string{"-stack=libsql"}},
	{name: "golibsql", pkg: "./libsql", args: []string{"-stack=golibsql"}},
}

func main() {
	rounds := flag.Int("rounds", 8, "rounds: each runs every stack's benchmarks once")
	benchtime := flag.String("benchtime", "1s", "-test.benchtime of each benchmark (a duration or Nx)")
	bench := flag.String("bench", ".", "-test.bench: regexp of the benchmarks to run")
	stacksFlag := flag.String("stacks", "mattn,libsql,golibsql", "comma-separated stacks to run; the first is the baseline of the ratios")
	out := flag.String("out", "results", "directory for the raw output (STACK.txt) and the table (table.md)")
	split := flag.Bool("split", true, "run each top-level benchmark in a process of its own, stacks rotated, so that the runs compared in a ratio are seconds apart; false runs each stack's whole binary once per round")
	verbose := flag.Bool("v", false, "echo each benchmark line as it runs")
	flag.Parse()
	if *rounds < 1 {
		fatalf("-rounds must be at least 1")
	}
	stacks, err := selectStacks(*stacksFlag)
	if err != nil {
		fatalf("%v", err)
	}
	if err := run(stacks, *rounds, *benchtime, *bench, *out, *split, *verbose); err != nil {
		fatalf("%v", err)
	}
}

func fatalf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "compare: "+format+"\n", args...)
	os.Exit(1)
}

func selectStacks(list string) ([]stack, error) {
	var stacks []stack
	for _, name := range strings.Split(list, ",") {
		name = strings.TrimSpace(name)
		found := false
		for _, s := range allStacks {
			if s.name == name {
				stacks = append(stacks, s)
				found = true
			}
		}
		if !found {
			return nil, fmt.Errorf("unknown stack %q (known: mattn, libsql, golibsql)", name)
		}
	}
	return stacks, nil
}

func run(stacks []stack, rounds int, benchtime, bench, out string, split, verbose bool) error {
	moduleDir, err := moduleRoot()
	if err != nil {
		return err
	}
	if !filepath.IsAbs(out) {
		out = filepath.Join(moduleDir, out)
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	binDir, err := os.MkdirTemp("", "gorm-libsql-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(binDir)

	// Build each package's test binary once.
	binaries := map[string]string{}
	for _, s := range stacks {
		if _, ok := binaries[s.pkg]; ok {
			continue
		}
		bin := filepath.Join(binDir, strings.TrimPrefix(s.pkg, "./")+".test")
		logf("building %s", s.pkg)
		cmd := exec.Command("go", "test", "-c", "-o", bin, s.pkg)
		cmd.Dir = moduleDir
		cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
		if err := cmd.Run(); err != nil {
			return fmt.Errorf("go test -c %s: %w", s.pkg, err)
		}
		binaries[s.pkg] = bin
	}

	raw := map[string]*os.File{}
	for _, s := range stacks {
		f, err := os.Create(filepath.Join(out, s.name+".txt"))
		if err != nil {
			return err
		}
		defer f.Close()
		raw[s.name] = f
	}

	// The units of work: the whole -bench pattern per process, or with
	// split each top-level benchmark on its own.
	patterns := []string{bench}
	if split {
		if patterns, err = splitPatterns(binaries[stacks[0].pkg], bench); err != nil {
			return err
		}
	}

	res := newResults()
	start := time.Now()
	for r := range rounds {
		for j, pattern := range patterns {
			for i := range stacks {
				s := stacks[(i+r+j)%len(stacks)] // rotate the order of the stacks
				t0 := time.Now()
				args := append([]string{
					"-test.run=^$", "-test.bench=" + pattern, "-test.benchmem", "-test.count=1",
					"-test.benchtime=" + benchtime,
				}, s.args...)
				cmd := exec.Command(binaries[s.pkg], args...)
				cmd.Dir = binDir
				var buf bytes.Buffer
				var w io.Writer = &buf
				if verbose {
					w = io.MultiWriter(&buf, os.Stderr)
				}
				cmd.Stdout, cmd.Stderr = w, w
				runErr := cmd.Run()
				if _, err := raw[s.name].Write(buf.Bytes()); err != nil {
					return err
				}
				if runErr != nil {
					if !verbose {
						os.Stderr.Write(buf.Bytes())
					}
					return fmt.Errorf("round %d, stack %s, -test.bench %s: %w", r+1, s.name, pattern, runErr)
				}
				n := res.parse(r, s.name, &buf)
				if n == 0 {
					return fmt.Errorf("round %d, stack %s: no benchmark matched -test.bench %q", r+1, s.name, pattern)
				}
				if !split || verbose {
					logf("round %d/%d  %-8s %2d benchmarks  %5.1fs  (elapsed %s)", r+1, rounds, s.name, n,
						time.Since(t0).Seconds(), time.Since(start).Round(time.Second))
				}
			}
		}
		if split && !verbose {
			logf("round %d/%d done (elapsed %s)", r+1, rounds, time.Since(start).Round(time.Second))
		}
	}

	var names []string
	for _, s := range stacks {
		names = append(names, s.name)
	}
	table := res.table(names, rounds, benchtime)
	fmt.Print(table)
	if err := os.WriteFile(filepath.Join(out, "table.md"), []byte(table), 0o644); err != nil {
		return err
	}
	logf("raw output: %s/{%s}.txt; table: %s/table.md", out, strings.Join(names, ","), out)
	return nil
}

// splitPatterns returns one -test.bench pattern per top-level benchmark of
// bin that bench selects: "^BenchmarkX$" followed by the sub-benchmark part
// of bench, if any.
func splitPatterns(bin, bench string) ([]string, error) {
	top, sub, hasSub := strings.Cut(bench, "/")
	re, err := regexp.Compile(top)
	if err != nil {
		return nil, fmt.Errorf("-bench %q: %w", bench, err)
	}
	outp, err := exec.Command(bin, "-test.list=^Benchmark").Output()
	if err != nil {
		return nil, fmt.Errorf("%s -test.list: %w", bin, err)
	}
	var patterns []string
	for _, name := range strings.Fields(string(outp)) {
		if strings.HasPrefix(name, "Benchmark") && re.MatchString(name) {
			p := "^" + name + "$"
			if hasSub {
				p += "/" + sub
			}
			patterns = append(patterns, p)
		}
	}
	if len(patterns) == 0 {
		return nil, fmt.Errorf("no benchmark matches -bench %q", bench)
	}
	return patterns, nil
}

func logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "# "+format+"\n", args...)
}

// moduleRoot returns the directory of the bench module, the one holding the
// packages of the stacks.
func moduleRoot() (string, error) {
	outp, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOMOD: %w", err)
	}
	gomod := strings.TrimSpace(string(outp))
	dir := filepath.Dir(gomod)
	if _, err := os.Stat(filepath.Join(dir, "mattn")); gomod == "" || gomod == os.DevNull || err != nil {
		return "", errors.New("run compare inside the bench module (cd bench)")
	}
	return dir, nil
}

// measurement is one benchmark result of one stack in one round.
type measurement struct {
	ns, bytes, allocs float64
}

type results struct {
	order []string                                  // benchmark names in first-seen order
	data  map[string]map[string]map[int]measurement // name -> stack -> round
}

func newResults() *results {
	return &results{data: map[string]map[string]map[int]measurement{}}
}

// benchLine matches "BenchmarkX/sub-2   1234   5678 ns/op   90 B/op   3 allocs/op".
var benchLine = regexp.MustCompile(`^(Benchmark\S+?)(?:-\d+)?\s+\d+\s+(.+)$`)

// parse records the benchmark lines of one run and returns how many it read.
func (res *results) parse(round int, stackName string, r io.Reader) int {
	n := 0
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		m := benchLine.FindStringSubmatch(sc.Text())
		if m == nil {
			continue
		}
		name := strings.TrimPrefix(m[1], "Benchmark")
		var meas measurement
		fields := strings.Fields(m[2])
		for i := 0; i+1 < len(fields); i += 2 {
			v, err := strconv.ParseFloat(fields[i], 64)
			if err != nil {
				continue
			}
			switch fields[i+1] {
			case "ns/op":
				meas.ns = v
			case "B/op":
				meas.bytes = v
			case "allocs/op":
				meas.allocs = v
			}
		}
		if meas.ns == 0 {
			continue
		}
		if res.data[name] == nil {
			res.data[name] = map[string]map[int]measurement{}
			res.order = append(res.order, name)
		}
		if res.data[name][stackName] == nil {
			res.data[name][stackName] = map[int]measurement{}
		}
		res.data[name][stackName][round] = meas
		n++
	}
	return n
}

func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// table renders the results; stacks[0] is the baseline of the ratios.
func (res *results) table(stacks []string, rounds int, benchtime string) string {
	var b strings.Builder
	base := stacks[0]
	others := stacks[1:]
	fmt.Fprintf(&b, "Median of %d rounds, -benchtime %s; ratios are medians of per-round ratios to %s (< 1 is faster), with their range over the rounds in parentheses.\n\n", rounds, benchtime, base)

	header := []string{"workload", "prepare"}
	align := []string{"---", "---"}
	for _, s := range stacks {
		header = append(header, s+" ns/op")
		align = append(align, "---:")
	}
	for _, s := range others {
		header = append(header, s+"/"+base)
		align = append(align, "---:")
	}
	for _, s := range stacks {
		header = append(header, s+" allocs")
		align = append(align, "---:")
	}
	for _, s := range stacks {
		header = append(header, s+" B/op")
		align = append(align, "---:")
	}
	fmt.Fprintf(&b, "| %s |\n| %s |\n", strings.Join(header, " | "), strings.Join(align, " | "))

	for _, name := range res.order {
		workload, prepare, _ := strings.Cut(name, "/")
		prepare = strings.TrimPrefix(prepare, "prepare=")
		row := []string{workload, prepare}
		per := res.data[name]
		stat := func(s string, f func(measurement) float64) (float64, bool) {
			var xs []float64
			for _, m := range per[s] {
				xs = append(xs, f(m))
			}
			return median(xs), len(xs) > 0
		}
		for _, s := range stacks {
			v, ok := stat(s, func(m measurement) float64 { return m.ns })
			row = append(row, cell(ok, formatNs(v)))
		}
		for _, s := range others {
			var ratios []float64
			for r := range rounds {
				bm, ok1 := per[base][r]
				sm, ok2 := per[s][r]
				if ok1 && ok2 && bm.ns > 0 {
					ratios = append(ratios, sm.ns/bm.ns)
				}
			}
			row = append(row, cell(len(ratios) > 0, formatRatio(ratios)))
		}
		for _, s := range stacks {
			v, ok := stat(s, func(m measurement) float64 { return m.allocs })
			row = append(row, cell(ok, strconv.FormatFloat(v, 'f', 0, 64)))
		}
		for _, s := range stacks {
			v, ok := stat(s, func(m measurement) float64 { return m.bytes })
			row = append(row, cell(ok, strconv.FormatFloat(v, 'f', 0, 64)))
		}
		fmt.Fprintf(&b, "| %s |\n", strings.Join(row, " | "))
	}
	return b.String()
}

// formatRatio prints the median of the per-round ratios and, for more than
// one round, their range.
func formatRatio(ratios []float64) string {
	m := fmt.Sprintf("%.2f", median(ratios))
	if len(ratios) < 2 {
		return m
	}
	lo, hi := ratios[0], ratios[0]
	for _, r := range ratios {
		lo, hi = min(lo, r), max(hi, r)
	}
	return fmt.Sprintf("%s (%.2f–%.2f)", m, lo, hi)
}

func cell(ok bool, s string) string {
	if !ok {
		return "–"
	}
	return s
}

// formatNs prints a duration in ns/op with thousands separators.
func formatNs(ns float64) string {
	s := strconv.FormatFloat(ns, 'f', 0, 64)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}
