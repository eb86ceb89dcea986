package fakeslack

import (
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// uploadPath is where the fake's upload URLs point: on its own host, as
// slack-go sends the token only to the API's host
// (https://api.slack.com/messaging/files#upload).
const uploadPath = "/upload/v1/"

// maxAltTxt bounds an image's alt_txt: "Description for the image is
// longer than the limit of 1000 character" (alt_txt_too_large).
const maxAltTxt = 1000

// File is a file as the fake keeps it: asked for with
// files.getUploadURLExternal, its bytes posted to the upload URL, and
// shared by files.completeUploadExternal. A file that was never completed
// is in Files but in no channel, as on Slack.
type File struct {
	ID      string
	Name    string
	Title   string
	AltText string
	// Length is what getUploadURLExternal was told; Data what was posted.
	Length int
	Data   []byte
	// Uploaded is set once the bytes arrived; Channel and ThreadTS once
	// the file was shared (ThreadTS empty: at the top of the channel).
	Uploaded bool
	Channel  string
	ThreadTS string
	// MessageTS is the message that shows the shared file.
	MessageTS string
}

// fileState is the fake's files, under Server.mu.
type fileState struct {
	byID map[string]*File
	seq  int
}

// Files returns every file asked for, shared or not, oldest first.
func (s *Server) Files() []File {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []File
	for _, f := range s.files.byID {
		c := *f
		c.Data = slices.Clone(f.Data)
		out = append(out, c)
	}
	slices.SortFunc(out, func(a, b File) int { return strings.Compare(a.ID, b.ID) })
	return out
}

// handleFiles answers the files methods; ok is false for any other
// method. The caller holds s.mu.
func (s *Server) handleFiles(method string, p url.Values) (r response, ok bool) {
	switch method {
	case "files.getUploadURLExternal":
		return s.getUploadURL(p), true
	case "files.completeUploadExternal":
		return s.completeUpload(p), true
	}
	return nil, false
}

// getUploadURL answers files.getUploadURLExternal
// (https://api.slack.com/methods/files.getUploadURLExternal).
func (s *Server) getUploadURL(p url.Values) response {
	name := p.Get("filename")
	length, err := strconv.Atoi(p.Get("length"))
	if name == "" || err != nil || length <= 0 {
		return slackError("invalid_arguments")
	}
	if utf8.RuneCountInString(p.Get("alt_txt")) > maxAltTxt {
		return slackError("alt_txt_too_large")
	}
	if s.files.byID == nil {
		s.files.byID = map[string]*File{}
	}
	s.files.seq++
	f := &File{ID: fmt.Sprintf("F%08d", s.files.seq), Name: name, AltText: p.Get("alt_txt"), Length: length}
	s.files.byID[f.ID] = f
	return response{"ok": true, "upload_url": s.srv.URL + uploadPath + f.ID, "file_id": f.ID}
}

// serveUpload takes a file's bytes, as a multipart form (field "file", as
// slack-go sends it) or as the raw body. Its calls are recorded as method
// "upload"; faults injected for "upload" apply to them.
func (s *Server) serveUpload(w http.ResponseWriter, r *http.Request) {
	id := strings.TrimPrefix(r.URL.Path, uploadPath)
	s.mu.Lock()
	s.calls = append(s.calls, Call{Method: "upload", Params: url.Values{"file_id": {id}}, At: time.Now()})
	f := s.takeFault("upload")
	s.mu.Unlock()
	if s.before(w, r, f, func(code string) { http.Error(w, code, http.StatusBadRequest) }) {
		return
	}
	data, err := readUpload(r)
	if err != nil {
		http.Error(w, "bad upload: "+err.Error(), http.StatusBadRequest)
		return
	}
	s.mu.Lock()
	file := s.files.byID[id]
	status, body := http.StatusOK, fmt.Sprintf("OK - %d", len(data))
	switch {
	case r.Method != http.MethodPost:
		status, body = http.StatusMethodNotAllowed, "method not allowed"
	case file == nil:
		status, body = http.StatusNotFound, "file not found"
	case len(data) != file.Length:
		status, body = http.StatusBadRequest, fmt.Sprintf("length %d, announced %d", len(data), file.Length)
	default:
		file.Data, file.Uploaded = data, true
	}
	s.mu.Unlock()
	if s.drop(w, f) {
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(status)
	_, _ = io.WriteString(w, body)
}

func readUpload(r *http.Request) ([]byte, error) {
	ctype, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if ctype != "multipart/form-data" {
		return io.ReadAll(io.LimitReader(r.Body, 64<<20))
	}
	if err := r.ParseMultipartForm(64 << 20); err != nil {
		return nil, err
	}
	part, _, err := r.FormFile("file")
	if err != nil {
		return nil, err
	}
	defer part.Close()
	return io.ReadAll(part)
}

// completeUpload answers files.completeUploadExternal
// (https://api.slack.com/methods/files.completeUploadExternal): the files
// named are shared in channel_id, in thread_ts's thread when given, as one
// message. Without channel_id they stay private, as on Slack.
func (s *Server) completeUpload(p url.Values) response {
	var list []struct {
		ID    string `json:"id"`
		Title string `json:"title"`
	}
	if err := json.Unmarshal([]byte(p.Get("files")), &list); err != nil || len(list) == 0 {
		return slackError("invalid_arguments")
	}
	var files []*File
	for _, l := range list {
		f := s.files.byID[l.ID]
		if f == nil || !f.Uploaded {
			return slackError("file_not_found")
		}
		files = append(files, f)
	}
	out := make([]map[string]any, len(list))
	for i, l := range list {
		out[i] = map[string]any{"id": l.ID, "title": l.Title}
	}
	chID := p.Get("channel_id")
	if chID == "" {
		for i, f := range files {
			f.Title = list[i].Title
		}
		return response{"ok": true, "files": out}
	}
	q := url.Values{"channel": {chID}}
	ch, errResp := s.channel(q)
	if errResp != nil {
		return errResp
	}
	m := &message{text: p.Get("initial_comment")}
	if ts := p.Get("thread_ts"); ts != "" {
		parent := ch.find(ts)
		if parent == nil {
			return slackError("thread_not_found")
		}
		m.threadTS = parent.ts
		if parent.threadTS != "" {
			m.threadTS = parent.threadTS
		}
	}
	m.ts = s.nextTS()
	for i, f := range files {
		f.Title, f.Channel, f.ThreadTS, f.MessageTS = list[i].Title, ch.id, m.threadTS, m.ts
		m.files = append(m.files, f.ID)
	}
	ch.msgs = append(ch.msgs, m)
	return response{"ok": true, "files": out}
}

// renderFiles is how a message shows its files in the Web API's answers.
// The caller holds s.mu.
func (s *Server) renderFiles(ids []string) []map[string]any {
	out := make([]map[string]any, 0, len(ids))
	for _, id := range ids {
		f := s.files.byID[id]
		if f == nil {
			continue
		}
		out = append(out, map[string]any{
			"id": f.ID, "name": f.Name, "title": f.Title, "alt_txt": f.AltText,
			"mimetype": mime.TypeByExtension(fileExt(f.Name)), "filetype": strings.TrimPrefix(fileExt(f.Name), "."),
			"size": len(f.Data), "user": "U0BOT",
		})
	}
	return out
}

func fileExt(name string) string {
	if i := strings.LastIndexByte(name, '.'); i >= 0 {
		return name[i:]
	}
	return ""
}

// withFiles adds the message's files to its rendering. The caller holds
// s.mu.
func (s *Server) withFiles(out map[string]any, m *message) map[string]any {
	if len(m.files) > 0 {
		out["files"] = s.renderFiles(m.files)
		out["upload"] = true
	}
	return out
}
