package config

import (
	"bytes"
	"errors"
	"os"
	"reflect"
	"strings"

	"github.com/pelletier/go-toml/v2"
)

// Load reads the configuration file at path, expanding ${VAR} references
// from the process environment. See [Parse].
func Load(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return Parse(path, data, os.LookupEnv)
}

// Parse decodes, completes and validates a configuration. file names the
// source in messages; lookupEnv resolves ${VAR} references (os.LookupEnv in
// production). Every problem found is returned at once as [Problems]; the
// Config is returned only when there are none.
func Parse(file string, data []byte, lookupEnv func(string) (string, bool)) (*Config, error) {
	c := &collector{file: file}
	// A byte order mark, as some editors write, is not TOML.
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))

	// Syntax first: everything after relies on a well-formed document.
	var generic map[string]any
	if err := toml.Unmarshal(data, &generic); err != nil {
		line, msg := 1, err.Error()
		var de *toml.DecodeError
		if errors.As(err, &de) {
			line, _ = de.Position()
		}
		c.addAt(line, nil, "syntax error: "+strings.TrimPrefix(msg, "toml: "))
		return nil, c.problems(nil)
	}

	ix, blank := indexDocument(data, c)
	c.idx = ix
	cfg := decode(data, ix, blank, c)
	if cfg == nil {
		return nil, c.problems(nil)
	}
	cfg.Path = file
	expandEnv(cfg, lookupEnv, c)
	applyDefaults(cfg, ix, c)
	validate(cfg, ix, c)
	checkChatOps(cfg, ix, c)
	if len(c.list) > 0 {
		return nil, c.problems(cfg)
	}
	return cfg, nil
}

// decode decodes data strictly into a Config, without the expressions in
// blank (already reported), which are blanked out with their lines kept.
// Should the decoder still reject a value, it is reported, its expression
// blanked too and decoding started again; should it still find unknown keys
// (StrictMissingError), they are reported. Neither is expected: indexing
// checks both first.
func decode(data []byte, ix *docIndex, blank map[int]bool, c *collector) *Config {
	// The values were checked while indexing, so this loop is a safety net:
	// bound it, since each round decodes the whole document again.
	const maxRounds = 20
	for range min(len(ix.exprs)+1, maxRounds) {
		doc := data
		if len(blank) > 0 {
			doc = blankOut(data, ix, blank)
		}
		var cfg Config
		err := toml.NewDecoder(bytes.NewReader(doc)).DisallowUnknownFields().EnableUnmarshalerInterface().Decode(&cfg)
		if err == nil {
			return &cfg
		}
		var sme *toml.StrictMissingError
		if errors.As(err, &sme) {
			for _, e := range sme.Errors {
				line, _ := e.Position()
				path := ix.resolve(line, e.Key())
				if c.isBad(path) {
					continue
				}
				c.addAt(line, path, unknownKeyMsg(path, strings.Contains(e.Error(), "missing table")))
			}
			return &cfg
		}
		var de *toml.DecodeError
		if !errors.As(err, &de) {
			c.addAt(1, nil, strings.TrimPrefix(err.Error(), "toml: "))
			return nil
		}
		line, _ := de.Position()
		i := ix.exprAt(line)
		path := ix.resolve(line, de.Key())
		c.addAt(line, path, typeMsg(path, de))
		c.markBad(path)
		if i < 0 || blank[i] {
			return nil
		}
		blank[i] = true
		c.markBad(ix.exprs[i].path)
	}
	return nil
}

// blankOut replaces the bytes of the chosen expressions with spaces, keeping
// line breaks so that lines keep their numbers.
func blankOut(data []byte, ix *docIndex, blank map[int]bool) []byte {
	out := bytes.Clone(data)
	for i := range blank {
		e := ix.exprs[i]
		for j := e.start; j < e.end && j < len(out); j++ {
			if out[j] == '\n' || out[j] == '\r' && j+1 < len(out) && out[j+1] == '\n' {
				continue
			}
			out[j] = ' '
		}
	}
	return out
}

// unknownKeyMsg explains an unknown key, suggesting a close known one.
func unknownKeyMsg(path []string, table bool) string {
	msg := "unknown key"
	if table {
		msg = "unknown table"
	}
	if len(path) == 0 {
		return msg
	}
	key := path[len(path)-1]
	if s := closest(key, fieldNames(typeAt(path[:len(path)-1]))); s != "" {
		return msg + " (did you mean " + s + "?)"
	}
	if len(path) == 1 {
		// A table's key written before any table header?
		if s := tableFor(key); s != "" {
			return msg + " (did you mean " + s + "?)"
		}
	}
	return msg
}

// tableFor finds the one table where a top-level key would be known, and
// returns a hint like "listen in [bot]", or "".
func tableFor(key string) string {
	hint := ""
	for _, table := range fieldNames(configType) {
		t := typeAt([]string{table})
		header := "[" + table + "]"
		if t.Kind() == reflect.Slice {
			t = t.Elem()
			header = "[[" + table + "]]"
		}
		if s := closest(key, fieldNames(t)); s != "" {
			if hint != "" {
				return ""
			}
			hint = s + " in " + header
		}
	}
	return hint
}

// typeMsg explains a value of the wrong type without quoting it.
func typeMsg(path []string, de *toml.DecodeError) string {
	t := typeAt(path)
	if t == nil {
		return "invalid value: " + strings.TrimPrefix(de.Error(), "toml: ")
	}
	return "must be " + describeType(t)
}

func describeType(t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch {
	case t == durationType:
		return `a duration in quotes, like "30s"`
	case t == byteSizeType:
		return `a size, like "5MiB"`
	case t == redirectsType:
		return `"same-host", "any" or "none"`
	case t == depType:
		return `a table like { target = "openai", components = ["API"] }`
	case t.Kind() == reflect.Slice && t.Elem() == depType:
		return `a list of tables like [{ target = "openai" }]`
	}
	switch t.Kind() {
	case reflect.String:
		return "a string in quotes"
	case reflect.Int, reflect.Int64, reflect.Int32:
		return "a whole number"
	case reflect.Bool:
		return "true or false"
	case reflect.Slice:
		e := t.Elem()
		if e.Kind() == reflect.Struct {
			return "an array of tables, written [[name]]"
		}
		return "a list of " + plural(describeType(e))
	case reflect.Map:
		return "a table of " + plural(describeType(t.Elem()))
	case reflect.Struct:
		return "a table"
	}
	return "a " + t.Kind().String()
}

func plural(s string) string {
	switch s {
	case "a string in quotes":
		return "strings in quotes"
	case "a whole number":
		return "whole numbers"
	}
	return strings.TrimPrefix(s, "a ")
}
