// Package helm_test checks what the Helm chart in outagebot/ renders.
//
// Running helm here would make the unit suite build Helm (minutes on a
// 2-core machine), so the test reads renders kept in testdata/ instead,
// and .ci/run proves them current: it lints the chart and diffs a fresh
// `helm template` against each file. After changing the chart, regenerate
// them with
//
//	go run helm.sh/helm/v4/cmd/helm@v4.3.2 template outagebot deploy/helm/outagebot > deploy/helm/testdata/default.yaml
//	go run helm.sh/helm/v4/cmd/helm@v4.3.2 template outagebot deploy/helm/outagebot -f deploy/helm/testdata/options-values.yaml > deploy/helm/testdata/options.yaml
package helm_test

import (
	"encoding/json"
	"errors"
	"io"
	"os"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/outagebot/outagebot/config"
)

type object = map[string]any

// render is one `helm template` output: every object by kind and name.
type render map[string]object

func load(t *testing.T, path string) render {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r := render{}
	dec := yaml.NewDecoder(f)
	for {
		var o object
		err := dec.Decode(&o)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		if o == nil {
			continue
		}
		key := str(o, "kind") + "/" + str(o, "metadata", "name")
		if _, dup := r[key]; dup {
			t.Fatalf("%s: %s rendered twice", path, key)
		}
		r[key] = o
	}
	return r
}

// get walks o along path (map keys, or the name of a list element with
// that "name").
func get(o any, path ...string) any {
	for _, p := range path {
		switch v := o.(type) {
		case map[string]any:
			o = v[p]
		case []any:
			o = nil
			for _, e := range v {
				if m, ok := e.(map[string]any); ok && m["name"] == p {
					o = m
					break
				}
			}
		default:
			return nil
		}
	}
	return o
}

func str(o any, path ...string) string {
	s, _ := get(o, path...).(string)
	return s
}

func (r render) must(t *testing.T, key string) object {
	t.Helper()
	o, ok := r[key]
	if !ok {
		t.Fatalf("no %s rendered; have %v", key, r.keys())
	}
	return o
}

func (r render) keys() []string {
	var ks []string
	for k := range r {
		ks = append(ks, k)
	}
	return ks
}

// want compares one value, naming where it is.
func want(t *testing.T, what string, got, wantV any) {
	t.Helper()
	if !reflect.DeepEqual(got, wantV) {
		t.Errorf("%s = %#v, want %#v", what, got, wantV)
	}
}

// checkConfig parses the rendered outagebot.toml as the bot would, with
// the environment the Deployment gives it.
func checkConfig(t *testing.T, r render, env map[string]string) *config.Config {
	t.Helper()
	text := str(r.must(t, "ConfigMap/outagebot"), "data", "outagebot.toml")
	cfg, err := config.Parse("outagebot.toml", []byte(text), func(k string) (string, bool) { v, ok := env[k]; return v, ok })
	if err != nil {
		t.Fatalf("the rendered configuration does not load: %v\n%s", err, text)
	}
	return cfg
}

var sha256Hex = regexp.MustCompile(`^[0-9a-f]{64}$`)

