package config

import (
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/pelletier/go-toml/v2/unstable"
)

// docIndex records where every key of a document is. The decoder does not
// give positions for checks made after decoding, so the document is walked
// once more with go-toml's parser. Paths are key parts with 1-based array
// positions: target.3.url, target.3.expect_status.2.
type docIndex struct {
	newlines []int // offsets of '\n'
	lines    map[string]int
	byLine   map[int][][]string
	exprs    []expr
}

// expr is one top-level expression: a key-value or a table header.
type expr struct {
	path   []string
	header bool
	// start and end delimit the bytes to blank to remove the expression:
	// for a header, its whole section.
	start, end  int
	first, last int // lines
}

// pathKey joins a path into a map key.
func pathKey(path []string) string { return strings.Join(path, "\x00") }

// indexDocument walks data, which must be valid TOML. It also checks every
// key and value against the fields of Config (unknown keys, wrong types,
// durations and sizes), reporting to c, and returns the expressions that
// were rejected, to be removed before decoding.
func indexDocument(data []byte, c *collector) (*docIndex, map[int]bool) {
	ix := &docIndex{lines: map[string]int{}, byLine: map[int][][]string{}}
	for i, b := range data {
		if b == '\n' {
			ix.newlines = append(ix.newlines, i)
		}
	}
	blank := map[int]bool{}
	arrays := map[string]int{}
	var table []string
	var p unstable.Parser
	p.Reset(data)
	for p.NextExpression() {
		n := p.Expression()
		switch n.Kind {
		case unstable.Table, unstable.ArrayTable:
			parts, off := keyParts(n.Key())
			var path []string
			for i, part := range parts {
				path = append(path, part)
				k := pathKey(path)
				if n.Kind == unstable.ArrayTable && i == len(parts)-1 {
					arrays[k]++
					path = append(path, strconv.Itoa(arrays[k]))
				} else if cnt, ok := arrays[k]; ok {
					path = append(path, strconv.Itoa(cnt))
				}
			}
			table = path
			line := ix.lineAt(off)
			ix.add(path, line)
			ix.exprs = append(ix.exprs, expr{path: path, header: true, start: ix.lineStart(off), first: line})
			if !checkKeyPath(path, true, line, c) {
				blank[len(ix.exprs)-1] = true
			}
		case unstable.KeyValue:
			parts, off := keyParts(n.Key())
			path := append(append([]string(nil), table...), parts...)
			line := ix.lineAt(off)
			start, end := int(n.Raw.Offset), int(n.Raw.Offset+n.Raw.Length)
			ix.exprs = append(ix.exprs, expr{path: path, start: start, end: end, first: line, last: ix.lineAt(max(start, end-1))})
			if !ix.addValue(path, n.Value(), line, c) {
				blank[len(ix.exprs)-1] = true
			}
		}
	}
	// A header's section runs to the next header.
	next := len(data)
	for i := len(ix.exprs) - 1; i >= 0; i-- {
		e := &ix.exprs[i]
		if e.header {
			e.end = next
			e.last = ix.lineAt(max(e.start, next-1))
			next = e.start
		}
	}
	return ix, blank
}

// keyParts returns a key's parts and the offset of its first part.
func keyParts(it unstable.Iterator) ([]string, int) {
	var parts []string
	off := -1
	for it.Next() {
		k := it.Node()
		if off < 0 {
			off = int(k.Raw.Offset)
		}
		parts = append(parts, string(k.Data))
	}
	return parts, max(off, 0)
}

// addValue indexes the value v found at path, and the values inside it, and
// checks them. It reports false when one was rejected.
func (ix *docIndex) addValue(path []string, v *unstable.Node, line int, c *collector) bool {
	ix.add(path, line)
	ok := checkKeyPath(path, v.Kind == unstable.InlineTable, line, c)
	switch v.Kind {
	case unstable.Array:
		i := 0
		for it := v.Children(); it.Next(); {
			e := it.Node()
			if e.Kind == unstable.Comment {
				continue
			}
			i++
			el := line
			if e.Raw.Length > 0 {
				el = ix.lineAt(int(e.Raw.Offset))
			}
			ok = ix.addValue(append(clonePath(path), strconv.Itoa(i)), e, el, c) && ok
		}
	case unstable.InlineTable:
		for it := v.Children(); it.Next(); {
			kv := it.Node()
			if kv.Kind != unstable.KeyValue {
				continue
			}
			parts, off := keyParts(kv.Key())
			ok = ix.addValue(append(clonePath(path), parts...), kv.Value(), ix.lineAt(off), c) && ok
		}
	}
	return checkValue(path, v, line, c) && ok
}

