package notifier

import (
	"github.com/outagebot/outagebot/i18n"
	"github.com/outagebot/outagebot/outage"
)

// State is an outage event's state as a label and a plain detail, the
// words every chat's message starts with: ("Partial outage",
// " · Identified"), ("Resolved", ", lasted 1h 12m").
func State(ev outage.Event) (label, detail string) {
	return StateIn(i18n.For(i18n.Default), ev)
}
