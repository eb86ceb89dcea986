package config

import (
	"reflect"
	"slices"
	"strconv"
	"strings"
)

// Problem is one thing wrong with a configuration file.
type Problem struct {
	File string
	// Line is 1-based, and always set: a problem with a key that is absent
	// points at the header of its table, or at line 1.
	Line int
	// Key names the offending key, like bot.listen, target["OpenAI"].url or
	// target[2].bogus (the name of a target or channel when it has one, its
	// 1-based position otherwise). It is empty for syntax errors.
	Key string
	Msg string
}

// String formats the problem as FILE:LINE: KEY: message, or FILE:LINE:
// message when there is no key.
func (p Problem) String() string {
	if p.Key == "" {
		return p.File + ":" + strconv.Itoa(p.Line) + ": " + p.Msg
	}
	return p.File + ":" + strconv.Itoa(p.Line) + ": " + p.Key + ": " + p.Msg
}

// Problems is every problem found in a configuration file, sorted by line.
// Load and Parse return it as their error.
type Problems []Problem

// Error returns one line per problem (see [Problem.String]), with no
// trailing newline.
func (ps Problems) Error() string {
	lines := make([]string, len(ps))
	for i, p := range ps {
		lines[i] = p.String()
	}
	return strings.Join(lines, "\n")
}

// rawProblem is a problem before its key is rendered: rendering needs the
// names of targets and channels, known only at the end.
type rawProblem struct {
	line int
	path []string
	msg  string
}

// collector gathers problems while a file is checked.
type collector struct {
	file string
	idx  *docIndex
	list []rawProblem
	// bad holds the paths (joined) whose values were rejected while
	// decoding: later checks do not report them again.
	bad map[string]bool
}

// add reports a problem with the key at path, on the key's line (or its
// table's).
func (c *collector) add(path []string, msg string) {
	if c.isBad(path) {
		return
	}
	c.list = append(c.list, rawProblem{line: c.idx.line(path), path: path, msg: msg})
}

// addAt reports a problem on a given line.
func (c *collector) addAt(line int, path []string, msg string) {
	if line < 1 {
		line = 1
	}
	c.list = append(c.list, rawProblem{line: line, path: path, msg: msg})
}

// markBad records that the value at path was rejected.
func (c *collector) markBad(path []string) {
	if c.bad == nil {
		c.bad = map[string]bool{}
	}
	c.bad[pathKey(path)] = true
}

// isBad reports whether path or one of its parents was rejected.
func (c *collector) isBad(path []string) bool {
	for i := len(path); i > 0; i-- {
		if c.bad[pathKey(path[:i])] {
			return true
		}
	}
	return false
}

// problems renders the problems, sorted by line and without duplicates.
// cfg, when not nil, supplies the names of targets and channels.
func (c *collector) problems(cfg *Config) Problems {
	out := make(Problems, 0, len(c.list))
	seen := make(map[Problem]bool, len(c.list))
	for _, r := range c.list {
		p := Problem{File: c.file, Line: r.line, Key: c.displayKey(r.path, cfg), Msg: r.msg}
		if !seen[p] {
			seen[p] = true
			out = append(out, p)
		}
	}
	slices.SortStableFunc(out, func(a, b Problem) int { return a.Line - b.Line })
	return out
}

// displayKey renders a path like target.2.url as target["OpenAI"].url
// (named) or target[2].url.
func (c *collector) displayKey(path []string, cfg *Config) string {
	var b strings.Builder
	t := configType
	for i, seg := range path {
		for t != nil && t.Kind() == reflect.Pointer {
			t = t.Elem()
		}
		isIndex := false
		switch {
		case t == nil:
			isIndex = i > 0 && isNumber(seg)
		case t.Kind() == reflect.Slice || t.Kind() == reflect.Array:
			isIndex = true
			t = t.Elem()
		case t.Kind() == reflect.Struct:
			t = fieldType(t, seg)
		case t.Kind() == reflect.Map:
			t = t.Elem()
		default:
			t = nil
		}
		switch {
		case isIndex && i == 1:
			if name := nameAt(cfg, path[0], seg); name != "" && !c.isBad([]string{path[0], seg, "name"}) {
				b.WriteString("[" + strconv.Quote(name) + "]")
			} else {
				b.WriteString("[" + seg + "]")
			}
		case isIndex:
			b.WriteString("[" + seg + "]")
		default:
			if i > 0 {
				b.WriteByte('.')
			}
			b.WriteString(quoteKey(seg))
		}
	}
	return b.String()
}

// nameAt returns the name of the n-th (1-based) target or channel.
func nameAt(cfg *Config, table, n string) string {
	if cfg == nil {
		return ""
	}
	i, err := strconv.Atoi(n)
	if err != nil || i < 1 {
		return ""
	}
	switch table {
	case "target":
		if i <= len(cfg.Targets) {
			return cfg.Targets[i-1].Name
		}
	case "channel":
		if i <= len(cfg.Channels) {
			return cfg.Channels[i-1].Name
		}
	}
	return ""
}

// quoteKey quotes a key part the way TOML needs it.
func quoteKey(s string) string {
	if s == "" {
		return `""`
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			return strconv.Quote(s)
		}
	}
	return s
}

func isNumber(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// closest returns the option nearest to word when it is near enough to be a
// likely typo, or "".
func closest(word string, options []string) string {
	limit := min(2, max(1, len(word)/3))
	best, bestD := "", limit+1
	lw := strings.ToLower(word)
	for _, o := range options {
		if d := editDistance(lw, strings.ToLower(o)); d < bestD {
			best, bestD = o, d
		}
	}
	return best
}

// editDistance is the Levenshtein distance between a and b, in bytes.
func editDistance(a, b string) int {
	if len(a) > 64 || len(b) > 64 {
		return max(len(a), len(b))
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
