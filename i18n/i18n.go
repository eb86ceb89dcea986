// Package i18n writes the bot's own words in the reader's language. Every
// word the bot authors (chat messages, command answers, buttons, digests,
// the status board and page) is a message in one catalog,
// messages/<language>/*.toml, loaded with go-i18n: named arguments
// ({{.Target}}), CLDR plural forms, and a test that fails when a language
// lacks a message another has or the code asks for one that no language has.
//
// Vendor words (incident titles and updates) are never translated: they
// are shown as the vendor wrote them.
package i18n

import (
	"embed"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"

	goi18n "github.com/nicksnyder/go-i18n/v2/i18n"
	"github.com/pelletier/go-toml/v2"
	"golang.org/x/text/language"
)

// Default is the language used when none is configured or asked for.
const Default = "en"

// Languages are the languages the catalog has, the default first.
var Languages = []string{"en", "de"}

//go:embed messages
var files embed.FS

// Args are a message's named arguments, as its template sees them.
type Args = map[string]any

var (
	bundle   *goi18n.Bundle
	printers = map[string]*Printer{}
	matcher  language.Matcher
)

func init() {
	b, err := load(files)
	if err != nil {
		// The catalog is embedded and tested; a broken one is a build defect.
		panic(err)
	}
	bundle = b
	tags := make([]language.Tag, len(Languages))
	for i, l := range Languages {
		tags[i] = language.Make(l)
		printers[l] = newPrinter(l)
	}
	matcher = language.NewMatcher(tags)
}

// load reads every messages/<language>/*.toml file of fsys.
func load(fsys fs.FS) (*goi18n.Bundle, error) {
	b := goi18n.NewBundle(language.English)
	b.RegisterUnmarshalFunc("toml", toml.Unmarshal)
	for _, lang := range Languages {
		names, err := fs.Glob(fsys, path.Join("messages", lang, "*.toml"))
		if err != nil {
			return nil, err
		}
		for _, name := range names {
			buf, err := fs.ReadFile(fsys, name)
			if err != nil {
				return nil, err
			}
			msgs, err := b.ParseMessageBytes(language.Make(lang), buf, toml.Unmarshal)
			if err != nil {
				return nil, fmt.Errorf("message catalog %s: %w", name, err)
			}
			if err := b.AddMessages(language.Make(lang), msgs...); err != nil {
				return nil, fmt.Errorf("message catalog %s: %w", name, err)
			}
		}
	}
	return b, nil
}

// Known reports whether lang is one of Languages.
func Known(lang string) bool { return slices.Contains(Languages, lang) }

// Match picks the supported language closest to what a reader asked for:
// a chat platform's user locale ("de", "en-US", "de_AT", "pt-BR"). It
// returns "" when none of them is supported well enough to pick, so the
// caller can fall back to the configured language.
func Match(asked ...string) string {
	var tags []language.Tag
	for _, a := range asked {
		if t, err := language.Parse(strings.ReplaceAll(a, "_", "-")); err == nil {
			tags = append(tags, t)
		}
	}
	if len(tags) == 0 {
		return ""
	}
	_, i, conf := matcher.Match(tags...)
	if conf < language.High {
		return ""
	}
	return Languages[i]
}

// For returns the printer of lang; an unknown or empty lang is Default.
func For(lang string) *Printer {
	if p, ok := printers[lang]; ok {
		return p
	}
	return printers[Default]
}

// Printer writes messages in one language. It is safe for concurrent use.
type Printer struct {
	lang string
	loc  *goi18n.Localizer
	// The pieces of durations, dates and numbers, read once from the
	// catalog because they are written on every message.
	units   [4]string
	months  [12]string
	decimal string
}

func newPrinter(lang string) *Printer {
	p := &Printer{lang: lang, loc: goi18n.NewLocalizer(bundle, lang)}
	for i, u := range []string{"day", "hour", "minute", "second"} {
		p.units[i] = p.T("unit."+u, nil)
	}
	for i := range p.months {
		p.months[i] = p.T(fmt.Sprintf("month.%d", i+1), nil)
	}
	p.decimal = p.T("number.decimal", nil)
	return p
}

// Lang is the printer's language.
func (p *Printer) Lang() string { return p.lang }

// T writes message id with args. A message missing in this language is
// written in the default one, and one missing from every language is
// written as its id: a reader sees something, and the catalog test fails.
func (p *Printer) T(id string, args Args) string {
	s, err := p.loc.Localize(&goi18n.LocalizeConfig{MessageID: id, TemplateData: args})
	if s == "" && err != nil {
		return id
	}
	return s
}

// N writes message id in the plural form for n; the template sees n as
// .Count beside args.
func (p *Printer) N(id string, n int, args Args) string {
	data := make(Args, len(args)+1)
	for k, v := range args {
		data[k] = v
	}
	data["Count"] = n
	s, err := p.loc.Localize(&goi18n.LocalizeConfig{MessageID: id, TemplateData: data, PluralCount: n})
	if s == "" && err != nil {
		return id
	}
	return s
}
