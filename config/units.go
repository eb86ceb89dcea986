package config

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/pelletier/go-toml/v2"
)

// UnmarshalText parses a duration like "30s", "5m" or "1h30m" with
// time.ParseDuration. Negative durations are rejected.
func (d *Duration) UnmarshalText(text []byte) error {
	v, err := time.ParseDuration(string(text))
	if err != nil {
		return fmt.Errorf("invalid duration %q: write a number and a unit, like \"30s\", \"5m\" or \"1h30m\"", clip(string(text)))
	}
	if v < 0 {
		return errors.New("must not be negative: write a duration like \"30s\"")
	}
	d.Duration = v
	return nil
}

// MarshalText writes the duration the way UnmarshalText reads it.
func (d Duration) MarshalText() ([]byte, error) {
	return []byte(d.Duration.String()), nil
}

// byteUnits maps a unit, lower-cased, to its size in bytes.
var byteUnits = map[string]int64{
	"": 1, "b": 1,
	"kb": 1e3, "mb": 1e6, "gb": 1e9, "tb": 1e12,
	"kib": 1 << 10, "mib": 1 << 20, "gib": 1 << 30, "tib": 1 << 40,
}

// UnmarshalText parses a size: a whole number of bytes ("1048576"), or a
// number and a unit: B, KB, MB, GB, TB (powers of 1000), KiB, MiB, GiB, TiB
// (powers of 1024), like "5MiB", "512KiB", "10MB" or "1.5GiB". Units ignore
// case.
func (b *ByteSize) UnmarshalText(text []byte) error {
	s := strings.TrimSpace(strings.ReplaceAll(string(text), "_", ""))
	i := 0
	for i < len(s) && (s[i] >= '0' && s[i] <= '9' || s[i] == '.') {
		i++
	}
	num, unit := s[:i], strings.ToLower(strings.TrimSpace(s[i:]))
	mult, ok := byteUnits[unit]
	if num == "" || !ok {
		if strings.HasPrefix(s, "-") {
			return errors.New("must not be negative: write a size like \"5MiB\"")
		}
		return fmt.Errorf("invalid size %q: write bytes or a number and a unit, like \"512KiB\", \"5MiB\" or \"10MB\"", clip(string(text)))
	}
	if n, err := strconv.ParseInt(num, 10, 64); err == nil {
		if n > math.MaxInt64/mult {
			return fmt.Errorf("size %q is too large", clip(string(text)))
		}
		*b = ByteSize(n * mult)
		return nil
	}
	v, err := strconv.ParseFloat(num, 64)
	if err != nil {
		return fmt.Errorf("invalid size %q: write bytes or a number and a unit, like \"512KiB\", \"5MiB\" or \"10MB\"", clip(string(text)))
	}
	v *= float64(mult)
	if v >= math.MaxInt64 {
		return fmt.Errorf("size %q is too large", clip(string(text)))
	}
	*b = ByteSize(v)
	return nil
}

// MarshalText writes the size with the largest binary unit that divides it,
// like "5MiB", or as plain bytes.
func (b ByteSize) MarshalText() ([]byte, error) {
	return []byte(b.String()), nil
}

// String writes the size like MarshalText.
func (b ByteSize) String() string {
	for _, u := range []struct {
		name string
		size ByteSize
	}{{"TiB", 1 << 40}, {"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}} {
		if b != 0 && b%u.size == 0 {
			return strconv.FormatInt(int64(b/u.size), 10) + u.name
		}
	}
	return strconv.FormatInt(int64(b), 10)
}

// clip shortens a value quoted in a message.
func clip(s string) string {
	const max = 40
	if len(s) <= max {
		return s
	}
	r := []rune(s)
	if len(r) <= max {
		return s
	}
	return string(r[:max]) + "..."
}

// UnmarshalText reads "same-host", "any" or "none".
func (r *Redirects) UnmarshalText(text []byte) error {
	switch v := Redirects(text); v {
	case RedirectsSameHost, RedirectsAny, RedirectsNone:
		*r = v
		return nil
	}
	return fmt.Errorf("must be %s, not %q", describeType(redirectsType), clip(string(text)))
}

// UnmarshalTOML reads a string like UnmarshalText, or the key's earlier
// boolean form: true follows redirects on the same host (the default),
// false follows none.
func (r *Redirects) UnmarshalTOML(raw []byte) error {
	var doc struct{ V any }
	if err := toml.Unmarshal(append([]byte("V = "), raw...), &doc); err != nil {
		return fmt.Errorf("must be %s", describeType(redirectsType))
	}
	switch v := doc.V.(type) {
	case bool:
		*r = RedirectsSameHost
		if !v {
			*r = RedirectsNone
		}
		return nil
	case string:
		return r.UnmarshalText([]byte(v))
	}
	return fmt.Errorf("must be %s", describeType(redirectsType))
}