// checkValue checks that a value suits the field it decodes into, so that
// every wrongly typed value is reported at once, with its line: go-toml
// stops at the first, and reports the errors of Duration and ByteSize with
// no position. Paths that name no field are left to checkKeyPath.
func checkValue(path []string, v *unstable.Node, line int, c *collector) bool {
	if c.isBad(path) {
		return false
	}
	t := typeAt(path)
	if t == nil {
		return true
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	var err error
	switch {
	case t == durationType:
		if v.Kind != unstable.String {
			err = errorString("must be " + describeType(t))
			break
		}
		var d Duration
		err = d.UnmarshalText(v.Data)
	case t == byteSizeType:
		if v.Kind != unstable.String && v.Kind != unstable.Integer {
			err = errorString("must be " + describeType(t))
			break
		}
		var b ByteSize
		err = b.UnmarshalText(v.Data)
	case t == redirectsType:
		var r Redirects
		switch v.Kind {
		case unstable.Bool:
		case unstable.String:
			err = r.UnmarshalText(v.Data)
		default:
			err = errorString("must be " + describeType(t))
		}
	default:
		var want unstable.Kind
		switch t.Kind() {
		case reflect.String:
			want = unstable.String
		case reflect.Int, reflect.Int64, reflect.Int32:
			want = unstable.Integer
		case reflect.Bool:
			want = unstable.Bool
		case reflect.Slice:
			want = unstable.Array
		case reflect.Struct, reflect.Map:
			want = unstable.InlineTable
		default:
			return true
		}
		if v.Kind != want {
			err = errorString("must be " + describeType(t))
		}
	}
	if err != nil {
		c.addAt(line, clonePath(path), err.Error())
		c.markBad(path)
		return false
	}
	return true
}

// checkKeyPath reports a key that names no field: an unknown key, one that
// differs from a known key only in case (go-toml would quietly accept it),
// or one that reaches inside a value that is not a table. table tells that
// path holds a table. Unknown keys are found here rather than from go-toml's
// StrictMissingError (still enabled, as a safety net) because that error
// costs a scan of the document per key, and names no array positions.
func checkKeyPath(path []string, table bool, line int, c *collector) bool {
	t := configType
	for i, seg := range path {
		for t.Kind() == reflect.Pointer {
			t = t.Elem()
		}
		if t == durationType || t == byteSizeType {
			return reject(path[:i], line, "must be "+describeType(t), c)
		}
		switch t.Kind() {
		case reflect.Struct:
			ft := fieldType(t, seg)
			if ft == nil {
				for _, n := range fieldNames(t) {
					if strings.EqualFold(n, seg) {
						return reject(path[:i+1], line, "unknown key (did you mean "+n+"?)", c)
					}
				}
				return reject(path[:i+1], line, unknownKeyMsg(path[:i+1], table && allNumbers(path[i+1:])), c)
			}
			t = ft
		case reflect.Slice:
			if !isNumber(seg) {
				return true
			}
			t = t.Elem()
		case reflect.Map:
			t = t.Elem()
		default:
			// A key inside a value that is not a table.
			return reject(path[:i], line, "must be "+describeType(t), c)
		}
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if table && (t == durationType || t == byteSizeType || t.Kind() != reflect.Struct && t.Kind() != reflect.Map) {
		return reject(path, line, "must be "+describeType(t), c)
	}
	return true
}

// reject reports the key at path once, and marks it rejected.
func reject(path []string, line int, msg string, c *collector) bool {
	if !c.isBad(path) {
		c.addAt(line, clonePath(path), msg)
		c.markBad(path)
	}
	return false
}

func allNumbers(p []string) bool {
	for _, s := range p {
		if !isNumber(s) {
			return false
		}
	}
	return true
}

type errorString string

func (e errorString) Error() string { return string(e) }

func clonePath(p []string) []string { return append([]string(nil), p...) }

// add records that path is on line (the first time it is seen), and its
// parents too when they are not yet known.
func (ix *docIndex) add(path []string, line int) {
	k := pathKey(path)
	if _, ok := ix.lines[k]; !ok {
		ix.lines[k] = line
		ix.byLine[line] = append(ix.byLine[line], path)
	}
	for i := len(path) - 1; i > 0; i-- {
		pk := pathKey(path[:i])
		if _, ok := ix.lines[pk]; ok {
			break
		}
		ix.lines[pk] = line
	}
}

// present reports whether path is written in the document.
func (ix *docIndex) present(path []string) bool {
	_, ok := ix.lines[pathKey(path)]
	return ok
}

// line returns the line of path, or of its closest parent in the document,
// or 1.
func (ix *docIndex) line(path []string) int {
	if ix == nil {
		return 1
	}
	for i := len(path); i > 0; i-- {
		if l, ok := ix.lines[pathKey(path[:i])]; ok {
			return l
		}
	}
	return 1
}

// lineAt returns the 1-based line of a byte offset.
func (ix *docIndex) lineAt(off int) int {
	return sort.SearchInts(ix.newlines, off) + 1
}

// lineStart returns the offset where the line holding off starts.
func (ix *docIndex) lineStart(off int) int {
	i := sort.SearchInts(ix.newlines, off)
	if i == 0 {
		return 0
	}
	return ix.newlines[i-1] + 1
}

// exprAt returns the index of the expression on line, preferring a
// key-value over a header section, or -1.
func (ix *docIndex) exprAt(line int) int {
	found := -1
	for i, e := range ix.exprs {
		if line < e.first || line > e.last {
			continue
		}
		if !e.header {
			return i
		}
		found = i
	}
	return found
}

// resolve finds the indexed path of the key that go-toml names key (with no
// array positions) on line.
func (ix *docIndex) resolve(line int, key []string) []string {
	cands := ix.byLine[line]
	for _, p := range cands {
		if slices.Equal(stripIndexes(p), key) {
			return p
		}
	}
	for _, p := range cands {
		s := stripIndexes(p)
		if len(key) > 0 && len(s) >= len(key) && slices.Equal(s[len(s)-len(key):], key) {
			return p
		}
	}
	if len(key) > 0 {
		for _, p := range cands {
			if p[len(p)-1] == key[len(key)-1] {
				return p
			}
		}
	}
	if len(key) == 0 && len(cands) > 0 {
		return cands[0]
	}
	return key
}

// stripIndexes drops the array positions from a path.
func stripIndexes(p []string) []string {
	out := make([]string, 0, len(p))
	for i, s := range p {
		if i > 0 && isNumber(s) {
			continue
		}
		out = append(out, s)
	}
	return out
}

var (
	configType    = reflect.TypeFor[Config]()
	durationType  = reflect.TypeFor[Duration]()
	byteSizeType  = reflect.TypeFor[ByteSize]()
	redirectsType = reflect.TypeFor[Redirects]()
	depType       = reflect.TypeFor[Dependency]()
)

// typeAt returns the Go type that the value at path decodes into, or nil
// when path names no field.
func typeAt(path []string) reflect.Type {
	t := configType
	for _, seg := range path {
		for t.Kind() == reflect.Pointer {
			t = t.Elem()
		}
		switch t.Kind() {
		case reflect.Struct:
			t = fieldType(t, seg)
			if t == nil {
				return nil
			}
		case reflect.Slice:
			if !isNumber(seg) {
				return nil
			}
			t = t.Elem()
		case reflect.Map:
			t = t.Elem()
		default:
			return nil
		}
	}
	return t
}

// fieldType returns the type of the field of struct t tagged key, or nil.
func fieldType(t reflect.Type, key string) reflect.Type {
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if n := tomlName(f); f.IsExported() && n == key && n != "-" {
			return f.Type
		}
	}
	return nil
}

// fieldNames returns the keys of struct type t (through pointers).
func fieldNames(t reflect.Type) []string {
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == nil || t.Kind() != reflect.Struct {
		return nil
	}
	var names []string
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if n := tomlName(f); f.IsExported() && n != "" && n != "-" {
			names = append(names, n)
		}
	}
	return names
}

func tomlName(f reflect.StructField) string {
	name, _, _ := strings.Cut(f.Tag.Get("toml"), ",")
	return name
}
