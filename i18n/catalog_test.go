package i18n

import (
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	goi18n "github.com/nicksnyder/go-i18n/v2/i18n"
	"github.com/pelletier/go-toml/v2"
)

// catalog reads one language's messages: id -> plural form -> template.
func catalog(t *testing.T, lang string) map[string]map[string]string {
	t.Helper()
	out := map[string]map[string]string{}
	names, err := fs.Glob(files, path.Join("messages", lang, "*.toml"))
	if err != nil || len(names) == 0 {
		t.Fatalf("no message files for %s: %v", lang, err)
	}
	for _, name := range names {
		buf, err := fs.ReadFile(files, name)
		if err != nil {
			t.Fatal(err)
		}
		var raw map[string]any
		if err := toml.Unmarshal(buf, &raw); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		for id, v := range raw {
			if _, dup := out[id]; dup {
				t.Errorf("%s: message %q is defined twice in %s", name, id, lang)
			}
			switch v := v.(type) {
			case string:
				out[id] = map[string]string{"other": v}
			case map[string]any:
				forms := map[string]string{}
				for form, s := range v {
					str, ok := s.(string)
					if !ok {
						t.Errorf("%s: %q.%s is not a string", name, id, form)
					}
					forms[form] = str
				}
				out[id] = forms
			default:
				t.Errorf("%s: %q is neither a string nor a table of plural forms", name, id)
			}
		}
	}
	return out
}

var placeholder = regexp.MustCompile(`\{\{-?\s*\.([A-Za-z0-9_]+)`)

func placeholders(forms map[string]string) []string {
	set := map[string]bool{}
	for _, s := range forms {
		for _, m := range placeholder.FindAllStringSubmatch(s, -1) {
			set[m[1]] = true
		}
	}
	var out []string
	for k := range set {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// TestEveryLanguageHasEveryMessage fails when a message is missing in a
// language, or a translation drops or invents an argument or plural form.
func TestEveryLanguageHasEveryMessage(t *testing.T) {
	base := catalog(t, Default)
	for _, lang := range Languages[1:] {
		other := catalog(t, lang)
		for id, forms := range base {
			tr, ok := other[id]
			if !ok {
				t.Errorf("%s lacks message %q (en: %q)", lang, id, forms["other"])
				continue
			}
			if a, b := placeholders(forms), placeholders(tr); !slices.Equal(a, b) {
				t.Errorf("%s %q uses %v, en uses %v", lang, id, b, a)
			}
			if _, ok := forms["one"]; ok {
				if _, ok := tr["one"]; !ok {
					t.Errorf("%s %q lacks the plural form one", lang, id)
				}
			}
			if _, ok := tr["other"]; !ok {
				t.Errorf("%s %q lacks the form other", lang, id)
			}
		}
		for id := range other {
			if _, ok := base[id]; !ok {
				t.Errorf("%s has message %q that en lacks", lang, id)
			}
		}
	}
}

// TestEveryMessageRenders runs every template in every language with each
// of its arguments set, in both plural forms.
func TestEveryMessageRenders(t *testing.T) {
	for _, lang := range Languages {
		p := For(lang)
		for id, forms := range catalog(t, lang) {
			args := Args{}
			for _, name := range placeholders(forms) {
				args[name] = "X"
			}
			for _, n := range []int{1, 2} {
				args["Count"] = n
				lc := &goi18n.LocalizeConfig{MessageID: id, TemplateData: args}
				if _, plural := forms["one"]; plural {
					lc.PluralCount = n
				}
				s, err := p.loc.Localize(lc)
				if err != nil {
					t.Errorf("%s %q: %v", lang, id, err)
				}
				if strings.Contains(s, "<no value>") {
					t.Errorf("%s %q renders %q", lang, id, s)
				}
			}
		}
	}
}

// askedFor finds the message ids the code names literally: p.T("id", ...),
// p.N("id", ...), outage.Say("id", ...) and {{t "id"}} in templates.
var askedFor = regexp.MustCompile(`(?:\.T|\.N|\bSay|\bt|\btn)\(?\s*"([a-z0-9_]+(?:\.[a-z0-9_]+)+)"`)

// dynamic are id prefixes the code completes at run time (p.Status(s)
// writes "status."+s); every message under them is in use.
var dynamic = []string{"status.", "status_inline.", "phase.", "phase_inline.", "class.", "month.", "unit.", "number."}

// TestCodeAsksOnlyForKnownMessages fails when the code names a message no
// catalog has, and when the catalog has a message nothing names.
func TestCodeAsksOnlyForKnownMessages(t *testing.T) {
	known := catalog(t, Default)
	used := map[string]bool{}
	err := filepath.WalkDir("..", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if strings.HasPrefix(d.Name(), ".") && p != ".." || d.Name() == "testdata" || d.Name() == "messages" {
				return filepath.SkipDir
			}
			return nil
		}
		switch filepath.Ext(p) {
		case ".go", ".html", ".tmpl":
		default:
			return nil
		}
		buf, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		for _, m := range askedFor.FindAllSubmatch(buf, -1) {
			id := string(m[1])
			used[id] = true
			if _, ok := known[id]; !ok && !strings.HasSuffix(p, "_test.go") {
				t.Errorf("%s asks for message %q, which the catalog lacks", p, id)
			}
		}
		// Ids handed around as values (a table of keys) count as used.
		for id := range known {
			if !used[id] && strings.Contains(string(buf), `"`+id+`"`) {
				used[id] = true
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for id := range known {
		if used[id] || slices.ContainsFunc(dynamic, func(pre string) bool { return strings.HasPrefix(id, pre) }) {
			continue
		}
		t.Errorf("message %q is in the catalog but nothing uses it", id)
	}
}