func TestDefaultRender(t *testing.T) {
	r := load(t, "testdata/default.yaml")
	if _, ok := r["ServiceMonitor/outagebot"]; ok {
		t.Error("a ServiceMonitor is rendered by default; it needs the Prometheus Operator's CRDs and must be asked for")
	}
	if _, ok := r["ConfigMap/outagebot-dashboard"]; ok {
		t.Error("the Grafana dashboard is rendered by default; it is for Grafana's sidecar and must be asked for")
	}

	d := r.must(t, "Deployment/outagebot")
	want(t, "replicas", get(d, "spec", "replicas"), 2)
	pod := get(d, "spec", "template")
	c := get(pod, "spec", "containers", "outagebot")
	want(t, "args", get(c, "args"), []any{"run", "--config", "/config/outagebot.toml"})
	want(t, "liveness probe", get(c, "livenessProbe", "httpGet"), object{"path": "/livez", "port": "http"})
	want(t, "readiness probe", get(c, "readinessProbe", "httpGet"), object{"path": "/readyz", "port": "http"})
	want(t, "private port", get(c, "ports", "http", "containerPort"), 8080)
	want(t, "public port", get(c, "ports", "public", "containerPort"), 8443)

	// The database URL and every other secret come from the Secret.
	want(t, "database URL", get(c, "env", "OUTAGEBOT_DATABASE_URL", "valueFrom"),
		object{"secretKeyRef": object{"name": "outagebot", "key": "DATABASE_URL"}})
	want(t, "instance", get(c, "env", "OUTAGEBOT_INSTANCE", "valueFrom"), object{"fieldRef": object{"fieldPath": "metadata.name"}})
	want(t, "envFrom", get(c, "envFrom"), []any{object{"secretRef": object{"name": "outagebot"}}})
	want(t, "secret kind", str(r.must(t, "Secret/outagebot"), "type"), "Opaque")

	// A changed ConfigMap rolls the pods.
	if sum := str(pod, "metadata", "annotations", "checksum/config"); !sha256Hex.MatchString(sum) {
		t.Errorf("checksum/config annotation %q, want a sha256", sum)
	}
	if sum := str(pod, "metadata", "annotations", "checksum/secret"); !sha256Hex.MatchString(sum) {
		t.Errorf("checksum/secret annotation %q, want a sha256 of the chart-made Secret", sum)
	}

	want(t, "pod runAsNonRoot", get(pod, "spec", "securityContext", "runAsNonRoot"), true)
	want(t, "pod runAsUser", get(pod, "spec", "securityContext", "runAsUser"), 65532)
	want(t, "readOnlyRootFilesystem", get(c, "securityContext", "readOnlyRootFilesystem"), true)
	want(t, "allowPrivilegeEscalation", get(c, "securityContext", "allowPrivilegeEscalation"), false)
	want(t, "memory limit", get(c, "resources", "limits", "memory"), "256Mi")
	want(t, "config volume", get(pod, "spec", "volumes", "config", "configMap", "name"), "outagebot")
	want(t, "config mount", get(c, "volumeMounts", "config", "mountPath"), "/config")

	// The configuration listens where the probes and Services point.
	cfg := checkConfig(t, r, map[string]string{
		"OUTAGEBOT_DATABASE_URL": "postgres://outagebot:pw@postgres:5432/outagebot?sslmode=require",
		"OUTAGEBOT_INSTANCE":     "outagebot-5d8f7-abcde",
		"SLACK_BOT_TOKEN":        "xoxb-1", "SLACK_SIGNING_SECRET": "s", "SLACK_CHANNEL_ID": "C0123456789",
	})
	want(t, "bot.state", cfg.Bot.State, "postgres://outagebot:pw@postgres:5432/outagebot?sslmode=require")
	want(t, "bot.listen", cfg.Bot.Listen, "0.0.0.0:8080")
	want(t, "bot.public_listen", cfg.Bot.PublicListen, "0.0.0.0:8443")
	want(t, "bot.instance", cfg.Bot.Instance, "outagebot-5d8f7-abcde")
	want(t, "bot.log_format", cfg.Bot.LogFormat, "json")

	// The public Service reaches the command endpoints alone; health and
	// metrics stay on the private one.
	want(t, "public Service ports", get(r.must(t, "Service/outagebot"), "spec", "ports"),
		[]any{object{"name": "public", "port": 80, "targetPort": "public"}})
	want(t, "private Service ports", get(r.must(t, "Service/outagebot-private"), "spec", "ports"),
		[]any{object{"name": "http", "port": 8080, "targetPort": "http"}})

	pdb := r.must(t, "PodDisruptionBudget/outagebot")
	want(t, "PDB maxUnavailable", get(pdb, "spec", "maxUnavailable"), 1)
	want(t, "PDB selector", get(pdb, "spec", "selector"), get(d, "spec", "selector"))
	for _, svc := range []string{"Service/outagebot", "Service/outagebot-private"} {
		want(t, svc+" selector", get(r.must(t, svc), "spec", "selector"), get(d, "spec", "selector", "matchLabels"))
	}
}

