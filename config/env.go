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
			s, msg := expand(v.MapIndex(k).String(), lookupEnv)
			if msg != "" {
				kp := append(clonePath(path), k.String())
				c.add(kp, msg)
				c.markBad(kp)
				continue
			}
			v.SetMapIndex(k, reflect.ValueOf(s).Convert(v.Type().Elem()))
		}
	case reflect.String:
		s, msg := expand(v.String(), lookupEnv)
		if msg != "" {
			c.add(path, msg)
			c.markBad(path)
			return
		}
		v.SetString(s)
	}
}

// expand substitutes the references in s. On failure it returns a message
// that does not quote s.
func expand(s string, lookupEnv func(string) (string, bool)) (string, string) {
	if !strings.Contains(s, "$") {
		return s, ""
	}
	var b strings.Builder
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
				return "", "unterminated ${ (write $$ for a literal $)"
			}
			name := s[i+2 : i+2+end]
			if !validEnvName(name) {
				return "", "invalid variable name in ${...} (write $$ for a literal $)"
			}
			val, ok := lookupEnv(name)
			if !ok {
				return "", "environment variable " + name + " is not set"
			}
			b.WriteString(val)
			i += 2 + end
		default:
			b.WriteByte('$')
		}
	}
	return b.String(), ""
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
