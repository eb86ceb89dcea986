package config

import (
	"reflect"
	"slices"
	"strconv"
	"strings"
)

// expandEnv replaces ${NAME} references in every string of cfg (fields,
// lists and map values) with the environment variable NAME; $$ is a literal
// $. A $ followed by anything else is kept as it is. A variable that is not
// set is a problem naming it and the key; the value itself is never quoted,
// since it is often a secret.
func expandEnv(cfg *Config, lookupEnv func(string) (string, bool), c *collector) {
	if lookupEnv == nil {
		lookupEnv = func(string) (string, bool) { return "", false }
	}
	expandValue(reflect.ValueOf(cfg).Elem(), nil, lookupEnv, c)
}

func expandValue(v reflect.Value, path []string, lookupEnv func(string) (string, bool), c *collector) {
	switch v.Kind() {
	case reflect.Pointer:
		if !v.IsNil() {
			expandValue(v.Elem(), path, lookupEnv, c)
		}
	case reflect.Struct:
		t := v.Type()
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			name := tomlName(f)
			if !f.IsExported() || name == "" || name == "-" {
				continue
			}
			expandValue(v.Field(i), append(clonePath(path), name), lookupEnv, c)
		}
	case reflect.Slice:
		for i := 0; i < v.Len(); i++ {
			expandValue(v.Index(i), append(clonePath(path), strconv.Itoa(i+1)), lookupEnv, c)
		}
	case reflect.Map:
		if v.Type().Elem().Kind() != reflect.String {
			return
		}
		keys := v.MapKeys()
		slices.SortFunc(keys, func(a, b reflect.Value) int { return strings.Compare(a.String(), b.String()) })
		for _, k := range keys {
			s, msgs := expand(v.MapIndex(k).String(), lookupEnv)
			if len(msgs) > 0 {
				kp := append(clonePath(path), k.String())
				report(c, kp, msgs)
				continue
			}
			v.SetMapIndex(k, reflect.ValueOf(s).Convert(v.Type().Elem()))
		}
	case reflect.String:
		s, msgs := expand(v.String(), lookupEnv)
		if len(msgs) > 0 {
			report(c, path, msgs)
			return
		}
		v.SetString(s)
	}
}

// report adds every message about the value at path, then marks it bad so
// that later checks do not complain about the unexpanded value.
func report(c *collector, path []string, msgs []string) {
	for _, m := range msgs {
		c.add(path, m)
	}
	c.markBad(path)
}

// Expand substitutes the ${NAME} references (and $$) in one value the way
// Load does, for a command that reads a single key on its own. The
// messages are as check prints them, none quoting s.
func Expand(s string, lookupEnv func(string) (string, bool)) (string, []string) {
	return expand(s, lookupEnv)
}

// expand substitutes the references in s. On failure it returns one
// message per problem, none quoting s: every variable that is not set (each
// once, in order), so that one run of check lists all that need setting,
// then a syntax error if there is one, which ends the scan.
func expand(s string, lookupEnv func(string) (string, bool)) (string, []string) {
	if !strings.Contains(s, "$") {
		return s, nil
	}
	var (
		b     strings.Builder
		msgs  []string
		unset []string
	)
	for i := 0; i < len(s); i++ {
		if s[i] != '$' || i+1 == len(s) {
			b.WriteByte(s[i])
			continue
		}
		switch s[i+1] {
		case '$':
			b.WriteByte('$')
			i++
		case '{':
			end := strings.IndexByte(s[i+2:], '}')
			if end < 0 {
				return "", append(msgs, "unterminated ${ (write $$ for a literal $)")
			}
			name := s[i+2 : i+2+end]
			if !validEnvName(name) {
				return "", append(msgs, "invalid variable name in ${...} (write $$ for a literal $)")
			}
			i += 2 + end
			val, ok := lookupEnv(name)
			if !ok {
				if !slices.Contains(unset, name) {
					unset = append(unset, name)
					msgs = append(msgs, "environment variable "+name+" is not set")
				}
				continue
			}
			b.WriteString(val)
		default:
			b.WriteByte('$')
		}
	}
	if len(msgs) > 0 {
		return "", msgs
	}
	return b.String(), nil
}

// validEnvName reports whether name is a variable name: a letter or _, then
// letters, digits and _.
func validEnvName(name string) bool {
	if name == "" {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !(c == '_' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || i > 0 && c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}