func TestOptionsRender(t *testing.T) {
	r := load(t, "testdata/options.yaml")
	if _, ok := r["Secret/outagebot"]; ok {
		t.Error("a Secret is rendered although secret.existingSecret names one")
	}
	if _, ok := r["Service/outagebot"]; ok {
		t.Error("the public Service is rendered with publicListener.enabled = false")
	}

	d := r.must(t, "Deployment/outagebot")
	want(t, "replicas", get(d, "spec", "replicas"), 3)
	pod := get(d, "spec", "template")
	c := get(pod, "spec", "containers", "outagebot")
	want(t, "database URL", get(c, "env", "OUTAGEBOT_DATABASE_URL", "valueFrom"),
		object{"secretKeyRef": object{"name": "ops-outagebot", "key": "PG_URL"}})
	want(t, "envFrom", get(c, "envFrom"), []any{object{"secretRef": object{"name": "ops-outagebot"}}})
	want(t, "public port", get(c, "ports", "public"), nil)
	if _, ok := get(pod, "metadata", "annotations").(object)["checksum/secret"]; ok {
		t.Error("checksum/secret is set, but the chart does not render the existing Secret")
	}

	cfg := checkConfig(t, r, map[string]string{
		"OUTAGEBOT_DATABASE_URL": "postgres://db/outagebot", "OUTAGEBOT_INSTANCE": "outagebot-0",
		"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_APP_TOKEN": "xapp-1", "SLACK_CHANNEL_ID": "C0123456789",
	})
	want(t, "bot.public_listen", cfg.Bot.PublicListen, "")
	want(t, "bot.listen", cfg.Bot.Listen, "0.0.0.0:8080")

	sm := r.must(t, "ServiceMonitor/outagebot")
	want(t, "ServiceMonitor apiVersion", str(sm, "apiVersion"), "monitoring.coreos.com/v1")
	want(t, "ServiceMonitor label", str(sm, "metadata", "labels", "release"), "prometheus")
	ep, _ := get(sm, "spec", "endpoints").([]any)
	if len(ep) != 1 {
		t.Fatalf("ServiceMonitor endpoints %v, want one", ep)
	}
	want(t, "ServiceMonitor port", str(ep[0], "port"), "http")
	want(t, "ServiceMonitor path", str(ep[0], "path"), "/metrics")
	// It must pick the private Service (health and metrics) and only it.
	private := r.must(t, "Service/outagebot-private")
	sel, _ := get(sm, "spec", "selector", "matchLabels").(object)
	labels, _ := get(private, "metadata", "labels").(object)
	for k, v := range sel {
		if labels[k] != v {
			t.Errorf("ServiceMonitor selects %s=%v, the private Service has %v", k, v, labels[k])
		}
	}
	if sel["app.kubernetes.io/component"] != "private" {
		t.Errorf("ServiceMonitor selector %v does not single out the private Service", sel)
	}
	if !strings.Contains(str(get(private, "spec", "ports").([]any)[0], "targetPort"), "http") {
		t.Error("the private Service does not reach the http port")
	}
}

// TestDashboardRender checks the Grafana dashboard ConfigMap: the sidecar's
// label and folder annotation, and the dashboard itself, with its data
// source input filled in.
func TestDashboardRender(t *testing.T) {
	r := load(t, "testdata/options.yaml")
	cm := r.must(t, "ConfigMap/outagebot-dashboard")
	want(t, "dashboard label", str(cm, "metadata", "labels", "grafana_dashboard"), "1")
	want(t, "dashboard folder", str(cm, "metadata", "annotations", "grafana_folder"), "outagebot")
	text := str(cm, "data", "outagebot.json")
	var d struct {
		UID    string           `json:"uid"`
		Panels []map[string]any `json:"panels"`
	}
	if err := json.Unmarshal([]byte(text), &d); err != nil {
		t.Fatalf("the rendered dashboard is not JSON: %v", err)
	}
	want(t, "dashboard uid", d.UID, "outagebot")
	if strings.Contains(text, "${DS_PROMETHEUS}") || !strings.Contains(text, `"uid": "prom-main"`) {
		t.Error("the dashboard's data source input is not filled in with grafanaDashboard.datasourceUid")
	}
}

// TestDashboardCopy checks that the chart's copy of the dashboard (a chart
// can only read files inside itself) is deploy/grafana/outagebot.json.
func TestDashboardCopy(t *testing.T) {
	orig, err := os.ReadFile("../grafana/outagebot.json")
	if err != nil {
		t.Fatal(err)
	}
	chart, err := os.ReadFile("outagebot/files/outagebot.json")
	if err != nil {
		t.Fatal(err)
	}
	if string(orig) != string(chart) {
		t.Error("deploy/helm/outagebot/files/outagebot.json differs from deploy/grafana/outagebot.json: copy it over (cp deploy/grafana/outagebot.json deploy/helm/outagebot/files/)")
	}
}
