package fakediscord

import (
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
)

// Attachment is a file sent with a message
// (https://discord.com/developers/docs/reference#uploading-files): a
// files[n] part of a multipart request, described by the payload's
// attachments entry with id n.
type Attachment struct {
	ID          string
	Filename    string
	Description string
	ContentType string
	Data        []byte
}

// attachmentBody is an entry of a request's attachments array.
type attachmentBody struct {
	ID          json.RawMessage `json:"id"`
	Filename    string          `json:"filename"`
	Description string          `json:"description"`
}

// maxAttachmentDescription is Discord's limit on an attachment's alt text.
const maxAttachmentDescription = 1024

// decodeMessage reads a message create request: JSON, or multipart with
// payload_json and files[n] parts. Embed images that say attachment://name
// must name a file sent along, as Discord requires to show them.
func decodeMessage(r *http.Request, b *messageBody) ([]Attachment, apiError, bool) {
	invalid := func(format string, args ...any) ([]Attachment, apiError, bool) {
		return nil, apiError{http.StatusBadRequest, CodeInvalidFormBody, "Invalid Form Body: " + fmt.Sprintf(format, args...)}, true
	}
	ctype, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if ctype != "multipart/form-data" {
		if err := json.NewDecoder(r.Body).Decode(b); err != nil {
			return invalid("%v", err)
		}
		return nil, apiError{}, false
	}
	if err := r.ParseMultipartForm(32 << 20); err != nil {
		return invalid("%v", err)
	}
	if err := json.Unmarshal([]byte(r.FormValue("payload_json")), b); err != nil {
		return invalid("payload_json: %v", err)
	}
	var atts []Attachment
	for i := 0; ; i++ {
		part, head, err := r.FormFile(fmt.Sprintf("files[%d]", i))
		if err != nil {
			break
		}
		data, err := io.ReadAll(part)
		part.Close()
		if err != nil {
			return invalid("files[%d]: %v", i, err)
		}
		atts = append(atts, Attachment{ID: strconv.Itoa(i), Filename: head.Filename, ContentType: head.Header.Get("Content-Type"), Data: data})
	}
	for _, a := range b.Attachments {
		id := strings.Trim(string(a.ID), `"`)
		n, err := strconv.Atoi(id)
		if err != nil || n < 0 || n >= len(atts) {
			return invalid("attachments: no files[%s]", id)
		}
		if len([]rune(a.Description)) > maxAttachmentDescription {
			return invalid("attachments[%d].description: longer than %d", n, maxAttachmentDescription)
		}
		atts[n].Description = a.Description
		if a.Filename != "" {
			atts[n].Filename = a.Filename
		}
	}
	for _, e := range b.Embeds {
		if e == nil || e.Image == nil {
			continue
		}
		name, ok := strings.CutPrefix(e.Image.URL, "attachment://")
		if !ok {
			continue
		}
		found := false
		for _, a := range atts {
			found = found || a.Filename == name
		}
		if !found {
			return invalid("embeds.image.url: no attachment %q", name)
		}
	}
	return atts, apiError{}, false
}

// wireAttachments is how a message shows its files.
func wireAttachments(m *Message) []any {
	out := make([]any, 0, len(m.Attachments))
	for _, a := range m.Attachments {
		out = append(out, map[string]any{
			"id": a.ID, "filename": a.Filename, "description": a.Description, "content_type": a.ContentType,
			"size": len(a.Data), "url": "https://cdn.discordapp.com/attachments/" + m.ChannelID + "/" + m.ID + "/" + a.Filename,
		})
	}
	return out
}
